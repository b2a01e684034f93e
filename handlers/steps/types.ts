/**
 * The workflow's data: what each step receives and returns, and the state document that flows through
 * statemachines/remediate.asl.json (each step's output sits under its own key: $.diagnose, $.guard, …).
 */
import type { Logger } from 'pino';
import type { AccountPorts, ApprovalStorePort, ChangeBudgetPort, Clock, InstanceListPort, LockPort, NotifierPort } from '../core/ports.ts';
import type { AuditStore } from '../core/audit-record.ts';
import type { Config } from '../core/config.ts';
import type { WorkflowApprovalAnswer } from '../core/approval.ts';
import type { NotifiedDiagnosis } from '../core/notification.ts';
import type { ActionResult, CarriedApproval, Diagnosis, Evidence, GuardDecision, GuardVerdict, Incident, IncidentStatus, PlannedAction } from '../core/incident.ts';

/** Everything a step may touch, injected: AWS adapters in Lambda, the simulated account locally. */
export interface StepDeps {
  config: Config;
  /** Ports of the incident's account and region (the member account's role in a hub deployment). */
  portsFor(accountId: string, region: string): Promise<AccountPorts> | AccountPorts;
  audit: AuditStore;
  budget: ChangeBudgetPort;
  lock: LockPort;
  notifier: NotifierPort;
  clock: Clock;
  logger: Logger;
  /** The queue the Slack buttons send answers to (the `queue` variable of messages); null or absent without Slack. */
  answerQueueUrl?: string | null;
  /** A fleet's instance lists (Diagnose of a child execution reads its batch there); absent where no step needs them. */
  instanceLists?: InstanceListPort;
}

/** RequestApproval also keeps the task token server-side, under the approval id. */
export interface RequestApprovalDeps extends StepDeps {
  approvals: ApprovalStorePort;
}

/** $$.Execution.Name and $$.Execution.Id, passed by the state machine to every step. */
export interface ExecutionRef {
  name: string;
  id: string;
}

export interface WorkflowInput {
  incident: Incident;
}

export interface DiagnoseInput {
  incident: Incident;
  execution: ExecutionRef;
}
export interface DiagnoseOutput {
  diagnosis: Diagnosis;
  /** false: a cause no automation may change (explicit deny, SCP, …) → escalate. */
  fixable: boolean;
}

/** Propagation waits: the Wait state's seconds and how long the workflow has waited so far. */
export interface WaitPlan {
  seconds: number;
  elapsedSeconds: number;
}

export interface GuardInput {
  incident: Incident;
  diagnosis: Diagnosis;
  execution: ExecutionRef;
  /** After an approval: the actions the approver saw. The guard says whether the new decision is still exactly them. */
  approved?: PlannedAction[];
  /** After an approval: the answer (who, when, which request), carried to a fleet's later batches. */
  answer?: WorkflowApprovalAnswer;
}
/** Decided again after the approval wait: apply only while the plan is the one approved. */
export interface RecheckOutcome {
  verdict: GuardVerdict;
  unchanged: boolean;
  reason: string;
}
export interface GuardOutput {
  verdict: GuardVerdict;
  decision: GuardDecision;
  /** The allowed actions, in order: what Apply goes through one by one. */
  actions: PlannedAction[];
  hasActions: boolean;
  approvalTimeoutSeconds: number;
  wait: WaitPlan;
  /** Only with `approved` in the input. */
  recheck?: RecheckOutcome;
  /**
   * The person's approval this plan runs under (null: none): the answer just given (after the recheck), or an earlier
   * batch's approval of the same fleet incident that covers this batch.
   */
  approval: CarriedApproval | null;
}

export interface RequestApprovalInput {
  taskToken: string;
  incident: Incident;
  diagnosis: Diagnosis;
  decision: GuardDecision;
  approvalTimeoutSeconds: number;
  execution: ExecutionRef;
}
/** What the answer path sends back with SendTaskSuccess (handlers/core/answer.ts): never typed by a person. */
export interface ApprovalAnswer {
  approved: boolean;
  /** Who answered, as the platform authenticated it. */
  by: string;
  reason?: string;
  approvalId?: string;
  at?: string;
}

