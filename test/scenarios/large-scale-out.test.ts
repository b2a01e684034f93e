/**
 * A scale-out of 200 instances from a launch template without a profile: every instance is fixed in one execution.
 * Beyond the 200 planned per batch, the instances left go back to Diagnose as the next batch.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, SimulatedAccount } from '../../handlers/adapters/simulated/index.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';

const BASE = 'scenarios/launch-template-without-profile.json';
const SCALE = 200;

/** The built-in launch-template scenario, its first launch repeated for `size` new instances. */
function scaleOut(size = SCALE): { scenario: ReturnType<typeof parseScenario>; ids: string[]; templateId: string } {
  const json = JSON.parse(readFileSync(BASE, 'utf8'));
  const launch = json.events[0];
  const launchedId: string = launch.responseElements.instancesSet.items[0].instanceId;
  const template = json.account.instances.find((i: { id: string }) => i.id === launchedId);
  const ids = Array.from({ length: size }, (_, n) => `i-0${String(n).padStart(16, '0')}`);
  json.events = ids.map((id, n) => {
    const event = structuredClone(launch);
    event.eventID = `${launch.eventID.slice(0, -4)}${n.toString(16).padStart(4, '0')}`;
    event.responseElements.instancesSet.items[0].instanceId = id;
    return event;
  });
  json.account.instances = [
    ...json.account.instances.filter((i: { launchTemplate: { version: string } | null }) => i.launchTemplate?.version !== '3'),
    ...ids.map((id) => ({ ...structuredClone(template), id })),
  ];
  json.config.modes = { 'stale-launch-template': 'auto' };
  return { scenario: parseScenario(json, BASE), ids, templateId: json.account.launchTemplates[0].id };
}

describe('a scale-out of 200 instances from a template without a profile', () => {
  it('ends with the template fixed and all 200 instances associated, in one execution with bounded reads and state', async () => {
    const { scenario, ids, templateId } = scaleOut();
    const simulated = new SimulatedAccount(scenario);
    const report = await runScenario(scenario, { account: simulated });
    expect(report.incidents).toHaveLength(1);
    const [incident] = report.incidents;
    expect({ cause: incident!.cause, status: incident!.status, reason: incident!.reason, events: incident!.events }).toMatchObject({ cause: 'stale-launch-template', status: 'fixed', events: SCALE });
    expect(incident!.actions.filter((a) => a.type === 'associate-profile' && a.result === 'done').map((a) => a.target).sort()).toEqual([...ids].sort());
    const account = report.account as { instances: Array<{ id: string; instanceProfile: string | null }>; launchTemplates: Array<{ id: string; defaultVersion: number; versions: Array<{ number: number; iamInstanceProfile: unknown }> }> };
    expect(account.instances.filter((i) => ids.includes(i.id) && i.instanceProfile === 'web-frontend')).toHaveLength(SCALE);
    const lt = account.launchTemplates.find((t) => t.id === templateId)!;
    expect(lt.versions.find((v) => v.number === lt.defaultVersion)?.iamInstanceProfile).toBeTruthy();
    // Diagnosis and verification read all 200 in one batched call each; each association made checks its own instance first.
    const calls = (api: string) => simulated.calls.filter((c) => c.api === api && c.outcome === 'ok').length;
    expect(calls('DescribeInstances')).toBe(2);
    // (a few more when a throttled change is retried)
    expect(calls('DescribeIamInstanceProfileAssociations')).toBeLessThan(SCALE + 10);
    // Every state of the execution stays well within Step Functions' 256 KB (the plan is carried three times).
    expect(incident!.largestStateBytes).toBeGreaterThan(0);
    expect(incident!.largestStateBytes).toBeLessThan(200 * 1024);
    // One Apply per action: about two transitions each, far below the 25,000 history events of a Standard execution.
    expect(incident!.stateTransitions).toBeGreaterThan(2 * SCALE);
    expect(incident!.stateTransitions).toBeLessThan(1000);
  });
});

describe('a scale-out of 300 instances, beyond the 200 planned per batch', () => {
  it('ends fixed only with every instance associated: Diagnose takes the 100 left as a second batch', async () => {
    const { scenario, ids } = scaleOut(300);
    const report = await runScenario(scenario, { account: new SimulatedAccount(scenario) });
    expect(report.incidents).toHaveLength(1);
    const [incident] = report.incidents;
    expect({ status: incident!.status, reason: incident!.reason }).toMatchObject({ status: 'fixed' });
    const account = report.account as { instances: Array<{ id: string; instanceProfile: string | null }> };
    const withProfile = account.instances.filter((i) => ids.includes(i.id) && i.instanceProfile === 'web-frontend');
    expect(withProfile).toHaveLength(300);
    expect(incident!.largestStateBytes).toBeLessThan(200 * 1024);
  });
});
