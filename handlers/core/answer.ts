/**
 * Answers to the workflow from a person: approve, reject (with a reason), undo, or details of an incident. One path for
 * every caller — the Slack buttons (through the answer queue and Lambda), `iam-autoheal approve|reject` and the
 * simulation — so that the checks are the same everywhere:
 * - an approval must exist, be unexpired and unanswered; the answer is one conditional write, so that a double click or
 *   two people at once give exactly one answer, and the second is told who was first;
 * - undo only of changes still recorded as applied (handlers/core/undo.ts);
 * - who answered is what the platform authenticated (`AnswerCaller`), never typed text;
 * - the answer is audited and replied in the incident's thread.
 */
import type { AuditStore } from './audit-record.ts';
import { decisionRecord, undoSteps, type AuditContext } from './audit.ts';
import { isApprovalId, type WorkflowApprovalAnswer } from './approval.ts';
import type { Cause } from './causes.ts';
import { buildAnswerReply } from './answer-reply.ts';
import type { AccountPorts, ApprovalStorePort, Clock, NotifierPort, RecordedAnswer, StoredApproval, WorkflowPort } from './ports.ts';
import { undoIncident, type Pause, type UndoReport } from './undo.ts';

export const ANSWER_ACTIONS = ['approve', 'reject', 'undo', 'details'] as const;
export type AnswerAction = (typeof ANSWER_ACTIONS)[number];

export interface AnswerRequest {
  action: AnswerAction;
  incident: string;
  /** Required for approve and reject. */
  approvalId?: string;
  /** Reject only: why (shown in the outcome and the audit trail; it says nothing about who). */
  reason?: string;
}

/** Who answers, as the platform authenticated it. */
export interface AnswerCaller {
  /** The authenticated identity: an STS caller ARN, an SQS SenderId (role id:session), a simulated caller. */
  identity: string;
  /** How it was authenticated, for the audit trail: "sqs SenderId", "sts GetCallerIdentity", "simulated". */
  authenticatedBy: string;
  /** What the identity stands for when known (e.g. "Slack channel C0123 through its AWS Chatbot role"). */
  label?: string;
  /** Correlation with the platform's own records (a Lambda request id, an SQS message id). */
  requestId?: string;
}

export interface AnswerDeps {
  approvals: ApprovalStorePort;
  workflow: Pick<WorkflowPort, 'sendTaskSuccess'>;
  audit: AuditStore;
  notifier: NotifierPort;
  clock: Clock;
  /** The incident's account, writable (undo); not called for approve, reject or details. */
  portsFor(accountId: string, region: string): Promise<AccountPorts> | AccountPorts;
  pause: Pause;
}

export type Refusal = 'unknown-approval' | 'expired' | 'answered' | 'nothing-to-undo' | 'unknown-incident';

export interface AnswerResult {
  ok: boolean;
  action: AnswerAction;
  incident: string;
  approvalId?: string;
  /** One sentence for the person who answered (the Lambda's result, the CLI's output, the thread reply). */
  message: string;
  refusal?: Refusal;
  /** For `answered`: the answer that came first. */
  first?: RecordedAnswer;
  undo?: UndoReport;
  /** For details: the incident's audit trail in short. */
  details?: string[];
}

export class AnswerInputError extends Error {
  override readonly name = 'AnswerInputError' as const;
}

const REASON_MAX = 500;

/** Validates an answer request from any source (queue message, CLI, scenario); throws AnswerInputError naming the problem. */
export function parseAnswerRequest(raw: unknown): AnswerRequest {
  if (typeof raw === 'string') return parseCompact(raw);
  if (typeof raw !== 'object' || raw === null) throw new AnswerInputError('an answer is an object {action, incident, approvalId?, reason?} or "action/incident[/approvalId]"');
  const r = raw as Record<string, unknown>;
  const action = r['action'];
  if (typeof action !== 'string' || !(ANSWER_ACTIONS as readonly string[]).includes(action)) throw new AnswerInputError(`action must be one of ${ANSWER_ACTIONS.join(', ')} (got ${JSON.stringify(action)})`);
  const incident = r['incident'];
  if (typeof incident !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(incident)) throw new AnswerInputError(`incident must be an incident key (letters, digits, - and _; got ${JSON.stringify(incident)})`);
  const request: AnswerRequest = { action: action as AnswerAction, incident };
  const approvalId = r['approvalId'];
  if (approvalId !== undefined && approvalId !== null && approvalId !== '') {
    if (typeof approvalId !== 'string' || !isApprovalId(approvalId)) throw new AnswerInputError(`approvalId must look like ap-xxxxxxxxxx (got ${JSON.stringify(approvalId)})`);
    request.approvalId = approvalId;
  }
  if ((action === 'approve' || action === 'reject') && !request.approvalId) throw new AnswerInputError(`${action} needs the approval id of the request`);
  const reason = r['reason'];
  if (reason !== undefined && reason !== null) {
    if (typeof reason !== 'string') throw new AnswerInputError('reason must be a string');
    if (action !== 'reject') throw new AnswerInputError('only a rejection takes a reason');
    request.reason = reason.replace(/[\r\n\t]+/g, ' ').slice(0, REASON_MAX);
  }
  for (const key of Object.keys(r)) {
    if (!['action', 'incident', 'approvalId', 'reason'].includes(key)) throw new AnswerInputError(`unknown field "${key}" (identity comes from the platform, never from the message)`);
  }
  return request;
}

