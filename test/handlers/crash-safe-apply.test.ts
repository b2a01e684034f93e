/**
 * A Lambda that dies in the middle of a change (before the write, after the write, after the result record) is
 * retried by the state machine; the retry ends with exactly one write and a trail from which undo restores the
 * original state. Real ASL, real steps, the simulated account; the crash as Step Functions reports it (Lambda.Unknown).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { loadScenarioFile, SimulatedAccount } from '../../handlers/adapters/simulated/index.ts';
import { accountAfterRun } from '../../handlers/cli/replay.ts';
import { undoIncident } from '../../handlers/core/undo.ts';
import { runScenario, type RunOptions } from '../../handlers/local/run-scenario.ts';
import { pino } from 'pino';
import { MemoryChangeBudget, MemoryLock } from '../../handlers/adapters/local/budget-and-lock.ts';
import { RecordingWorkflow } from '../../handlers/adapters/local/recorders.ts';
import { CrashingAuditStore } from '../../handlers/local/crash.ts';
import { applyStep } from '../../handlers/steps/apply.ts';
import { diagnoseStep } from '../../handlers/steps/diagnose.ts';
import { guardStep } from '../../handlers/steps/guard.ts';
import { intakeStep } from '../../handlers/steps/intake.ts';
import { EMPTY_PROGRESS, type StepDeps } from '../../handlers/steps/types.ts';
import { ROOT } from '../cli/run-cli.ts';

/** What a change can alter, without the times at which it was altered (a retry comes seconds later). */
function semantic(account: unknown) {
  const a = account as ReturnType<SimulatedAccount['snapshot']>;
  return {
    roles: (a.roles ?? []).map((r) => [r.name, r.trustPolicy, r.inlinePolicies, r.managedPolicies]),
    profiles: (a.instanceProfiles ?? []).map((p) => [p.name, p.roles]),
    instances: (a.instances ?? []).map((i) => [i.id, i.instanceProfile]),
  };
}

const CASES = [
  { file: 'scenarios/trust-policy-lost-ec2.json', action: 'merge-trust', api: 'UpdateAssumeRolePolicy', writes: 'iamWrites' as const },
  { file: 'scenarios/launch-without-profile.json', action: 'associate-profile', api: 'AssociateIamInstanceProfile', writes: 'ec2Writes' as const },
];

const CRASHES: Array<[string, (c: (typeof CASES)[number]) => NonNullable<RunOptions['crashes']>]> = [
  ['before the write', (c) => ({ calls: [{ api: c.api, when: 'before', times: 1 }] })],
  ['after the write', (c) => ({ calls: [{ api: c.api, when: 'after', times: 1 }] })],
  ['after the result record', (c) => ({ audit: [{ phase: 'result', action: c.action, times: 1 }] })],
];

describe('crash-safe changes', () => {
  for (const c of CASES) {
    for (const [point, crashes] of CRASHES) {
      it(`${c.action}: a crash ${point} is retried to one write, a consistent trail and a full undo`, async () => {
        const scenario = loadScenarioFile(join(ROOT, c.file));
        const clean = await runScenario(scenario, { audit: new MemoryAuditStore() });
        const audit = new MemoryAuditStore();
        const report = await runScenario(scenario, { audit, crashes: crashes(c) });
        const incident = report.incidents[0]!;

        expect(report.timeline.some((t) => /Lambda\.Unknown/.test(t.text)), 'the crash happened').toBe(true);
        expect(incident.status).toBe(clean.incidents[0]!.status);
        expect(incident.status).toBe('fixed');
        expect(report.api[c.writes]).toBe(clean.api[c.writes]);
        expect(semantic(report.account)).toEqual(semantic(clean.account));

        const records = await audit.listIncident(incident.key);
        const results = records.filter((r) => r.phase === 'result' && r.action === c.action);
        const done = results.filter((r) => r.result === 'done');
        expect(done).toHaveLength(clean.api[c.writes]);
        // The intent holds the state before the write; the result confirms it.
        const intents = records.filter((r) => r.phase === 'intent' && r.action === c.action);
        for (const result of done) {
          expect(result.before).not.toBeNull();
          expect(intents.some((i) => i.target === result.target && JSON.stringify(i.before) === JSON.stringify(result.before))).toBe(true);
        }

        const account = accountAfterRun(scenario, report);
        const undo = await undoIncident(account.ports, audit, incident.key, { actor: 'test', pause: async (s) => account.clock.advance(s) });
        expect(undo.stoppedAt).toBeNull();
        expect(semantic(account.snapshot())).toEqual(semantic(new SimulatedAccount(scenario).snapshot()));
      });
    }
  }

  it('a change whose attempt crashed after the write, never retried, is undone from its intent record alone', async () => {
    const scenario = loadScenarioFile(join(ROOT, CASES[0]!.file));
    const account = new SimulatedAccount(scenario);
    const audit = new MemoryAuditStore();
    const deps: StepDeps = {
      config: scenario.config, portsFor: () => account.ports, audit: new CrashingAuditStore(audit, account), budget: new MemoryChangeBudget(), lock: new MemoryLock(),
      notifier: account.notifier, clock: account.clock, logger: pino({ level: 'silent' }),
    };
    const intake = await intakeStep({ workflow: new RecordingWorkflow(), logger: deps.logger, clock: account.clock, scope: scenario.config.scope }, scenario.events.map((body, i) => ({ id: String(i), body })));
    const incident = intake.started[0]!.incident;
    const execution = { name: 'exec-crash', id: 'exec-crash' };
    const { diagnosis } = await diagnoseStep(deps, { incident, execution });
    const { actions } = await guardStep(deps, { incident, diagnosis, execution });
    account.injectCrash({ api: 'UpdateAssumeRolePolicy', when: 'after', times: 1 });
    await expect(applyStep(deps, { incident, diagnosis, actions, progress: EMPTY_PROGRESS, execution })).rejects.toMatchObject({ name: 'Lambda.Unknown' });
    const records = await audit.listIncident(incident.key);
    expect(records.map((r) => [r.phase, r.action])).toEqual([['intent', 'merge-trust']]);
    const original = new SimulatedAccount(scenario).snapshot().roles!;
    expect(records[0]!.before).toMatchObject({ kind: 'trust-policy', document: original[0]!.trustPolicy });
    expect(account.snapshot().roles![0]!.trustPolicy).not.toEqual(original[0]!.trustPolicy);
    account.revive();
    const undo = await undoIncident(account.ports, audit, incident.key, { actor: 'test', pause: async (s) => account.clock.advance(s) });
    expect(undo.steps.map((s) => s.result)).toEqual(['undone']);
    expect(account.snapshot().roles!.map((r) => r.trustPolicy)).toEqual(original.map((r) => r.trustPolicy));
  });
});
