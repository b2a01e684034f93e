import { describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { SimulatedAccount, loadScenarioFile } from '../../handlers/adapters/simulated/index.ts';
import { undoSteps } from '../../handlers/core/audit.ts';
import type { AuditRecord } from '../../handlers/core/audit-record.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
import { undoIncident } from '../../handlers/steps/undo.ts';

const EXAMPLE = 'test/fixtures/scenarios/example-launch-without-profile.json';
const INSTANCE = 'i-0c1d2e3f4a5b6c7d8';

async function fixedExample() {
  const scenario = loadScenarioFile(EXAMPLE);
  const account = new SimulatedAccount(scenario);
  const audit = new MemoryAuditStore();
  const report = await runScenario(scenario, { account, audit });
  return { account, audit, key: report.incidents[0]!.key, deps: { audit, portsFor: () => account.ports, clock: account.clock } };
}

describe('undoIncident', () => {
  it('restores what the incident changed and audits the undo with the person as actor', async () => {
    const { account, audit, key, deps } = await fixedExample();
    expect(await account.ports.ec2.describeProfileAssociations(INSTANCE)).toHaveLength(1);
    const report = await undoIncident(deps, key, 'jo@example.com');
    expect(report.failed).toBeNull();
    expect(report.restored).toEqual([expect.objectContaining({ type: 'associate-profile', target: INSTANCE })]);
    expect(await account.ports.ec2.describeProfileAssociations(INSTANCE)).toHaveLength(0);
    const undo = (await audit.listIncident(key)).filter((r) => r.phase.startsWith('undo'));
    expect(undo.map((r) => [r.phase, r.result, r.actor])).toEqual([
      ['undo-intent', 'pending', 'jo@example.com'], ['undo-result', 'undone', 'jo@example.com'],
    ]);
  });

  it('does nothing the second time: every change is already undone', async () => {
    const { key, deps } = await fixedExample();
    await undoIncident(deps, key, 'jo');
    const again = await undoIncident(deps, key, 'jo');
    expect(again).toMatchObject({ restored: [], failed: null, remaining: 0 });
  });

  it('refuses an incident it has no record of', async () => {
    const { deps } = await fixedExample();
    await expect(undoIncident(deps, 'no-such-incident', 'jo')).rejects.toMatchObject({ name: 'NothingToUndo' });
  });
});

describe('undoSteps', () => {
  const base = { incidentKey: 'k', executionName: 'e', cause: null, account: 'a', region: 'r', error: null, actor: 'x', timestamp: '2026-01-01T00:00:00Z' };
  const rec = (step: string, phase: AuditRecord['phase'], action: string, result: AuditRecord['result'], params: Record<string, unknown> = {}): AuditRecord =>
    ({ ...base, step, phase, action: action as AuditRecord['action'], target: 't', before: { kind: 'x' }, after: null, result, params });

  it('lists applied changes newest first, skipping failed ones, waits, proposals and those already undone', () => {
    const records = [
      rec('0001-intent', 'intent', 'merge-trust', 'pending'),
      rec('0002-result', 'result', 'merge-trust', 'done'),
      rec('0003-result', 'result', 'wait', 'done'),
      rec('0004-result', 'result', 'attach-policy', 'failed'),
      rec('0005-result', 'result', 'attach-policy', 'done'),
      rec('0006-result', 'result', 'associate-profile', 'done'),
      rec('0007-result', 'result', 'propose-policy', 'done'),
      rec('0008-undo-result', 'undo-result', 'undo', 'undone', { undoes: '0006-result' }),
    ];
    expect(undoSteps(records).map((s) => s.record.step)).toEqual(['0005-result', '0002-result']);
  });
});
