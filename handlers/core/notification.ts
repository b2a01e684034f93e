/**
 * The message on-call reads: an AWS Chatbot custom notification (Slack) and a plain-text email body,
 * built from the same facts. One message per incident state change, never one per event.
 */
import type { Diagnosis, GuardDecision, Incident, IncidentStatus, ActionResult, Evidence, PlannedAction } from './incident.ts';

export interface ApprovalRequestInfo {
  /** The short id the answer names (the task token stays in the state table). */
  approvalId: string;
  /** ISO time at which the request expires unanswered. */
  expiresAt: string;
}

export type NotifiedDiagnosis = Pick<Diagnosis, 'cause' | 'summary' | 'evidence' | 'plan' | 'owner'>;

export interface NotificationInput {
  incident: Incident;
  status: IncidentStatus;
  /** What a message shows of the diagnosis (a fleet's own execution has its first batch's, read from the audit trail). */
  diagnosis: NotifiedDiagnosis | null;
  decision: GuardDecision | null;
  actions: ActionResult[];
  /** Verification evidence, when the workflow got that far. */
  verification?: { verified: boolean; evidence: Evidence[] } | null;
  /** Why the incident ended this way (guard reason, error, rejection), one line. */
  reason?: string | null;
  executionName: string;
  executionLink: string | null;
  /** Present only for an approval request. */
  approval?: ApprovalRequestInfo | null;
  /** The answer queue the Slack buttons send to (variable `queue`); null without Slack buttons. */
  answerQueueUrl?: string | null;
}

/**
 * `metadata.additionalContext` keys that the Slack buttons read (lib/chatbot-actions.ts): the incident key, the approval
 * id (only on an approval request), `undo` = "yes" on a message that reports changes made, and the answer queue.
 */
export const BUTTON_VARIABLES = { incident: 'incident', approval: 'approval', undo: 'undo', queue: 'queue', status: 'status' } as const;

/** AWS Chatbot custom notification schema (version 1.0). */
export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; additionalContext: Record<string, string> };
}

export interface Notification {
  subject: string;
  chatbot: ChatbotNotification;
  email: string;
}

const STATUS_HEADLINE: Record<IncidentStatus, string> = {
  'fixed': 'fixed',
  'verified-no-change': 'resolved without a change',
  prevented: 'prevented: repaired before any instance failed',
  'partially-fixed': 'partly fixed; the rest needs a person',
  'observed': 'observed (no change made)',
  'awaiting-approval': 'approval needed',
  'rejected': 'fix not applied (rejected or expired)',
  'escalated': 'needs a person',
  'failed': 'remediation failed',
};
const MAX_EVIDENCE = 8;
// A fix of 200 instances is 200 actions: the message names the first ones, the audit trail has them all.
const MAX_ACTIONS = 20;
// SNS subjects: at most 100 printable characters, no line breaks.
const SUBJECT_MAX = 100;

/** "what was denied", in one sentence. */
export function describeDenial(incident: Incident): string {
  const t = incident.trigger;
  const instances = incident.fleet?.count ?? incident.instanceIds.length; // a fleet's list is in the state table
  const on = instances === 1 ? `instance ${incident.instanceIds[0]}` : `${instances} instances`;
  if (incident.kind === 'launch') {
    return `${on} launched in ${incident.accountId}/${incident.region} (${t.eventName ?? 'RunInstances'}) without a working instance role`;
  }
  // A sweep found it without any event: its reason says what, there was no denied call.
  if (incident.kind === 'sweep') return `${t.reason} (${on} in ${incident.accountId}/${incident.region})`;
  const role = t.principal.roleName ?? t.principal.roleArn ?? 'an instance role';
  const actions = incident.actions.length > 1 ? `${incident.actions.join(', ')}` : (t.action ?? 'a call');
  const resource = t.resource ? ` on ${t.resource}` : '';
  const events = incident.eventCount === 1 ? '1 denied call' : `${incident.eventCount} denied calls`;
  return `role ${role} was denied ${actions}${resource} (${events} from ${on} in ${incident.accountId}/${incident.region})`;
}

