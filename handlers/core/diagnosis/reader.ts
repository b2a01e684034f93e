/** One read of the diagnosis: throttling and refusals become facts, transient errors go to the state machine's Retry. */
import { AwsCallError, NotFoundError, ThrottlingError } from '../ports.ts';
import type { Facts } from './facts.ts';

export class Reader {
  constructor(private readonly facts: Facts) {}

  /** Runs one read; throttling and refusals become facts, transient errors go to the state machine's Retry. */
  async read<T>(api: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ThrottlingError) {
        this.facts.throttling.count += 1;
        if (!this.facts.throttling.apis.includes(api)) this.facts.throttling.apis.push(api);
        return undefined;
      }
      // Transient errors go to the Retry; anything that is not an AWS answer (a bug, a dying Lambda) fails the step.
      if (!(err instanceof AwsCallError || err instanceof NotFoundError)) throw err;
      this.facts.readErrors.push(`${api}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }
}
