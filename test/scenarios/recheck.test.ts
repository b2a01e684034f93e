/**
 * Decided again after the approval wait (issue 17 item 4): an approval holds only for the plan the approver saw.
 * The account is changed by a person while the request waits; the workflow diagnoses and guards again before Apply.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../handlers/adapters/simulated/index.ts';
import { accountAfterRun } from '../../handlers/cli/replay.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
import { parseScenario } from '../../handlers/adapters/simulated/index.ts';
import { scaleOutScenario } from '../../handlers/bench/storm-scenarios.ts';
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

  it('instances terminated while waiting: the approved plan less their changes is applied, nothing else', async () => {
    // Eight instances without a profile, approve mode; three are terminated (scale-in) before the answer comes.
    const json = scaleOutScenario({ instances: 8, windowSeconds: 60, propagationSeconds: 5 });
    json.config.modes = { 'stale-launch-template': 'approve', 'no-instance-profile': 'approve' };
    const launched = Date.parse(json.account.instances[0].launchTime);
    for (const instance of json.account.instances.slice(0, 3)) instance.terminatesAt = new Date(launched + 600_000).toISOString();
    json.approvals = [{ action: 'approve', afterSeconds: 1800 }];
    const report = await runScenario(parseScenario(json, 'scale-in while waiting'));
    const [incident] = report.incidents;
    expect(incident).toMatchObject({ status: 'fixed' });
    const associations = incident!.actions.filter((a) => a.type === 'associate-profile');
    // Only the five instances still there: the three gone ones are not even attempted.
    expect(associations.map((a) => a.result)).toEqual(['done', 'done', 'done', 'done', 'done']);
    const gone = new Set(json.account.instances.slice(0, 3).map((i: { id: string }) => i.id));
    expect(associations.some((a) => gone.has(a.target))).toBe(false);
    expect(report.api.ec2Writes).toBe(7);
  });

  it('a scenario may not script a call the account does not have', async () => {
    const s = scenario('approval-fixed-meanwhile');
    const approvals = [{ ...(s.approvals as Exclude<Scenario['approvals'], string>)[0]!, meanwhile: [{ by: 'jo', call: 'iam.noSuchCall', args: [] }] }];
    const report = await runScenario({ ...s, approvals });
    expect(report.incidents[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/iam.noSuchCall is not a call of the simulated account/) });
  });
});
