/**
 * Recent changes from CloudTrail's event history: an instance profile emptied days before the service saw anything
 * is repaired with the role the history shows was removed (when that role is authorized); a failed LookupEvents is
 * evidence, never a failed diagnosis. Real steps, real ASL, the simulated account.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RecordingWorkflow } from '../../handlers/adapters/local/recorders.ts';
import { loadScenarioFile, SimulatedAccount, type Scenario } from '../../handlers/adapters/simulated/index.ts';
import { diagnose } from '../../handlers/core/diagnosis/index.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
import { intakeStep } from '../../handlers/steps/intake.ts';
import { ROOT } from '../cli/run-cli.ts';

const FILE = join(ROOT, 'scenarios/profile-emptied-seen-in-event-history.json');

async function diagnosisOf(scenario: Scenario, mode?: 'full' | 'gaps') {
  const account = new SimulatedAccount(scenario);
  const intake = await intakeStep({ workflow: new RecordingWorkflow(), logger: pino({ level: 'silent' }), clock: account.clock, scope: scenario.config.scope }, scenario.events.map((body, i) => ({ id: String(i), body })));
  const incident = intake.started[0]!.incident;
  expect(incident.recentChanges, 'the intake delivered no change').toEqual([]);
  return { account, diagnosis: await diagnose(account.ports, incident, scenario.config, mode ? { eventHistory: mode } : {}) };
}

function withFaults(scenario: Scenario, faults: Scenario['physics']['faults']): Scenario {
  return { ...scenario, physics: { ...scenario.physics, faults } };
}

describe('recent changes from the CloudTrail event history', () => {
  it('repairs an empty profile with the role the event history shows was removed from it, naming who removed it', async () => {
    const scenario = loadScenarioFile(FILE);
    const { account, diagnosis } = await diagnosisOf(scenario);
    expect(diagnosis.cause).toBe('profile-without-role');
    expect(diagnosis.plan).toEqual([expect.objectContaining({ type: 'add-role-to-profile', target: 'etl-runner', params: { roleName: 'etl-worker' } })]);
    const history = diagnosis.evidence.filter((e) => e.kind === 'event history').map((e) => e.summary);
    expect(history).toContain('cleanup-bot called RemoveRoleFromInstanceProfile on etl-runner (roleName etl-worker) at 2026-10-18T09:12:44Z');
    // The history suggests; the opt-in tag on the role is what authorizes it.
    expect(diagnosis.evidence.find((e) => e.kind === 'authorization')?.summary).toMatch(/suggested by the role CloudTrail shows was removed from the profile.*authorized by tag iam-autoheal=on on role etl-worker/);
    expect(account.calls.filter((c) => c.api === 'LookupEvents').map((c) => c.outcome)).toEqual(['ok']);

    const report = await runScenario(scenario);
    expect(report.incidents.map((i) => [i.cause, i.status, i.actions.map((a) => `${a.type} ${a.target} ${a.result}`)])).toEqual([['profile-without-role', 'fixed', ['add-role-to-profile etl-runner done']]]);
    const after = report.account as ReturnType<SimulatedAccount['snapshot']>;
    expect(after.instanceProfiles?.find((p) => p.name === 'etl-runner')?.roles).toEqual(['etl-worker']);
  });

  it('never hands out the removed role on the history’s word alone: without authority the incident is escalated', async () => {
    const scenario = loadScenarioFile(FILE);
    scenario.account.roles[0]!.tags = {};
    const report = await runScenario(scenario);
    expect(report.incidents[0]).toMatchObject({ cause: 'profile-without-role', status: 'escalated' });
    expect(report.incidents[0]!.reason).toMatch(/only suggested .*nothing an IAM administrator controls authorizes it/);
    expect(report.api.iamWrites).toBe(0);
  });

  it('reports a LookupEvents failure (access denied, throttling) in the evidence and diagnoses without it', async () => {
    for (const error of ['AccessDeniedException', 'ThrottlingException']) {
      const scenario = withFaults(loadScenarioFile(FILE), [{ api: 'LookupEvents', error, times: 5, message: error === 'AccessDeniedException' ? 'User is not authorized to perform: cloudtrail:LookupEvents' : 'Rate exceeded' }]);
      const { diagnosis } = await diagnosisOf(scenario);
      expect(diagnosis.cause, error).toBe('profile-without-role');
      expect(diagnosis.summary).toMatch(/no role for it is known/);
      expect(diagnosis.plan).toEqual([]);
      const failure = diagnosis.evidence.find((e) => e.kind === 'event history')?.summary;
      expect(failure).toMatch(new RegExp(`LookupEvents ResourceName=etl-runner \\(global region\\) failed: ${error === 'ThrottlingException' ? 'Throttling' : 'AwsCallError: AccessDenied'}`));
      // A throttled history is not the incident's throttling: the cause stays what the account shows.
      expect(diagnosis.evidence.some((e) => e.kind === 'throttling')).toBe(false);

      const report = await runScenario(scenario);
      expect(report.incidents.map((i) => i.status), 'the incident is not lost').toEqual(['escalated']);
    }
  });

  it('retries a throttled LookupEvents with backoff: twice throttled, the removed role is still found', async () => {
    const scenario = withFaults(loadScenarioFile(FILE), [{ api: 'LookupEvents', error: 'ThrottlingException', times: 2, message: 'Rate exceeded' }]);
    const { account, diagnosis } = await diagnosisOf(scenario);
    expect(diagnosis.cause).toBe('profile-without-role');
    expect(diagnosis.plan).toEqual([expect.objectContaining({ type: 'add-role-to-profile', target: 'etl-runner', params: { roleName: 'etl-worker' } })]);
    expect(account.calls.filter((c) => c.api === 'LookupEvents').map((c) => c.outcome)).toEqual(['fault:ThrottlingException', 'fault:ThrottlingException', 'ok']);
  });

  it('reads the role, profile and instance histories when no change was delivered at all (diagnose, the sweep), within bounds', async () => {
    const scenario = loadScenarioFile(FILE);
    scenario.physics.apiRates = { cloudtrail: 10 };
    const { account, diagnosis } = await diagnosisOf(scenario, 'full');
    const lookups = account.calls.filter((c) => c.api === 'LookupEvents');
    expect(lookups.length).toBeGreaterThanOrEqual(2);
    expect(lookups.length).toBeLessThanOrEqual(8);
    const read = diagnosis.evidence.find((e) => e.kind === 'event history' && /→/.test(e.summary))!.summary;
    expect(read).toMatch(/ResourceName=etl-runner, ResourceName=i-02f6d777f288ed57e → 1 change\(s\)/);
  });
});
