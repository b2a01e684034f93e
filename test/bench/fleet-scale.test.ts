/** The fleet scale section: one scale-out incident through the real workflow, measured against the Step Functions limits. */
import { describe, expect, it } from 'vitest';
import { measureFleetScale, STEP_FUNCTIONS_LIMITS } from '../../handlers/bench/fleet-scale.ts';

describe('bench fleet scale section', () => {
  it('fixes a scale-out in one incident and reports its largest state, history events and EC2 writes', async () => {
    const lines: string[] = [];
    const result = await measureFleetScale([6], (l) => lines.push(l));
    const [row] = result.rows;
    expect(row).toMatchObject({ instances: 6, incidents: 1, status: 'fixed', leftBroken: 0, approvals: 0 });
    // One association per instance plus the template fix (a new version and the default).
    expect(row!.ec2Writes).toBeGreaterThanOrEqual(6);
    expect(row!.ec2Writes).toBeLessThanOrEqual(8);
    // Every Task writes at least entered, scheduled, started, succeeded, exited: more events than transitions.
    expect(row!.historyEvents).toBeGreaterThan(2 * row!.stateTransitions);
    expect(row!.largestStateKiB).toBeGreaterThan(0);
    expect(row!.largestStateKiB).toBeLessThan(STEP_FUNCTIONS_LIMITS.stateKiB);
    expect(row!.simulatedSeconds).toBeGreaterThan(0);
    expect(result.met).toBe(true);
    expect(lines).toHaveLength(2);
  });
});
