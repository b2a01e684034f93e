/** Notify step: one SNS message (Chatbot JSON + email text) per incident state change; the audit trail is Record's. */
import { buildNotification, executionLinkFor, type Notification, type NotificationInput, type NotifiedDiagnosis } from '../core/notification.ts';
import { outcomeOf } from './outcome.ts';
import type { NotifyInput, NotifyOutput, StepDeps, WorkflowState } from './types.ts';

export async function publishNotification(deps: StepDeps, input: NotificationInput): Promise<{ messageId: string; notification: Notification }> {
  const notification = buildNotification({ answerQueueUrl: deps.answerQueueUrl ?? null, ...input });
  const { messageId } = await deps.notifier.publish({
    subject: notification.subject,
    body: JSON.stringify(notification.chatbot),
    email: notification.email,
    attributes: { incident: input.incident.key, status: input.status },
  });
  return { messageId, notification };
}

export async function notifyStep(deps: StepDeps, input: NotifyInput): Promise<NotifyOutput> {
  const { state, execution } = input;
  const outcome = state.outcome ?? outcomeOf(state);
  if (state.incident.kind === 'drift' && state.diagnose?.diagnosis.healthy && outcome.status === 'verified-no-change') {
    // A change that breaks nothing in use is no one's news: audited (Record) and published as an outcome event, not sent.
    deps.logger.info({ incident: state.incident.key }, 'drift breaks nothing in use: no notification');
    return { messageId: '', subject: '' };
  }
  const { messageId, notification } = await publishNotification(deps, {
    incident: state.incident,
    status: outcome.status,
    diagnosis: state.diagnose?.diagnosis ?? await fleetDiagnosis(deps, state),
    decision: state.guard?.decision ?? null,
    actions: outcome.actions,
    verification: state.verify ? { verified: state.verify.verified, evidence: state.verify.evidence } : null,
    reason: outcome.reason,
    executionName: execution.name,
    executionLink: executionLinkFor(execution.id),
  });
  deps.logger.info({ subject: notification.subject }, 'notified');
  return { messageId, subject: notification.subject };
}

/**
 * A fleet incident's own execution diagnoses nothing itself: its message shows the diagnosis of its first batch, from
 * the outcome that child recorded (its last audit record), without the per-instance plan.
 */
async function fleetDiagnosis(deps: StepDeps, state: WorkflowState): Promise<NotifiedDiagnosis | null> {
  if (!state.incident.fleet || state.incident.batch || !state.fleet) return null;
  const first = await deps.audit.lastOfExecution(state.incident.key, `${state.fleet.prefix}-b0`);
  const recorded = (first?.after as { diagnosis?: Partial<NotifiedDiagnosis> & { owner?: string | null } } | null)?.diagnosis;
  if (!recorded?.cause || !recorded.summary) return null;
  return { cause: recorded.cause, summary: recorded.summary, evidence: recorded.evidence ?? [], plan: [], ...(recorded.owner ? { owner: recorded.owner } : {}) };
}
