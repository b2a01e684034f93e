/**
 * The propagation schedule of the Verify loop, and the Step Functions limits the configuration must keep it within.
 * Pure: the Verify step, the guard step (first wait) and the configuration's bounds (synth and cold start) share it.
 */

/** Each wait is this many times the last: overshoots a propagation by at most ~1.2× while few Verify calls are spent. */
export const WAIT_GROWTH = 1.5;

/** Step Functions quotas of a Standard workflow (Service Quotas: history events per execution, execution time, the input or output of a state). */
export const STEP_FUNCTIONS_LIMITS = { historyEvents: 25_000, executionSeconds: 365 * 86_400, stateKiB: 256 } as const;

/** History events one Verify round adds: the Wait state (2), the Verify task (5: entered, scheduled, started, succeeded, exited), IsVerified (2). */
export const HISTORY_EVENTS_PER_VERIFY_ROUND = 9;

/** At most this many Verify rounds per execution: 4,500 of the 25,000 history events, the rest for every other state. */
export const MAX_VERIFY_ROUNDS = 500;

/** The propagation settings the schedule reads (config `propagation`). */
export interface PropagationSettings {
  firstWaitSeconds: number;
  maxWaitSeconds: number;
  budgetSeconds: number;
}

export interface WaitPlan {
  seconds: number;
  elapsedSeconds: number;
}

/** The first wait after the changes: whole seconds (a Wait state's SecondsPath takes only integers), at least 1. */
export function firstWait(propagation: PropagationSettings): WaitPlan {
  return { seconds: Math.max(1, Math.ceil(propagation.firstWaitSeconds)), elapsedSeconds: 0 };
}

/**
 * The one place the propagation schedule lives: waits grow ×1.5 (2, 3, 4, 6, 9, then the 10 s cap), capped per
 * wait and by the total budget; whole seconds, because a Wait state's SecondsPath takes only integers.
 */
export function nextWait(waited: WaitPlan, propagation: PropagationSettings): { wait: WaitPlan; exhausted: boolean } {
  const elapsedSeconds = waited.elapsedSeconds + waited.seconds;
  const remaining = Math.floor(propagation.budgetSeconds - elapsedSeconds);
  const grown = Math.max(waited.seconds + 1, Math.floor(waited.seconds * WAIT_GROWTH));
  const seconds = Math.min(grown, Math.ceil(propagation.maxWaitSeconds), Math.max(0, remaining));
  return { wait: { seconds, elapsedSeconds }, exhausted: seconds <= 0 };
}

/** How many Verify rounds an incident that never verifies takes before the budget is spent (counting stops past `limit`). */
export function verifyRounds(propagation: PropagationSettings, limit = MAX_VERIFY_ROUNDS): number {
  let wait = firstWait(propagation);
  for (let rounds = 1; rounds <= limit; rounds++) {
    const next = nextWait(wait, propagation);
    if (next.exhausted) return rounds;
    wait = next.wait;
  }
  return limit + 1;
}
