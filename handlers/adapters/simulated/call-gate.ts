/**
 * Every call to the simulated account passes this gate: a token bucket per API family on the virtual
 * clock (AWS answers "Throttling: Rate exceeded" past the rate), the scenario's injected faults, the
 * counters of the report and the call log of the timeline.
 */
import { ThrottlingError } from '../../core/ports.ts';
import type { VirtualClock } from './clock.ts';
import { AwsWireError, LambdaCrash, defaultMessageFor, portErrorForCall } from './errors.ts';
import type { ApiFamily, Physics } from './scenario.ts';

export interface ApiCounters {
  reads: number;
  iamWrites: number;
  ec2Writes: number;
  throttled: number;
  faultsInjected: number;
}

export interface CallRecord {
  /** SDK operation name, e.g. AssociateIamInstanceProfile. */
  api: string;
  at: string;
  /** ok, throttled, fault:<code> (injected) or error:<code> (what AWS would answer). */
  outcome: string;
}

/** Calls per second per family when the scenario does not say: generous reads, IAM writes from physics. */
const DEFAULT_RATES: Record<ApiFamily, number> = { 'iam-read': 50, 'iam-write': 5, 'ec2-read': 100, 'ec2-write': 50, sts: 50, cloudtrail: 2 };

class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(private readonly ratePerSecond: number, startMs: number) {
    this.tokens = this.capacity;
    this.lastMs = startMs;
  }

  /** One second's worth of calls may come at once, as AWS allows short bursts. */
  private get capacity(): number {
    return Math.max(1, this.ratePerSecond);
  }

  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.lastMs) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSecond);
    this.lastMs = Math.max(this.lastMs, nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A crash of the calling Lambda around one SDK operation: before the call reaches AWS, or after AWS carried it out. */
export interface CrashInjection {
  api: string;
  when: 'before' | 'after';
  times: number;
}

/** What CloudTrail records of a write that AWS carried out: its request and response, as the record holds them. */
export interface TrailEntry {
  request: Record<string, unknown>;
  response?: Record<string, unknown> | null;
}
export type TrailRecorder = (api: string, family: ApiFamily, entry: TrailEntry) => void;

export class CallGate {
  readonly counters: ApiCounters = { reads: 0, iamWrites: 0, ec2Writes: 0, throttled: 0, faultsInjected: 0 };
  readonly calls: CallRecord[] = [];
  private readonly buckets: Map<ApiFamily, TokenBucket>;
  private readonly faults: Array<{ api: string; error: string; message?: string; remaining: number }>;
  private readonly crashes: CrashInjection[] = [];
  /** The invocation crashed: every further call of it fails, until the next invocation (`revive`). */
  crashed = false;
  /** Told of every write AWS carried out (the simulated CloudTrail event history). */
  recorder: TrailRecorder | null = null;

  constructor(physics: Physics, private readonly clock: VirtualClock) {
    const rates: Record<ApiFamily, number> = { ...DEFAULT_RATES, 'iam-write': physics.iamWritesPerSecond, ...physics.apiRates };
    this.buckets = new Map(Object.entries(rates).map(([family, rate]) => [family as ApiFamily, new TokenBucket(rate, clock.nowMs())]));
    this.faults = physics.faults.map((f) => ({ api: f.api, error: f.error, message: f.message, remaining: f.times }));
  }

  injectCrash(crash: CrashInjection): void {
    this.crashes.push({ ...crash });
  }

  /** Dies here if a crash is due at this point of this operation. */
  private crashPoint(api: string, when: CrashInjection['when']): void {
    if (this.crashed) throw new LambdaCrash('the invocation has crashed');
    const crash = this.crashes.find((c) => c.api === api && c.when === when && c.times > 0);
    if (!crash) return;
    crash.times -= 1;
    this.crashed = true;
    this.calls.push({ api, at: this.clock.now().toISOString(), outcome: `crash:${when}` });
    throw new LambdaCrash(`the Lambda crashed ${when} ${api}`);
  }

  /**
   * Runs one AWS call: throttle, then injected fault, then the call itself; counts what passed. `trail` says what
   * CloudTrail records of a write once it is carried out (a crash after it does not take the record back).
   */
  async call<T>(api: string, family: ApiFamily, body: () => T | Promise<T>, readsCounted = 1, trail?: (result: T) => TrailEntry): Promise<T> {
    this.crashPoint(api, 'before');
    const at = this.clock.now().toISOString();
    if (!this.buckets.get(family)!.take(this.clock.nowMs())) {
      this.counters.throttled += 1;
      this.calls.push({ api, at, outcome: 'throttled' });
      throw new ThrottlingError('Throttling: Rate exceeded');
    }
    const fault = this.faults.find((f) => f.api === api && f.remaining > 0);
    if (fault) {
      fault.remaining -= 1;
      this.counters.faultsInjected += 1;
      const error = portErrorForCall(api, { code: fault.error, message: fault.message ?? defaultMessageFor(fault.error) });
      if (error instanceof ThrottlingError) this.counters.throttled += 1;
      this.calls.push({ api, at, outcome: `fault:${fault.error}` });
      throw error;
    }
    try {
      const result = await body();
      this.count(family, readsCounted);
      this.calls.push({ api, at, outcome: 'ok' });
      if (trail && this.recorder) this.recorder(api, family, trail(result));
      this.crashPoint(api, 'after');
      return result;
    } catch (err) {
      if (!(err instanceof AwsWireError)) throw err; // a bug, not an AWS answer
      this.calls.push({ api, at, outcome: `error:${err.code}` });
      throw portErrorForCall(api, err);
    }
  }

  private count(family: ApiFamily, reads: number): void {
    if (family === 'iam-write') this.counters.iamWrites += 1;
    else if (family === 'ec2-write') this.counters.ec2Writes += 1;
    else this.counters.reads += reads;
  }
}
