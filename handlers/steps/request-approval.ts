/**
 * RequestApproval step: keeps the task token server-side (the approval store, expiring with the request) under a short
 * approval id, and tells the approvers what is proposed and how to answer; the message carries the id, never the token.
 */
import { approvalIdFor } from '../core/approval.ts';
import { decisionRecord } from '../core/audit.ts';
import { executionLinkFor } from '../core/notification.ts';
import { appendAudit, auditContext } from './audit-trail.ts';
import { publishNotification } from './notify.ts';
import type { RequestApprovalDeps, RequestApprovalInput } from './types.ts';

export interface RequestApprovalOutput {
  requested: true;
  approvalId: string;
  expiresAt: string;
}

export async function requestApprovalStep(deps: RequestApprovalDeps, input: RequestApprovalInput): Promise<RequestApprovalOutput> {
  const { incident, diagnosis, decision, execution } = input;
  const now = deps.clock.now();
  const requestedAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + input.approvalTimeoutSeconds * 1000).toISOString();
  const approvalId = approvalIdFor(execution.name, input.taskToken, requestedAt);
  // First the token, then the message: an approver never sees an id the answer path does not know.
  await deps.approvals.put({
    approvalId, incidentKey: incident.key, executionName: execution.name, taskToken: input.taskToken, requestedAt, expiresAt,
    cause: diagnosis.cause, account: incident.accountId, region: incident.region, answer: null,
  });
  await appendAudit(deps, incident.key, (seq) =>
    decisionRecord(auditContext(incident, execution, diagnosis.cause), seq, now, {
      target: incident.key,
      summary: `approval ${approvalId} requested (expires ${expiresAt}): ${decision.reason}`,
      data: { proposed: decision.allowed, approvalId, expiresAt },
    }),
  );
  await publishNotification(deps, {
    incident, status: 'awaiting-approval', diagnosis, decision, actions: [], reason: decision.reason,
    executionName: execution.name, executionLink: executionLinkFor(execution.id),
    approval: { approvalId, expiresAt },
  });
  deps.logger.info({ approvalId, expiresAt }, 'approval requested');
  return { requested: true, approvalId, expiresAt };
}
