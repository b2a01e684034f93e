/** Notify step: one SNS message (Chatbot JSON + email text) per incident state change. */
import { notificationRecord } from '../core/audit.ts';
import { buildNotification, executionLinkFor, type Notification, type NotificationInput } from '../core/notification.ts';
import { appendAudit, auditContext } from './audit-trail.ts';
import { outcomeOf } from './outcome.ts';
import type { ExecutionRef, NotifyInput, NotifyOutput, StepDeps } from './types.ts';

export async function publishNotification(
  deps: StepDeps, input: NotificationInput, execution: ExecutionRef,
): Promise<{ messageId: string; notification: Notification }> {
  const notification = buildNotification(input);
  const { messageId } = await deps.notifier.publish({
    subject: notification.subject,
    body: JSON.stringify(notification.chatbot),
    email: notification.email,
    attributes: { incident: input.incident.key, status: input.status },
  });
  const ctx = auditContext(input.incident, execution, input.diagnosis?.cause ?? null);
  await appendAudit(deps, input.incident.key, (seq) =>
    notificationRecord(ctx, seq, deps.clock.now(), { subject: notification.subject, messageId, status: input.status }),
  );
  return { messageId, notification };
}

export async function notifyStep(deps: StepDeps, input: NotifyInput): Promise<NotifyOutput> {
  const { state, execution } = input;
  const outcome = state.outcome ?? outcomeOf(state);
  const { messageId, notification } = await publishNotification(deps, {
    incident: state.incident,
    status: outcome.status,
    diagnosis: state.diagnose?.diagnosis ?? null,
    decision: state.guard?.decision ?? null,
    actions: outcome.actions,
    verification: state.verify ? { verified: state.verify.verified, evidence: state.verify.evidence } : null,
    reason: outcome.reason,
    executionName: execution.name,
    executionLink: executionLinkFor(execution.id),
  }, execution);
  deps.logger.info({ subject: notification.subject }, 'notified');
  return { messageId, subject: notification.subject };
}
