import { describe, expect, it } from 'vitest';
import { executionTimeoutSeconds, parseConfig, APPROVAL_WINDOWS_PER_EXECUTION } from '../../../handlers/core/config.ts';
import { firstWait, HISTORY_EVENTS_PER_VERIFY_ROUND, MAX_VERIFY_ROUNDS, nextWait, STEP_FUNCTIONS_LIMITS, verifyRounds } from '../../../handlers/core/propagation.ts';

/** The waits an incident that never verifies goes through, as the Verify loop makes them. */
function schedule(propagation: Parameters<typeof nextWait>[1]): number[] {
  const waits: number[] = [];
  let wait = firstWait(propagation);
  for (;;) {
    waits.push(wait.seconds);
    const next = nextWait(wait, propagation);
    if (next.exhausted) return waits;
    wait = next.wait;
  }
}

describe('the Verify loop is bounded by the configuration', () => {
  it('counts the rounds the loop really makes (defaults: 2, 3, 4, 6, 9, then 10 s up to 300 s)', () => {
    const defaults = parseConfig({}).propagation;
    const waits = schedule(defaults);
    expect(waits.slice(0, 6)).toEqual([2, 3, 4, 6, 9, 10]);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(300);
    expect(verifyRounds(defaults)).toBe(waits.length);
  });

  it('keeps the worst case within the history limit: the largest accepted budget stays under 500 rounds', () => {
    expect(MAX_VERIFY_ROUNDS * HISTORY_EVENTS_PER_VERIFY_ROUND).toBeLessThan(STEP_FUNCTIONS_LIMITS.historyEvents / 5);
    const accepted = parseConfig({ propagation: { firstWaitSeconds: 1, maxWaitSeconds: 1, budgetSeconds: MAX_VERIFY_ROUNDS } }).propagation;
    expect(schedule(accepted).length).toBeLessThanOrEqual(MAX_VERIFY_ROUNDS);
    expect(() => parseConfig({ propagation: { firstWaitSeconds: 1, maxWaitSeconds: 1, budgetSeconds: MAX_VERIFY_ROUNDS + 5 } }, 'config.json'))
      .toThrow(/^config\.json: propagation\.budgetSeconds: with firstWaitSeconds 1, maxWaitSeconds 1 and budgetSeconds 505 the Verify loop would run more than 500 rounds/);
    // A longer cap allows a longer budget for the same number of rounds.
    expect(() => parseConfig({ propagation: { maxWaitSeconds: 60, budgetSeconds: 20_000 } })).not.toThrow();
  });
});

describe('the execution timeout follows the configuration', () => {
  it('outlasts every approval window and Verify budget of the batches an execution may hold', () => {
    for (const approvalTimeoutSeconds of [3600, 86_400, 14 * 86_400]) {
      const config = parseConfig({ approvalTimeoutSeconds });
      expect(executionTimeoutSeconds(config)).toBeGreaterThan(APPROVAL_WINDOWS_PER_EXECUTION * (approvalTimeoutSeconds + config.propagation.budgetSeconds));
      expect(executionTimeoutSeconds(config)).toBeLessThanOrEqual(STEP_FUNCTIONS_LIMITS.executionSeconds);
    }
  });

  it('refuses an approval window that would need an execution longer than Step Functions allows (a year)', () => {
    expect(() => parseConfig({ approvalTimeoutSeconds: 60 * 86_400 }, 'config.json')).toThrow(/^config\.json: approvalTimeoutSeconds: at most 3941250 with propagation\.budgetSeconds 300/);
    const longest = parseConfig({ approvalTimeoutSeconds: 3_941_250 });
    expect(executionTimeoutSeconds(longest)).toBeLessThanOrEqual(STEP_FUNCTIONS_LIMITS.executionSeconds);
  });
});
