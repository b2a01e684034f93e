/**
 * An in-process AWS account for tests, `simulate`, `demo` and `bench`: the same ports as the real
 * adapters, IAM evaluated by a real evaluator, eventual consistency and throttling on a virtual clock.
 * Never bundled into a Lambda (the evaluator is AGPL and a devDependency).
 */
import type { AccountPorts, NotifierPort, SimulationDecision } from '../../core/ports.ts';
import { SimulatedAutoScaling } from './autoscaling.ts';
import { SimulatedCloudTrail, userIdentity } from './cloudtrail.ts';
import { CallGate, type ApiCounters, type CallRecord, type CrashInjection } from './call-gate.ts';
import { VirtualClock } from './clock.ts';
import { credentialsAt, type HeldCredentials } from './credentials.ts';
import { LambdaCrash } from './errors.ts';
import { SimulatedEc2 } from './ec2.ts';
import { EffectiveIam } from './effective.ts';
import { SimulatedIam } from './iam.ts';
import { scenarioStartTime, type Scenario, type ScenarioAccountInput } from './scenario.ts';
import { AccountState } from './state.ts';
import { SimulatedSts } from './sts.ts';

export { ScenarioError, loadScenarioFile, parseScenario, scenarioStartTime, type Scenario } from './scenario.ts';
export type { ApiCounters, CallRecord, CrashInjection } from './call-gate.ts';
export { LambdaCrash } from './errors.ts';
export { serviceIdentity, userIdentity } from './cloudtrail.ts';
export { VirtualClock } from './clock.ts';

/** What an instance would experience calling AWS right now. */
export interface InstanceCallOutcome {
  allowed: boolean;
  reason: string;
  /** Role whose credentials the instance holds (null: none). */
  role: string | null;
  decision: SimulationDecision | null;
}

export interface PublishedMessage {
  messageId: string;
  subject: string;
  /** The Chatbot JSON every subscriber gets. */
  body: string;
  /** The plain text email subscribers get instead, when given. */
  email?: string;
  attributes?: Record<string, string>;
  at: string;
}

/** A NotifierPort that keeps what was published, both forms, for timelines and tests. */
export class RecordingNotifier implements NotifierPort {
  readonly messages: PublishedMessage[] = [];

  constructor(private readonly clock: VirtualClock) {}

  async publish(message: { subject: string; body: string; email?: string; attributes?: Record<string, string> }): Promise<{ messageId: string }> {
    const messageId = `msg-${String(this.messages.length + 1).padStart(6, '0')}`;
    this.messages.push({ messageId, ...message, at: this.clock.now().toISOString() });
    return { messageId };
  }
}

export class SimulatedAccount {
  readonly clock: VirtualClock;
  readonly ports: AccountPorts;
  readonly notifier: RecordingNotifier;
  readonly startTime: Date;
  private readonly state: AccountState;
  private readonly effective: EffectiveIam;
  private readonly gate: CallGate;
  /** The account's CloudTrail event history (also `ports.cloudTrail`). */
  readonly cloudTrail: SimulatedCloudTrail;

  constructor(readonly scenario: Scenario) {
    this.startTime = scenarioStartTime(scenario);
    this.clock = new VirtualClock(this.startTime);
    this.state = new AccountState(scenario.account, this.startTime.getTime());
    this.effective = new EffectiveIam(this.state, scenario.physics.propagationSeconds);
    this.gate = new CallGate(scenario.physics, this.clock);
    this.notifier = new RecordingNotifier(this.clock);
    this.cloudTrail = new SimulatedCloudTrail(this.gate, this.clock, this.state, scenario.physics.eventHistorySeconds, [...scenario.events, ...scenario.account.eventHistory]);
    this.ports = {
      accountId: this.state.accountId,
      region: this.state.region,
      iam: new SimulatedIam(this.state, this.effective, this.gate, this.clock),
      ec2: new SimulatedEc2(this.state, this.effective, this.gate, this.clock, scenario.physics),
      autoScaling: new SimulatedAutoScaling(this.state, this.gate, this.clock),
      sts: new SimulatedSts(this.state, this.gate),
      cloudTrail: this.cloudTrail,
      clock: this.clock,
    };
  }

