/** Undo never overwrites a later change: it stops at the first change made over since, says what and who, and --force goes on. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { loadScenarioFile, SimulatedAccount } from '../../handlers/adapters/simulated/index.ts';
import { accountAfterRun } from '../../handlers/cli/replay.ts';
import { undoIncident } from '../../handlers/core/undo.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
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
});
