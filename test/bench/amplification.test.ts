import { describe, expect, it } from 'vitest';
import { measureDenialStorm, measureScaleOut } from '../../handlers/bench/amplification.ts';

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

  it('a scale-out of 20 instances from a template without a profile is one incident with at most one EC2 write per instance plus the template fix', async () => {
    const row = await measureScaleOut(20);

    expect(row.incidents).toBe(1);
    expect(row.executions).toBe(1);
    expect(row.iamWrites).toBe(0);
    expect(row.ec2Writes).toBeGreaterThan(0);
    expect(row.ec2Writes).toBeLessThanOrEqual(20 + 2);
    expect(row.leftBroken).toBe(0);
  });
});
