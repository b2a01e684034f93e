/** The simulated account's time: it moves only when told, so waits cost nothing and runs repeat exactly. */
import type { Clock } from '../../core/ports.ts';

export class VirtualClock implements Clock {
  private ms: number;

  constructor(start: Date) {
    this.ms = start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  /** Milliseconds since the epoch, for arithmetic without Date objects. */
  nowMs(): number {
    return this.ms;
  }

  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError(`the clock only moves forward (asked ${seconds} s)`);
    this.ms += seconds * 1000;
  }

  /** A wait costs nothing: the time moves on by as much. */
  async sleep(ms: number): Promise<void> {
    this.advance(ms / 1000);
  }

  set(date: Date): void {
    this.ms = date.getTime();
  }
}