/** "approve/<incident>/<approvalId>", "undo/<incident>": what a button sends (no quoting to survive a chat client). */
function parseCompact(text: string): AnswerRequest {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new AnswerInputError(`invalid JSON: ${(err as Error).message}`);
    }
    return parseAnswerRequest(json);
  }
  const [action, incident, approvalId, ...rest] = trimmed.split('/');
  if (rest.length > 0) throw new AnswerInputError(`"${trimmed.slice(0, 100)}": expected action/incident[/approvalId]`);
  return parseAnswerRequest({ action, incident, ...(approvalId ? { approvalId } : {}) });
}

const describeCaller = (caller: AnswerCaller) => caller.label ? `${caller.label} (${caller.identity})` : caller.identity;

function refused(request: AnswerRequest, refusal: Refusal, message: string, extra: Partial<AnswerResult> = {}): AnswerResult {
  return { ok: false, action: request.action, incident: request.incident, ...(request.approvalId ? { approvalId: request.approvalId } : {}), message, refusal, ...extra };
}

function auditContextOf(approval: Pick<StoredApproval, 'incidentKey' | 'executionName' | 'cause' | 'account' | 'region'>, caller: AnswerCaller): AuditContext {
  return { incidentKey: approval.incidentKey, executionName: approval.executionName, cause: approval.cause as Cause | null, account: approval.account, region: approval.region, actor: describeCaller(caller) };
}

function answerData(caller: AnswerCaller, extra: Record<string, unknown>) {
  return {
    answer: { ...extra, by: caller.identity, authenticatedBy: caller.authenticatedBy, ...(caller.label ? { label: caller.label } : {}), ...(caller.requestId ? { requestId: caller.requestId } : {}) },
  };
}

/** Answers one request; refusals are results (the caller shows the message), not errors. */
export async function answerIncident(deps: AnswerDeps, request: AnswerRequest, caller: AnswerCaller): Promise<AnswerResult> {
  const result = request.action === 'approve' || request.action === 'reject'
    ? await decide(deps, request, caller)
    : request.action === 'undo' ? await undo(deps, request, caller) : await details(deps, request);
  await reply(deps, request, caller, result);
  return result;
}

