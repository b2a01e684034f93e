import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, expectInputError, scratchFile } from './run-cli.ts';

/** One event of a built-in scenario, written alone to a file, as a user would save it from CloudTrail. */
function eventOf(scenario: string, index = 0): string {
  const doc = JSON.parse(readFileSync(join(ROOT, 'scenarios', `${scenario}.json`), 'utf8'));
  return scratchFile('event.json', doc.events[index]);
}

describe('iam-autoheal diagnose --scenario', () => {
  it('prints the cause with the evidence and the owner for an SCP explicit deny', () => {
    const r = cli('diagnose', eventOf('scp-explicit-deny'), '--scenario', 'scenarios/scp-explicit-deny.json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cause:\s+organization-policy$/m);
    expect(r.stdout).toMatch(/^evidence:$/m);
    expect(r.stdout).toContain('p-q7r8s9t0');
    expect(r.stdout).toMatch(/^owner:\s+\S/m);
    expect(r.stdout).toMatch(/^plan:\s+nothing to change$/m);
  });

  it('--json gives the diagnosis with its plan: the template first, then the running instances', () => {
    const r = cli('diagnose', eventOf('launch-template-without-profile'), '--scenario', 'scenarios/launch-template-without-profile.json', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.incidents).toHaveLength(1);
    const { diagnosis } = doc.incidents[0];
    expect(diagnosis.cause).toBe('stale-launch-template');
    const types = diagnosis.plan.map((p: { type: string }) => p.type);
    expect(types.slice(0, 2)).toEqual(['create-launch-template-version', 'set-default-launch-template-version']);
    expect(types).toContain('associate-profile');
    expect(diagnosis.evidence.length).toBeGreaterThan(0);
  });

  it('a record that is neither a denial by an instance role nor a launch: nothing to diagnose, with the reason', () => {
    const r = cli('diagnose', 'test/fixtures/cloudtrail/ignored--iam-user--ssm-getparameters-success.json', '--scenario', 'scenarios/observe-mode.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to diagnose');
    expect(r.stdout).toContain('GetParameters (ignored)');
  });

  it('bad input is one line naming the file, exit 2', () => {
    const notCloudTrail = scratchFile('not-cloudtrail.json', { hello: 'world' });
    expectInputError(cli('diagnose', notCloudTrail, '--scenario', 'scenarios/observe-mode.json'), notCloudTrail, /not a CloudTrail record/);
    expectInputError(cli('diagnose', 'missing-event.json'), 'missing-event.json', /cannot read/);
    const badScenario = scratchFile('bad-scenario.json', { name: 'x', account: { accountId: '12', region: 'eu-west-1' } });
    expectInputError(cli('diagnose', 'test/fixtures/cloudtrail/denied--instance-role--ec2-describeinstances--legacy-message.json', '--scenario', badScenario), badScenario, /account\.accountId/);
  });
});
