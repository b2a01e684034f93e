/** One read of the diagnosis: throttling and refusals become facts, transient errors go to the state machine's Retry. */
import { ThrottlingError, TransientAwsError } from '../ports.ts';
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
      if (err instanceof TransientAwsError) throw err;
      this.facts.readErrors.push(`${api}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }
}