async function decide(deps: AnswerDeps, request: AnswerRequest, caller: AnswerCaller): Promise<AnswerResult> {
  const approvalId = request.approvalId!;
  const at = deps.clock.now();
  const answer: RecordedAnswer = { decision: request.action as 'approve' | 'reject', by: describeCaller(caller), at: at.toISOString(), ...(request.reason ? { reason: request.reason } : {}) };
  const claim = await deps.approvals.claim(request.incident, approvalId, answer);
  if (!claim.recorded) {
    const current = claim.current;
    if (!current) return refused(request, 'unknown-approval', `no approval ${approvalId} for incident ${request.incident} (unknown, or expired and removed)`);
    if (current.answer) {
      const verb = current.answer.decision === 'approve' ? 'approved' : 'rejected';
      return refused(request, 'answered', `approval ${approvalId} was already ${verb} by ${current.answer.by} at ${current.answer.at}; your answer was not recorded`, { first: current.answer });
    }
    return refused(request, 'expired', `approval ${approvalId} expired at ${current.expiresAt} (now ${at.toISOString()}): nothing was changed, and the request cannot be answered any more`);
  }
  const stored = await deps.approvals.get(request.incident, approvalId);
  if (!stored?.taskToken) {
    // Claimed a moment ago, so it exists; without a token the workflow cannot hear the answer.
    await deps.approvals.release(request.incident, approvalId, answer);
    return refused(request, 'unknown-approval', `approval ${approvalId} of incident ${request.incident} has no task to answer any more`);
  }
  const output: WorkflowApprovalAnswer = { approved: request.action === 'approve', by: answer.by, approvalId, at: answer.at, ...(request.reason ? { reason: request.reason } : {}) };
  try {
    await deps.workflow.sendTaskSuccess(stored.taskToken, output);
  } catch (err) {
    // Adapters name the Step Functions code in the error's code or at the start of its message.
    const code = /\b(TaskTimedOut|TaskDoesNotExist|InvalidToken)\b/.exec(`${(err as { code?: string }).code ?? ''} ${err instanceof Error ? `${err.name} ${err.message}` : ''}`)?.[1];
    // The workflow no longer waits (it timed out, or ended): the answer stays recorded as given but changes nothing.
    if (code) {
      await deps.approvals.forgetToken(request.incident, approvalId);
      return refused(request, 'expired', `approval ${approvalId}: the workflow is no longer waiting for it (${code}); nothing was changed`);
    }
    // Not delivered: undo the claim so that the answer can be given again, and let the caller retry.
    await deps.approvals.release(request.incident, approvalId, answer);
    throw err;
  }
  await deps.approvals.forgetToken(request.incident, approvalId);
  const verb = request.action === 'approve' ? 'approved' : 'rejected';
  await deps.audit.append(request.incident, (seq) => decisionRecord(auditContextOf(stored, caller), seq, at, {
    target: request.incident,
    summary: `${verb} by ${answer.by}${request.reason ? `: ${request.reason}` : ''} (approval ${approvalId})`,
    data: answerData(caller, { decision: request.action, approvalId, ...(request.reason ? { reason: request.reason } : {}) }),
  }));
  return { ok: true, action: request.action, incident: request.incident, approvalId, message: `${verb} by ${answer.by}${request.reason ? `: ${request.reason}` : ''}` };
}

async function undo(deps: AnswerDeps, request: AnswerRequest, caller: AnswerCaller): Promise<AnswerResult> {
  const records = await deps.audit.listIncident(request.incident);
  if (records.length === 0) return refused(request, 'unknown-incident', `no audit record of incident ${request.incident}`);
  if (undoSteps(records).length === 0) return refused(request, 'nothing-to-undo', `incident ${request.incident}: nothing is recorded as applied (no change was made, or every change is undone already)`);
  const first = records[0]!;
  const ports = await deps.portsFor(first.account, first.region);
  const report = await undoIncident(ports, deps.audit, request.incident, { actor: describeCaller(caller), pause: deps.pause });
  const undone = report.steps.filter((s) => s.result === 'undone').length;
  if (report.stoppedAt) {
    const s = report.stoppedAt;
    return { ok: false, action: 'undo', incident: request.incident, undo: report, message: `undo by ${describeCaller(caller)} stopped at ${s.type} ${s.target} (${s.result}: ${s.detail}); ${undone} change(s) undone before it` };
  }
  return { ok: true, action: 'undo', incident: request.incident, undo: report, message: `undone by ${describeCaller(caller)}: ${undone} change(s) restored` };
}

async function details(deps: AnswerDeps, request: AnswerRequest): Promise<AnswerResult> {
  const records = await deps.audit.listIncident(request.incident);
  if (records.length === 0) return refused(request, 'unknown-incident', `no audit record of incident ${request.incident}`);
  const lines = records.slice(-15).map((r) => `${r.step} ${r.action} ${r.target}: ${r.result}${r.error ? ` — ${r.error}` : ''}${r.phase === 'decision' ? ` — ${String(r.params?.['summary'] ?? '')}` : ''}`);
  const open = undoSteps(records).length;
  return { ok: true, action: 'details', incident: request.incident, details: lines, message: `incident ${request.incident}: ${records.length} audit record(s); ${open} change(s) recorded as applied` };
}

async function reply(deps: AnswerDeps, request: AnswerRequest, caller: AnswerCaller, result: AnswerResult): Promise<void> {
  const message = buildAnswerReply({ request, result, caller: describeCaller(caller) });
  await deps.notifier.publish({ subject: message.subject, body: JSON.stringify(message.chatbot), email: message.email, attributes: { incident: request.incident, status: `answer-${request.action}` } });
}
