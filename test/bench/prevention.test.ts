/** The prevention section: the same drift and scale-out, prevention on and off, on the real workflow. */
import { describe, expect, it } from 'vitest';
import { measurePrevention, PREVENTION_MODEL } from '../../handlers/bench/prevention.ts';

describe('bench prevention section', () => {
  it('with drift incidents the change is repaired before the scale-out (no denial); without, the scale-out is denied until the reactive fix', async () => {
    const lines: string[] = [];
    const result = await measurePrevention([4], (l) => lines.push(l));
    const [row] = result.rows;
    expect(row!.on).toMatchObject({ status: 'prevented', cause: 'missing-permission', denials: 0, secondsBroken: 0 });
    expect(row!.on.repairedAtSeconds!).toBeLessThan(PREVENTION_MODEL.scaleOutAfterSeconds);
    expect(row!.off).toMatchObject({ status: 'fixed', cause: 'missing-permission' });
    // The reactive fix comes after the first denials reach the queue: every instance is denied at least that long.
    expect(row!.off.secondsBroken).toBeGreaterThanOrEqual(PREVENTION_MODEL.deliverySeconds);
    expect(row!.off.denials).toBe(4 * Math.ceil(row!.off.secondsBroken / PREVENTION_MODEL.callIntervalSeconds));
    expect(row!.denialsAvoided).toBe(row!.off.denials);
    expect(result.met).toBe(true);
    expect(lines).toHaveLength(1);
  });
});
