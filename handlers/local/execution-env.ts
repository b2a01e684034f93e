/** What an execution on the local interpreter runs on: its host, who answers its approval requests, its environment. */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { MemoryApprovalStore } from '../adapters/local/approval-store.ts';
import type { RecordingEvents } from '../adapters/local/recorders.ts';
import type { WorkflowApprovalAnswer } from '../core/approval.ts';
import type { RequestApprovalInput, StepDeps } from '../steps/types.ts';
import type { AnswerReport } from './answers.ts';
import type { TaskStateInfo } from './definition.ts';

/** Where an execution runs: the simulated account, or a real account from a terminal. */
export interface ExecutionHost {
  /** Milliseconds now on the host's clock (simulated or real). */
  nowMs(): number;
  /** Waits out `seconds` (a Wait state, a Retry backoff, an approval's expiry): the simulated clock advances; a real run sleeps. */
  pause(seconds: number): Promise<void>;
  /** A new Lambda invocation begins (the simulated account forgets an injected crash). */
  invocation(): void;
}

/** An approval request as the waiting task made it. */
export interface PendingApproval {
  approvalId: string;
  taskToken: string;
  expiresAt: string;
  request: RequestApprovalInput;
}

/** What reached the waiting task: an answer, nothing before the request expired, or nothing yet (the execution stays open). */
export type ApprovalOutcome = { answer: WorkflowApprovalAnswer } | { expired: true } | { waiting: true };

/** Who answers approval requests: the scenario's script (handlers/local/answers.ts) or the operator at a terminal. */
export interface Approver {
  answer(ctx: ApproverContext, pending: PendingApproval): Promise<ApprovalOutcome>;
  /** Once the execution has ended (a scenario's undo and details answers). */
  afterExecution?(ctx: ApproverContext): Promise<void>;
}
export interface ApproverContext {
  key: string;
  deps: StepDeps;
  approvals: MemoryApprovalStore;
  answers: AnswerReport[];
  note(step: string, text: string): void;
}

export interface ExecutionEnv {
  host: ExecutionHost;
  deps: StepDeps;
  definition: StateMachineDefinition;
  tasks: TaskStateInfo[];
  approver: Approver;
  /** Where the workflow keeps task tokens under approval ids. */
  approvalStore: MemoryApprovalStore;
  /** Every answer given, in order. */
  answers: AnswerReport[];
  /** What the state machine receives from a task: its step's output unless the host looks at it or changes it (`remediate`). */
  stepOutput?(task: TaskStateInfo, output: unknown, key: string): unknown;
  events: RecordingEvents;
  note(incident: string, step: string, text: string): void;
}
