/** Notify step: one SNS message (Chatbot JSON + email text) per incident state change; the audit trail is Record's. */
import { buildNotification, executionLinkFor, type Notification, type NotificationInput } from '../core/notification.ts';
import { outcomeOf } from './outcome.ts';
import type { NotifyInput, NotifyOutput, StepDeps } from './types.ts';

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
    // A fleet's own execution diagnoses nothing itself: its Record found the first batch's diagnosis.
    diagnosis: state.diagnose?.diagnosis ?? state.outcome?.diagnosis ?? null,
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

