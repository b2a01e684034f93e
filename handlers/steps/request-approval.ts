/** RequestApproval step: tells the approvers what is proposed and how to answer; the task token waits. */
import { decisionRecord } from '../core/audit.ts';
import { executionLinkFor } from '../core/notification.ts';
import { appendAudit, auditContext } from './audit-trail.ts';
import { publishNotification } from './notify.ts';
import type { RequestApprovalInput, StepDeps } from './types.ts';

export async function requestApprovalStep(deps: StepDeps, input: RequestApprovalInput): Promise<{ requested: true; expiresAt: string }> {
  const { incident, diagnosis, decision, execution } = input;
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + input.approvalTimeoutSeconds * 1000).toISOString();
  await appendAudit(deps, incident.key, (seq) =>
    decisionRecord(auditContext(incident, execution, diagnosis.cause), seq, now, {
      target: incident.key,
      summary: `approval requested (expires ${expiresAt}): ${decision.reason}`,
      data: { proposed: decision.allowed, expiresAt },
    }),
  );
  await publishNotification(deps, {
    incident, status: 'awaiting-approval', diagnosis, decision, actions: [], reason: decision.reason,
    executionName: execution.name, executionLink: executionLinkFor(execution.id),
    approval: { taskToken: input.taskToken, expiresAt },
  });
  deps.logger.info({ expiresAt }, 'approval requested');
  return { requested: true, expiresAt };
}
