import { describe, expect, it } from 'vitest';
import { intakeInSqsBatches, measureDenialStorm, measureScaleOut } from '../../handlers/bench/amplification.ts';
import { denialStormScenario } from '../../handlers/bench/storm-scenarios.ts';

// Counts only: the simulated run is deterministic, wall time is not asserted.
describe('storm amplification through the real workflow', () => {
  it('100 denials from 20 instances of one role become 1 incident, 1 execution and 1 IAM write', async () => {
    const row = await measureDenialStorm(100);

    expect(row.inputs.instances).toBe(20);
    expect(row.incidents).toBe(1);
    expect(row.executions).toBe(1);
    expect(row.iamWrites).toBe(1);
    expect(row.ec2Writes).toBe(0);
    expect(row.causes).toEqual(['missing-permission']);
    expect(row.statuses).toEqual(['fixed']);
    expect(row.met).toBe(true);
  });

  it('a storm of 1,000 denials in SQS batches of 100 starts one execution; the other nine starts are no-ops', async () => {
    const { events } = denialStormScenario({ events: 1000, instances: 200, windowSeconds: 10, propagationSeconds: 5 });
    const sqs = await intakeInSqsBatches(events, 100);

    expect(sqs.batches).toBe(10);
    expect(sqs.startExecutionCalls).toBe(10);
    expect(sqs.executionsStarted).toBe(1);
    expect(sqs.duplicateStarts).toBe(9);
  });

  it('a scale-out of 200 instances from a template without a profile is one incident, every instance fixed, at most one EC2 write per instance plus the template fix', async () => {
    const row = await measureScaleOut(200);

    expect(row.incidents).toBe(1);
    expect(row.executions).toBe(1);
    expect(row.iamWrites).toBe(0);
    expect(row.ec2Writes).toBeGreaterThan(0);
    expect(row.ec2Writes).toBeLessThanOrEqual(200 + 2);
    expect(row.leftBroken).toBe(0);
    // Through SQS in two batches: the second batch's 100 instances are not in the first execution's incident,
    // so they get one follow-up execution instead of waiting for the sweep; nothing else starts.
    expect(row.sqs).toMatchObject({ batches: 2, executionsStarted: 2, followUps: 1 });
    expect(row.met).toBe(true);
  });
});