export interface ApplyProgress {
  /** Index of the next action to apply. */
  next: number;
  done: boolean;
  results: ActionResult[];
  writes: { iam: number; ec2: number };
}
export interface ApplyInput {
  incident: Incident;
  diagnosis: Diagnosis;
  actions: PlannedAction[];
  /** The person's approval the plan runs under ($.guard.approval; null or absent: none). */
  approval?: CarriedApproval | null;
  progress: ApplyProgress;
  execution: ExecutionRef;
}

export interface VerifyInput {
  incident: Incident;
  diagnosis: Diagnosis;
  /** The wait the state machine has just done before this verification. */
  wait: WaitPlan;
  /** The guard's `deferred`: changes left for a person, not expected fixed (absent before partial fixes existed). */
  deferred?: GuardDecision['deferred'];
  execution: ExecutionRef;
}
export interface VerifyOutput {
  verified: boolean;
  /** The wait budget is spent: stop looping. */
  exhausted: boolean;
  evidence: Evidence[];
  /** The next Wait (×1.5, bounded), with the total waited so far. */
  wait: WaitPlan;
  /** Instances of the incident beyond the planned batch that still have no profile: never reported fixed. */
  unplannedWithoutProfile?: number;
  /** The planned batch is verified and instances are left: Diagnose again with `nextInstanceIds` as the incident's. */
  nextBatch?: boolean;
  nextInstanceIds?: string[];
}

/** Which way the state machine left the main path (set by Pass states before Record). */
export type WorkflowRoute = 'escalate' | 'changed' | 'observe' | 'rejected' | 'expired' | 'verified' | 'unverified' | 'failed' | 'fleet';

/** A fleet incident's own execution: which child (batch) runs next, how many are left, and how the last one ended. */
export interface FleetProgress {
  /** Merged into the incident of the next child execution (States.JsonMerge). */
  cursor: { batch: { index: number }; fleetApproval: CarriedApproval | null };
  remaining: number;
  /** Child executions are named `<prefix>-b<index>` (prefix: the SHA-256 of this execution's name, which may be 80 characters). */
  prefix: string;
  /** The outcome of the last child (RunBatch's ResultSelector). */
  last?: { status: IncidentStatus; reason: string; fleetApproval: CarriedApproval | null };
}

/** The whole state document, as Record and Notify receive it. */
export interface WorkflowState {
  incident: Incident;
  diagnose?: DiagnoseOutput;
  guard?: GuardOutput;
  approval?: ApprovalAnswer;
  /** Decided again after the approval (ResultPath of Recheck), with the answer the plan then runs under. */
  recheck?: RecheckOutcome & { approval?: CarriedApproval | null };
  apply?: ApplyProgress;
  verify?: VerifyOutput;
  route?: { path: WorkflowRoute };
  /** Only in a fleet incident's own execution (statemachines/remediate.asl.json StartFleet … NextBatch). */
  fleet?: FleetProgress;
  /** A caught error (Catch ResultPath). */
  error?: { Error: string; Cause: string };
  outcome?: RecordOutput & Partial<Pick<RecordStepOutput, 'fleetApproval' | 'diagnosis'>>;
}

export interface RecordInput {
  state: WorkflowState;
  execution: ExecutionRef;
}
export interface RecordOutput {
  status: IncidentStatus;
  reason: string;
  actions: ActionResult[];
}
/** What the Record task returns to the state machine ($.outcome). */
export interface RecordStepOutput extends RecordOutput {
  /** A child execution of a fleet: the approval its next batch carries (this batch's, or the one it carried); else null. */
  fleetApproval: CarriedApproval | null;
  /** A fleet's own execution: the diagnosis its message shows (the first batch's, without the plan); else null. */
  diagnosis: NotifiedDiagnosis | null;
}

export interface NotifyInput {
  state: WorkflowState;
  execution: ExecutionRef;
}
export interface NotifyOutput {
  /** Empty when nothing was sent: a drift that breaks nothing in use is recorded and audited, never announced. */
  messageId: string;
  subject: string;
}

export const EMPTY_PROGRESS: ApplyProgress = { next: 0, done: false, results: [], writes: { iam: 0, ec2: 0 } };
