import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../handlers/adapters/simulated/scenario.ts';
import { denialStormScenario, scaleOutScenario } from '../../handlers/bench/storm-scenarios.ts';
import { classify, extractRecords, incidentKey } from '../../handlers/core/events/index.ts';

function classifyAll(events: unknown[]) {
  return events.flatMap((e, i) => extractRecords(e, `event ${i}`)).map(classify);
}

describe('benchmark scenarios generated from real CloudTrail records', () => {
  it('a denial storm of 100 events from 20 instances is 100 EC2-delivered denials of one role with one incident key', () => {
    const json = denialStormScenario({ events: 100, instances: 20, windowSeconds: 10, propagationSeconds: 5 });
    const scenario = parseScenario(json, 'storm');
    const classified = classifyAll(scenario.events);

    expect(classified).toHaveLength(100);
    expect(classified.every((c) => c.kind === 'access-denied')).toBe(true);
    expect(classified.every((c) => c.principal.ec2RoleDelivery === '2.0')).toBe(true);
    expect(new Set(classified.map((c) => c.principal.instanceId)).size).toBe(20);
    expect(new Set(classified.map((c) => c.action)).size).toBeGreaterThan(1);
    expect(new Set(classified.map(incidentKey))).toEqual(new Set([incidentKey(classified[0]!)]));
    expect(new Set(classified.map((c) => c.eventId)).size).toBe(100);
  });

  it('the storm role has lost the policy its configuration declares', () => {
    const scenario = parseScenario(denialStormScenario({ events: 10, instances: 2, windowSeconds: 1, propagationSeconds: 5 }), 'storm');
    const declared = scenario.config.expectedPermissions[0]!.policyArns[0]!;
    const role = scenario.account.roles[0]!;
    expect(scenario.account.policies.map((p) => p.arn)).toContain(declared);
    expect(role.managedPolicies).not.toContain(declared);
    expect(scenario.config.modes['missing-permission']).toBe('auto');
  });

  it('a scale-out of 200 instances is 200 Auto Scaling launches without a profile, one incident key', () => {
    const scenario = parseScenario(scaleOutScenario({ instances: 200, windowSeconds: 60, propagationSeconds: 5 }), 'scale-out');
    const classified = classifyAll(scenario.events);

    expect(classified).toHaveLength(200);
    expect(classified.every((c) => c.kind === 'launch' && c.launch?.viaAutoScaling && c.launch.instanceProfile === null)).toBe(true);
    expect(new Set(classified.flatMap((c) => c.launch!.instanceIds)).size).toBe(200);
    expect(new Set(classified.map(incidentKey)).size).toBe(1);
    expect(scenario.account.launchTemplates[0]!.versions[0]!.iamInstanceProfile).toBeNull();
  });
});
