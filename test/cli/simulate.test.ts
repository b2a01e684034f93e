import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, expectInputError, scratchFile } from './run-cli.ts';

const ACCOUNT = { accountId: '111122223333', region: 'eu-west-1' };

describe('iam-autoheal simulate', () => {
  it('--json prints one JSON document: the report of CONTRACTS.md with the final account', () => {
    const r = cli('simulate', 'scenarios/launch-without-profile.json', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['scenario', 'incidents', 'ignoredEvents', 'api', 'stateTransitions', 'account']));
    expect(Object.keys(report.api).sort()).toEqual(['ec2Writes', 'iamWrites', 'reads', 'throttled']);
    expect(report.incidents).toHaveLength(1);
    const [incident] = report.incidents;
    expect(Object.keys(incident)).toEqual(expect.arrayContaining(['key', 'events', 'cause', 'status', 'actions', 'simulatedSeconds']));
    expect(incident).toMatchObject({ events: 1, cause: 'no-instance-profile', status: 'fixed' });
    expect(incident.actions.map((a: { type: string; result: string }) => `${a.type} ${a.result}`)).toEqual(['associate-profile done', 'associate-profile done']);
    expect(report.api).toMatchObject({ iamWrites: 0, ec2Writes: 2 });
    expect(report.account.instances.map((i: { instanceProfile: unknown }) => i.instanceProfile)).toEqual(['reporting-worker', 'reporting-worker']);
  });

  it('prints a readable timeline (simulated time, incident, step, what was found or changed) and a summary', () => {
    const r = cli('simulate', 'scenarios/trust-policy-lost-ec2.json');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => /^\s+\+0\.0s\s+#1\s+Diagnose\s+cause trust-missing-ec2/.test(l))).toBeDefined();
    expect(lines.find((l) => /\+\d+\.\ds\s+#1\s+ApplyAction\s+merge-trust reports-api: done/.test(l))).toBeDefined();
    expect(r.stdout).toMatch(/events 1 · cause trust-missing-ec2 · status fixed/);
    expect(r.stdout).toMatch(/API: 1 IAM write\(s\), 0 EC2 write\(s\)/);
  });

  it('bad input is one line on stderr naming the file and the problem, exit 2', () => {
    expectInputError(cli('simulate', 'no/such/scenario.json'), 'no/such/scenario.json', /cannot read/);
    const notJson = scratchFile('broken.json', '{"name": ');
    expectInputError(cli('simulate', notJson), notJson, /invalid JSON/);
    const badField = scratchFile('bad-instance.json', { name: 'x', account: { ...ACCOUNT, instances: [{ id: 'web-1' }] } });
    expectInputError(cli('simulate', badField), badField, /account\.instances\[0\]\.id/);
    const badConfig = scratchFile('bad-config.json', { name: 'x', account: ACCOUNT, config: { modes: { 'no-instance-profile': 'sometimes' } } });
    expectInputError(cli('simulate', badConfig), badConfig, /config: modes\.no-instance-profile/);
    const notCloudTrail = scratchFile('bad-event.json', { name: 'x', account: ACCOUNT, events: [{ hello: 'world' }] });
    expectInputError(cli('simulate', notCloudTrail), notCloudTrail, /events\[0\]: not a CloudTrail record/);
    const notADirectory = join(notCloudTrail, 'audit.jsonl');
    expectInputError(cli('simulate', 'scenarios/observe-mode.json', '--audit', notADirectory), notADirectory, /cannot write the audit trail/);
  });

  it('--help says what the command does and its options', () => {
    const r = cli('simulate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('--audit <file>');
  });
});
