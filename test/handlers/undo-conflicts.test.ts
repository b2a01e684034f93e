/** Undo never overwrites a later change: it stops at the first change made over since, says what and who, and --force goes on. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { loadScenarioFile, SimulatedAccount } from '../../handlers/adapters/simulated/index.ts';
import { accountAfterRun } from '../../handlers/cli/replay.ts';
import { undoIncident } from '../../handlers/core/undo.ts';
import { stopReport } from '../../handlers/cli/undo.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
import { AwsCallError } from '../../handlers/core/ports.ts';
import { ROOT } from '../cli/run-cli.ts';

async function fixedTemplate() {
  const scenario = loadScenarioFile(join(ROOT, 'scenarios/launch-template-without-profile.json'));
  const audit = new MemoryAuditStore();
  const report = await runScenario(scenario, { audit });
  const account = accountAfterRun(scenario, report);
  const key = report.incidents[0]!.key;
  const pause = async (s: number) => account.clock.advance(s);
  return { scenario, audit, account, key, pause };
}

describe('conflict-safe undo', () => {
  it('stops at the first change a person made over since, newest first, audited, and leaves the older ones alone', async () => {
    const { audit, account, key, pause } = await fixedTemplate();
    const template = account.snapshot().launchTemplates![0]!;
    // A person makes the original version the default again... then another one of their own.
    await account.ports.ec2.setDefaultLaunchTemplateVersion(template.id, 1);
    const before = account.snapshot();

    const report = await undoIncident(account.ports, audit, key, { actor: 'jo@example.com', pause });
    expect(report.steps.filter((s) => s.result === 'undone').map((s) => s.type)).toEqual(Array(8).fill('associate-profile'));
    expect(report.stoppedAt).toMatchObject({ type: 'set-default-launch-template-version', result: 'conflict', current: { defaultVersion: 1 } });
    expect(report.stoppedAt!.detail).toMatch(/default version of lt-\w+ is now 1, not the 4 this change set/);
    // The template is as the person left it: neither the default nor the new version was touched.
    expect(account.snapshot().launchTemplates).toEqual(before.launchTemplates);
    const trail = await audit.listIncident(key);
    expect(trail.at(-1)).toMatchObject({ phase: 'undo-result', result: 'conflict', actor: 'jo@example.com', before: { defaultVersion: 1 } });

    // Again: the associations are undone already; the same conflict stops it at once.
    const again = await undoIncident(account.ports, audit, key, { actor: 'jo@example.com', pause });
    expect(again.steps.map((s) => s.result)).toEqual(['conflict']);

    const forced = await undoIncident(account.ports, audit, key, { actor: 'jo@example.com', force: true, pause });
    expect(forced.stoppedAt).toBeNull();
    expect(forced.steps.map((s) => s.type)).toEqual(['set-default-launch-template-version', 'create-launch-template-version']);
    expect((await audit.listIncident(key)).filter((r) => r.phase === 'undo-intent').at(-1)?.params).toMatchObject({ force: true });
  });

  it('a resource already back to its previous state is not a conflict', async () => {
    const { audit, account, key, pause } = await fixedTemplate();
    const initial = new SimulatedAccount(loadScenarioFile(join(ROOT, 'scenarios/launch-template-without-profile.json'))).snapshot();
    await account.ports.ec2.setDefaultLaunchTemplateVersion(account.snapshot().launchTemplates![0]!.id, initial.launchTemplates![0]!.defaultVersion);
    const report = await undoIncident(account.ports, audit, key, { actor: 'ops', pause });
    expect(report.stoppedAt).toBeNull();
    expect(report.steps.find((s) => s.type === 'set-default-launch-template-version')?.detail).toMatch(/already/);
  });

  it('names who changed the resource since and when, from CloudTrail\'s event history, in the report, the audit and the CLI', async () => {
    const { audit, account, key, pause } = await fixedTemplate();
    const template = account.snapshot().launchTemplates![0]!;
    account.clock.advance(60);
    await account.asUser('jo', (ports) => ports.ec2.setDefaultLaunchTemplateVersion(template.id, 1));
    const changedAt = account.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    // The event history shows a call about five minutes after it is made.
    account.clock.advance(300);

    const report = await undoIncident(account.ports, audit, key, { actor: 'ops', pause });
    expect(report.stoppedAt?.changedBy).toEqual([{ actor: 'jo', at: changedAt, step: '', action: 'ModifyLaunchTemplate', source: 'event-history', eventId: expect.any(String) }]);
    expect(report.stoppedAt!.detail).toContain(`changed since by jo (ModifyLaunchTemplate) at ${changedAt} per CloudTrail`);
    expect((await audit.listIncident(key)).at(-1)).toMatchObject({ phase: 'undo-result', result: 'conflict', error: expect.stringContaining('changed since by jo'), params: { detail: expect.stringContaining('changed since by jo') } });
    expect(stopReport(report.stoppedAt!)).toContain(`  changed by jo at ${changedAt} (ModifyLaunchTemplate, CloudTrail event ${report.stoppedAt!.changedBy![0]!.eventId})`);
  });

  it('looks an IAM resource up where CloudTrail keeps IAM events, and says so when the history cannot be read', async () => {
    const scenario = loadScenarioFile(join(ROOT, 'scenarios/trust-policy-lost-ec2.json'));
    const audit = new MemoryAuditStore();
    const run = await runScenario(scenario, { audit });
    const key = run.incidents[0]!.key;
    const account = accountAfterRun(scenario, run);
    const role = account.snapshot().roles!.find((r) => JSON.stringify(r.trustPolicy).includes('ec2.amazonaws.com'))!;
    await account.asUser('alice', (ports) => ports.iam.updateAssumeRolePolicy(role.name, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com', 'ssm.amazonaws.com'] }, Action: 'sts:AssumeRole' }] }));
    account.clock.advance(301);
    const report = await undoIncident(account.ports, audit, key, { actor: 'ops', pause: async (s) => account.clock.advance(s) });
    expect(report.stoppedAt).toMatchObject({ type: 'merge-trust', result: 'conflict', changedBy: [expect.objectContaining({ actor: 'alice', action: 'UpdateAssumeRolePolicy', source: 'event-history' })] });

    // The same conflict where the event history refuses (no cloudtrail:LookupEvents): the conflict is still reported.
    const again = accountAfterRun(scenario, run);
    await again.asUser('alice', (ports) => ports.iam.updateAssumeRolePolicy(role.name, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole' }] }));
    const refusing = { ...again.ports, cloudTrail: { lookupEvents: () => Promise.reject(new AwsCallError('AccessDenied: User is not authorized to perform: cloudtrail:LookupEvents', 'AccessDenied')) } };
    const refused = await undoIncident(refusing, audit, key, { actor: 'ops', pause: async (s) => again.clock.advance(s) });
    expect(refused.stoppedAt).toMatchObject({ type: 'merge-trust', result: 'conflict', historyError: 'AwsCallError: AccessDenied: User is not authorized to perform: cloudtrail:LookupEvents' });
    expect(stopReport(refused.stoppedAt!).join('\n')).toMatch(/who changed it: CloudTrail's event history could not be read \(AwsCallError/);
  });
});
