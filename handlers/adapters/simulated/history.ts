/**
 * A value with its past: every write is kept with the virtual time it happened, so the account can
 * answer "what is it now" (reads) and "what had propagated by then" (evaluation, EC2, credentials).
 */
export class History<T> {
  private readonly entries: Array<{ at: number; value: T | undefined }>;

  /** `changedAt`: the value was written then, and `before` (by default nothing) was what stood earlier. */
  constructor(initial: T | undefined, changedAt?: number, before?: T) {
    this.entries = changedAt === undefined ? [{ at: -Infinity, value: initial }] : [{ at: -Infinity, value: before }, { at: changedAt, value: initial }];
  }

  /** The value the last write replaced. */
  previous(): T | undefined {
    return this.entries.length > 1 ? this.entries[this.entries.length - 2]!.value : undefined;
  }

  latest(): T | undefined {
    return this.entries[this.entries.length - 1]!.value;
  }

  /** Time of the last write, null when the value has been there since before the scenario. */
  latestAt(): number | null {
    const at = this.entries[this.entries.length - 1]!.at;
    return Number.isFinite(at) ? at : null;
  }

  /** The value as it stood at `ms` (the latest write at or before it). */
  asOf(ms: number): T | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]!.at <= ms) return this.entries[i]!.value;
    }
    return undefined;
  }

  set(at: number, value: T | undefined): void {
    this.entries.push({ at, value });
    // A clock set backwards must not reorder the past.
    if (this.entries.length > 1 && this.entries[this.entries.length - 2]!.at > at) this.entries.sort((a, b) => a.at - b.at);
  }
}