  /**
   * Runs `change` as an IAM user of the account (a person at the console), so that CloudTrail records them, not
   * the service; e.g. a later change that an undo must not overwrite.
   */
  async asUser<T>(userName: string, change: (ports: AccountPorts) => Promise<T>): Promise<T> {
    const previous = this.cloudTrail.caller;
    // The counters are the service's calls (the report's writes and reads): a person's are only in CloudTrail.
    const counted = { ...this.gate.counters };
    this.cloudTrail.caller = userIdentity(this.state.accountId, this.state.partition, userName);
    try {
      return await change(this.ports);
    } finally {
      this.cloudTrail.caller = previous;
      Object.assign(this.gate.counters, counted);
    }
  }

  /** Calls that passed, by kind; calls refused by throttling; injected faults. */
  get counters(): Readonly<ApiCounters> {
    return this.gate.counters;
  }

  /** The Lambda calling `api` will crash before the call reaches AWS or after AWS carried it out (`times` times). */
  injectCrash(crash: CrashInjection): void {
    this.gate.injectCrash(crash);
  }

  /** Whether the current invocation has crashed (its further calls fail). */
  get crashed(): boolean {
    return this.gate.crashed;
  }

  /** The current invocation dies now (a crash injected outside the account, e.g. after an audit write). */
  crashNow(where: string): never {
    this.gate.crashed = true;
    throw new LambdaCrash(`the Lambda crashed ${where}`);
  }

  /** A new Lambda invocation begins: a crashed one's successor runs normally. */
  revive(): void {
    this.gate.crashed = false;
  }

  /** Every call in order: SDK operation name, virtual time, outcome. */
  get calls(): readonly CallRecord[] {
    return this.gate.calls;
  }

  /** The current state in the scenario's account shape (`account` of `simulate --json`). */
  snapshot(): ScenarioAccountInput {
    return structuredClone(this.state.snapshot(this.clock.nowMs()));
  }

  /** The role whose credentials the instance holds now, and why (none, not delivered yet, trust…). */
  async instanceCredentials(instanceId: string): Promise<{ held: HeldCredentials | null; reason: string }> {
    const instance = this.state.instances.get(instanceId);
    if (!instance) return { held: null, reason: `instance ${instanceId} does not exist` };
    return credentialsAt(this.state, this.effective, this.scenario.physics, instance, this.clock.nowMs());
  }

  /**
   * Whether the instance's call would succeed now: its association and the credentials it holds, the
   * trust EC2 needs, and the policies IAM enforces (propagated state, resource policy, SCPs). Not counted as an API call.
   */
  async instanceCanCall(instanceId: string, action: string, resource = '*', context: Record<string, string | string[]> = {}): Promise<InstanceCallOutcome> {
    const instance = this.state.instances.get(instanceId);
    if (!instance) return { allowed: false, reason: `instance ${instanceId} does not exist`, role: null, decision: null };
    const state = this.state.instanceStateAt(instance, this.clock.nowMs());
    if (state !== 'running') return { allowed: false, reason: `instance ${instanceId} is ${state}`, role: null, decision: null };
    const credentials = await this.instanceCredentials(instanceId);
    if (!credentials.held) return { allowed: false, reason: credentials.reason, role: null, decision: null };
    const roleName = credentials.held.roleName;
    const evaluation = await this.effective.evaluate({ roleName, action, resource, context, withResourcePolicy: true, instanceId }, this.clock.nowMs());
    return { allowed: evaluation.decision === 'allowed', reason: `role ${roleName}: ${evaluation.reason}`, role: roleName, decision: evaluation.decision };
  }
}