function describeActions(input: NotificationInput): string[] {
  const lines = actionLines(input);
  return lines.length > MAX_ACTIONS ? [...lines.slice(0, MAX_ACTIONS), `… and ${lines.length - MAX_ACTIONS} more in the audit trail`] : lines;
}

/** What the service leaves to a person (out of scope), with the change it would have made. */
function deferredLines(input: NotificationInput): string[] {
  return (input.decision?.deferred ?? []).map((d) => `for a person (not applied): ${d.action.type} ${d.action.target}${proposedChange(d.action)} — ${d.reason}`);
}

function proposedChange(action: PlannedAction): string {
  const profile = action.params['profileName'];
  return typeof profile === 'string' ? ` with profile ${profile}` : '';
}

function actionLines(input: NotificationInput): string[] {
  if (input.approval) return [...(input.decision?.allowed ?? []).map((a) => `proposed: ${a.type} ${a.target} — ${a.reason}`), ...deferredLines(input)];
  const done = input.actions.filter((a) => a.result !== 'deferred').map((a) => `${a.result}: ${a.type} ${a.target}${a.detail ? ` — ${a.detail}` : ''}`);
  const refused = (input.decision?.refused ?? []).map((r) => `refused: ${r.action.type} ${r.action.target} — ${r.reason}`);
  // What a person must do comes first: a message names the first MAX_ACTIONS lines only.
  if (done.length + refused.length > 0) return [...deferredLines(input), ...done, ...refused];
  const planned = input.diagnosis?.plan ?? [];
  if (planned.length > 0 && input.status !== 'fixed') return planned.map((a) => `proposed (not applied): ${a.type} ${a.target} — ${a.reason}`);
  return ['nothing was changed'];
}

function evidenceLines(input: NotificationInput): string[] {
  const evidence = [...(input.diagnosis?.evidence ?? []), ...(input.verification?.evidence ?? [])];
  const lines = evidence.slice(0, MAX_EVIDENCE).map((e) => `${e.kind}: ${e.summary}`);
  if (evidence.length > MAX_EVIDENCE) lines.push(`… and ${evidence.length - MAX_EVIDENCE} more in the audit trail`);
  return lines;
}

/**
 * Least-privilege statements proposed for a human, read from the plan (the guard drops `allowed` when it
 * escalates); a proposal the guard refused (a never-grant action) is not shown as one.
 */
function proposedStatements(input: NotificationInput): Array<{ role: string; json: string }> {
  const refused = new Set((input.decision?.refused ?? []).map((r) => JSON.stringify(r.action)));
  return (input.diagnosis?.plan ?? [])
    .filter((a) => a.type === 'propose-policy' && a.params['statement'] !== undefined && !refused.has(JSON.stringify(a)))
    .map((a) => ({ role: a.target, json: JSON.stringify({ Version: '2012-10-17', Statement: [a.params['statement']] }, null, 2) }));
}

function nextSteps(input: NotificationInput): string[] {
  const key = input.incident.key;
  const steps: string[] = [];
  if (input.approval) {
    const id = input.approval.approvalId;
    steps.push(`Approve or reject (approval ${id}): the Approve and Reject buttons in Slack, or from a terminal \`iam-autoheal approve ${key}\` / \`iam-autoheal reject ${key} --reason "…"\`.`);
    steps.push(`Unanswered, the request expires at ${input.approval.expiresAt} and nothing is changed.`);
  }
  if (hasUndoableChanges(input)) steps.push(`Undo every change of this incident: the Undo button in Slack, or \`iam-autoheal undo ${key}\``);
  if (input.status === 'escalated' && input.diagnosis?.owner) steps.push(`Talk to: ${input.diagnosis.owner}`);
  const deferred = input.decision?.deferred?.length ?? 0;
  if (deferred > 0 && !input.approval) {
    steps.push(`Make the ${deferred} change(s) marked "for a person" (each says why the service may not: a resource without the opt-in tag — tag it and start the incident again — or a change it never makes): iam-autoheal audit shows each proposed change.`);
  }
  for (const { role } of proposedStatements(input)) {
    steps.push(`Review the proposed statement for role ${role}: if it is right, add it to the role or declare it in expectedPermissions; iam-autoheal never applies it.`);
  }
  if (input.status === 'failed') steps.push('Check the execution history for the failing step; nothing further is retried automatically.');
  steps.push(`Audit trail: iam-autoheal audit (incident ${key})`);
  if (input.executionLink) steps.push(`Execution: ${input.executionLink}`);
  return steps;
}

