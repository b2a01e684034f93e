/**
 * Scripted answers of a scenario (`approvals`), given through the same answer path as the Slack buttons and the CLI
 * (handlers/core/answer.ts) on the simulated clock: approval ids, expiry, double and late answers, undo and details.
 */
import type { MemoryApprovalStore } from '../adapters/local/approval-store.ts';
import type { PersonChange, ScenarioAnswer } from '../adapters/simulated/scenario.ts';
import type { SimulatedAccount } from '../adapters/simulated/index.ts';
import type { WorkflowApprovalAnswer } from '../core/approval.ts';
import { answerIncident, type AnswerAction, type AnswerResult } from '../core/answer.ts';
import type { StepDeps } from '../steps/types.ts';
import type { Approver } from './execution.ts';

export type ScenarioApprovals = 'approve' | 'reject' | 'none' | ScenarioAnswer[];

/** One answer given in a simulation: who, when, and what the answer path said. */
export interface AnswerReport {
  incident: string;
  action: AnswerAction;
  by: string;
  at: string;
  ok: boolean;
  refusal?: string;
  message: string;
}

const SCENARIO_APPROVER = 'scenario approver';

/** The scripted answers: "approve"/"reject" are one answer at once by the scenario approver; "none" is none. */
export function scriptedAnswers(approvals: ScenarioApprovals): ScenarioAnswer[] {
  if (approvals === 'none') return [];
  if (approvals === 'approve') return [{ action: 'approve', by: SCENARIO_APPROVER, afterSeconds: 0 }];
  if (approvals === 'reject') return [{ action: 'reject', by: SCENARIO_APPROVER, afterSeconds: 0, reason: 'rejected in the scenario' }];
  return [...approvals].sort((a, b) => a.afterSeconds - b.afterSeconds);
}

class TokenError extends Error {
  constructor(override readonly name: string, message: string, readonly code = name) {
    super(message);
  }
}

export interface AnswerEnv {
  account: SimulatedAccount;
  deps: StepDeps;
  approvals: MemoryApprovalStore;
  answers: AnswerReport[];
  note(step: string, text: string): void;
}

async function give(env: AnswerEnv, incident: string, answer: ScenarioAnswer, approvalId: string | undefined, workflow: { sendTaskSuccess(token: string, output: unknown): Promise<void> }): Promise<AnswerResult> {
  const result = await answerIncident({
    approvals: env.approvals,
    workflow,
    audit: env.deps.audit,
    notifier: env.deps.notifier,
    clock: env.account.clock,
    portsFor: () => env.account.ports,
    pause: async (seconds) => env.account.clock.advance(seconds),
  }, {
    action: answer.action,
    incident,
    ...(answer.approvalId ?? approvalId ? { approvalId: answer.approvalId ?? approvalId } : {}),
    ...(answer.reason ? { reason: answer.reason } : {}),
  }, { identity: answer.by, authenticatedBy: 'simulated caller' });
  env.answers.push({ incident, action: answer.action, by: answer.by, at: env.account.clock.now().toISOString(), ok: result.ok, ...(result.refusal ? { refusal: result.refusal } : {}), message: result.message });
  env.note(`answer:${answer.action}`, `${result.ok ? '' : 'refused: '}${result.message}`);
  return result;
}

function advanceTo(account: SimulatedAccount, ms: number): void {
  if (ms > account.clock.nowMs()) account.clock.advance((ms - account.clock.nowMs()) / 1000);
}

/**
 * The approve/reject answers to one approval request, in order; returns what SendTaskSuccess delivered to the waiting
 * task (null: nobody's answer reached it — unanswered, refused, or late).
 */
export async function answerApproval(env: AnswerEnv, incident: string, request: { approvalId: string; taskToken: string }, script: ScenarioAnswer[]): Promise<WorkflowApprovalAnswer | null> {
  const requestedAtMs = env.account.clock.nowMs();
  let delivered: WorkflowApprovalAnswer | null = null;
  const workflow = {
    // Step Functions: a token answered once, or of another task, is refused.
    async sendTaskSuccess(token: string, output: unknown) {
      if (token !== request.taskToken) throw new TokenError('InvalidToken', 'Invalid Token');
      if (delivered) throw new TokenError('TaskTimedOut', 'Task Timed Out');
      delivered = output as WorkflowApprovalAnswer;
    },
  };
  for (const answer of script.filter((a) => a.action === 'approve' || a.action === 'reject')) {
    advanceTo(env.account, requestedAtMs + answer.afterSeconds * 1000);
    for (const change of answer.meanwhile ?? []) await changeMeanwhile(env, change);
    await give(env, incident, answer, request.approvalId, workflow);
  }
  return delivered;
}

/** A person's change (scenario `meanwhile` while an approval waits, or `changes`), recorded by CloudTrail as theirs. */
export async function changeMeanwhile(env: Pick<AnswerEnv, 'account' | 'note'>, change: PersonChange): Promise<void> {
  const [service, method] = change.call.split('.') as ['iam' | 'ec2' | 'autoScaling', string];
  await env.account.asUser(change.by, async (ports) => {
    const port = ports[service] as unknown as Record<string, unknown>;
    const fn = port[method];
    if (typeof fn !== 'function') throw new Error(`scenario meanwhile: ${change.call} is not a call of the simulated account`);
    await (fn as (...args: unknown[]) => Promise<unknown>).apply(port, change.args);
  });
  env.note('meanwhile', `${change.by}: ${change.call}(${change.args.map((a) => JSON.stringify(a)).join(', ')})`);
}

/** Undo and details answers once the incident's execution has ended. */
export async function answerAfterExecution(env: AnswerEnv, incident: string, script: ScenarioAnswer[]): Promise<void> {
  const endedAtMs = env.account.clock.nowMs();
  const noWorkflow = { async sendTaskSuccess() { throw new TokenError('InvalidToken', 'no task waits'); } };
  for (const answer of script.filter((a) => a.action === 'undo' || a.action === 'details')) {
    advanceTo(env.account, endedAtMs + answer.afterSeconds * 1000);
    await give(env, incident, answer, undefined, noWorkflow);
  }
}

/** The scenario's approver: its scripted answers on the simulated clock; a request nobody answers waits or expires. */
export function scriptedApprover(account: SimulatedAccount, approvals: ScenarioApprovals, unanswered: 'wait' | 'expire'): Approver {
  return {
    async answer(ctx, pending) {
      const script = scriptedAnswers(approvals);
      const answer = await answerApproval({ ...ctx, account }, ctx.key, pending, script);
      if (answer) return { answer };
      return script.length > 0 || unanswered === 'expire' ? { expired: true } : { waiting: true };
    },
    async afterExecution(ctx) {
      await answerAfterExecution({ ...ctx, account }, ctx.key, scriptedAnswers(approvals));
    },
  };
}
