/**
 * Decided again after the approval wait (issue 17 item 4): an approval holds only for the plan the approver saw.
 * The account is changed by a person while the request waits; the workflow diagnoses and guards again before Apply.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../handlers/adapters/simulated/index.ts';
import { accountAfterRun } from '../../handlers/cli/replay.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
import type { Scenario } from '../../handlers/adapters/simulated/index.ts';

const scenario = (name: string): Scenario => loadScenarioFile(new URL(`../../scenarios/${name}.json`, import.meta.url).pathname);

function serviceWrites(report: Awaited<ReturnType<typeof runScenario>>): number {
  return report.api.iamWrites + report.api.ec2Writes;
}

describe('an approval is applied only to the plan it approved', () => {
  it('the role was made an administrator while waiting: escalated with what changed, the empty profile left empty', async () => {
    const s = scenario('approval-role-made-privileged-meanwhile');
    const report = await runScenario(s);
    const [incident] = report.incidents;
    expect(incident).toMatchObject({ status: 'escalated', cause: 'profile-without-role', actions: [] });
    expect(incident!.reason).toMatch(/changed while waiting for the approval/);
    expect(incident!.reason).toMatch(/privileged/);
    expect(serviceWrites(report)).toBe(0);
    const after = accountAfterRun(s, report).snapshot();
    expect(after.instanceProfiles!.find((p) => p.name === 'etl-runner')!.roles).toEqual([]);
    const steps = report.timeline.map((e) => e.step);
    expect(steps).toContain('Rediagnose');
    expect(steps).not.toContain('ApplyAction');
  });

  it('a person fixed it while waiting: verified, nothing written by the service', async () => {
    const s = scenario('approval-fixed-meanwhile');
    const report = await runScenario(s);
    expect(report.incidents[0]).toMatchObject({ status: 'verified-no-change', actions: [] });
    expect(serviceWrites(report)).toBe(0);
    const after = accountAfterRun(s, report).snapshot();
    expect(after.instanceProfiles!.find((p) => p.name === 'etl-runner')!.roles).toEqual(['etl-runner']);
  });

  it('an unchanged account: the approved plan is applied once, after deciding again', async () => {
    const report = await runScenario(scenario('profile-without-role'));
    expect(report.incidents[0]).toMatchObject({ status: 'fixed', actions: [expect.objectContaining({ type: 'add-role-to-profile', result: 'done' })] });
    const steps = report.timeline.map((e) => e.step);
    expect(steps.indexOf('Reguard')).toBeGreaterThan(steps.indexOf('RequestApproval'));
    expect(steps.indexOf('ApplyAction')).toBeGreaterThan(steps.indexOf('Reguard'));
  });

  it('a scenario may not script a call the account does not have', async () => {
    const s = scenario('approval-fixed-meanwhile');
    const approvals = [{ ...(s.approvals as Exclude<Scenario['approvals'], string>)[0]!, meanwhile: [{ by: 'jo', call: 'iam.noSuchCall', args: [] }] }];
    const report = await runScenario({ ...s, approvals });
    expect(report.incidents[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/iam.noSuchCall is not a call of the simulated account/) });
  });
});