/** The message reports changes made (and so not yet undone by this incident's workflow). */
function hasUndoableChanges(input: NotificationInput): boolean {
  return !input.approval && input.actions.some((a) => a.result === 'done');
}

function titleOf(input: NotificationInput): string {
  const cause = input.diagnosis?.cause ?? 'undiagnosed';
  return `iam-autoheal: ${cause} — ${STATUS_HEADLINE[input.status]}`;
}

/** Builds the Chatbot message and the email body of one incident state change. */
export function buildNotification(input: NotificationInput): Notification {
  const title = titleOf(input);
  const denied = describeDenial(input.incident);
  const cause = input.diagnosis ? `${input.diagnosis.cause}: ${input.diagnosis.summary}` : 'not diagnosed';
  const actions = describeActions(input);
  const evidence = evidenceLines(input);
  const steps = nextSteps(input);
  const reason = input.reason ? [`Why: ${input.reason}`] : [];
  const proposals = proposedStatements(input);

  const description = [
    `*What was denied:* ${denied}`,
    `*Cause:* ${cause}`,
    ...(input.reason ? [`*Why:* ${input.reason}`] : []),
    `*Evidence:*\n${evidence.map((l) => `• ${l}`).join('\n') || '• none gathered'}`,
    `*${input.approval ? 'Proposed' : 'Done'}:*\n${actions.map((l) => `• ${l}`).join('\n')}`,
    ...proposals.map((p) => `*Proposed statement for role ${p.role} (never applied):*\n\`\`\`\n${p.json}\n\`\`\``),
  ].join('\n');

  const email = [
    title,
    '',
    `Incident: ${input.incident.key}`,
    `Status: ${input.status}`,
    `What was denied: ${denied}`,
    `Cause: ${cause}`,
    ...reason,
    '',
    'Evidence:',
    ...(evidence.length ? evidence.map((l) => `  - ${l}`) : ['  - none gathered']),
    '',
    input.approval ? 'Proposed changes:' : 'What was done:',
    ...actions.map((l) => `  - ${l}`),
    ...proposals.flatMap((p) => ['', `Proposed statement for role ${p.role} (never applied):`, ...p.json.split('\n').map((l) => `    ${l}`)]),
    '',
    'Next steps:',
    ...steps.map((l) => `  - ${l}`),
    '',
    `Execution name: ${input.executionName}`,
  ].join('\n');

  const chatbot: ChatbotNotification = {
    version: '1.0',
    source: 'custom',
    id: `${input.executionName}:${input.status}`,
    content: {
      textType: 'client-markdown',
      title,
      description,
      nextSteps: steps,
      keywords: [input.status, input.diagnosis?.cause ?? 'undiagnosed', input.incident.accountId],
    },
    metadata: {
      threadId: input.incident.key,
      summary: title,
      eventType: input.approval ? 'ApprovalRequested' : 'IncidentUpdated',
      additionalContext: {
        incident: input.incident.key,
        status: input.status,
        execution: input.executionName,
        account: input.incident.accountId,
        region: input.incident.region,
        ...(input.approval ? { [BUTTON_VARIABLES.approval]: input.approval.approvalId } : {}),
        ...(hasUndoableChanges(input) ? { [BUTTON_VARIABLES.undo]: 'yes' } : {}),
        ...(input.answerQueueUrl ? { [BUTTON_VARIABLES.queue]: input.answerQueueUrl } : {}),
      },
    },
  };
  return { subject: subjectOf(title), chatbot, email };
}

/** SNS subjects: printable ASCII, no line breaks, at most 100 characters. */
export function subjectOf(title: string): string {
  const flat = title.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7E]/g, '-');
  return flat.length > SUBJECT_MAX ? `${flat.slice(0, SUBJECT_MAX - 3)}...` : flat;
}

/** Console link to a Step Functions execution (null when the ARN is not known, e.g. locally). */
export function executionLinkFor(executionArn: string | null | undefined): string | null {
  if (!executionArn?.startsWith('arn:')) return null;
  const region = executionArn.split(':')[3];
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
