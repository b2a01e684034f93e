/**
 * One read of the diagnosis. A throttled read is retried with bounded exponential backoff (below it, the SDK's own
 * retries); still throttled, it fails like a refusal: a fact (`readErrors`), so a read of the chain fails closed
 * (blind.ts) instead of making our own throttling look like the instance's. Transient errors, and anything that is
 * not an answer of AWS (a dying Lambda), go to the state machine's Retry.
 */
import { AwsCallError, NotFoundError, ThrottlingError, type Clock } from '../ports.ts';
import type { Facts } from './facts.ts';

/** Attempts of one throttled read, and the wait before each retry (200 ms, 400 ms, 800 ms: at most 1.4 s per read). */
export const READ_ATTEMPTS = 4;
export const readBackoffMs = (retry: number): number => 200 * 2 ** (retry - 1);

export type ReadOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs `call`, retrying a throttle with the backoff above (READ_ATTEMPTS in all); the last throttle is thrown. */
export async function retryThrottled<T>(call: () => Promise<T>, clock: Pick<Clock, 'sleep'> | undefined, onThrottle?: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ThrottlingError)) throw err;
      onThrottle?.();
      if (attempt >= READ_ATTEMPTS) throw err;
      await clock?.sleep?.(readBackoffMs(attempt));
    }
  }
}

export class Reader {
  constructor(private readonly facts: Facts, private readonly clock?: Pick<Clock, 'sleep'>) {}

  /** Runs one read; failures (throttled past the retries, refused) become facts, transient errors go to the state machine's Retry. */
  async read<T>(api: string, call: () => Promise<T>): Promise<T | undefined> {
    const outcome = await this.attempt(api, call);
    return outcome.ok ? outcome.value : undefined;
  }

  /** Like `read`, with the error a failed read was recorded with. */
  async attempt<T>(api: string, call: () => Promise<T>): Promise<ReadOutcome<T>> {
    const throttled = () => {
      this.facts.throttling.count += 1;
      if (!this.facts.throttling.apis.includes(api)) this.facts.throttling.apis.push(api);
    };
    try {
      return { ok: true, value: await retryThrottled(call, this.clock, throttled) };
    } catch (err) {
      // Transient errors go to the Retry; anything that is not an AWS answer (a bug, a dying Lambda) fails the step.
      if (!(err instanceof ThrottlingError || err instanceof AwsCallError || err instanceof NotFoundError)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const error = err instanceof ThrottlingError ? `still throttled after ${READ_ATTEMPTS} attempts (${message})` : message;
      this.facts.readErrors.push(`${api}: ${error}`);
      return { ok: false, error };
    }
  }
}
