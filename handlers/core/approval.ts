/**
 * Approval requests: the workflow keeps the task token server-side under a short approval id; messages carry the
 * incident key and the approval id only. Answers come back through `answerIncident` (handlers/core/answer.ts).
 */
import { hash } from './events/incident-key.ts';

/** `ap-` and ten base-36 characters: short enough for a button, derived from what makes a request unique. */
export const APPROVAL_ID_PATTERN = /^ap-[0-9a-z]{10}$/;

/** The id of one approval request: the same for a retried step (same execution, token and time), distinct otherwise. */
export function approvalIdFor(executionName: string, taskToken: string, requestedAt: string): string {
  return `ap-${hash(`${executionName}|${taskToken}|${requestedAt}`)}`;
}

export function isApprovalId(value: string): boolean {
  return APPROVAL_ID_PATTERN.test(value);
}

/** What SendTaskSuccess delivers to the workflow ($.approval): the answer, never the token. */
export interface WorkflowApprovalAnswer {
  approved: boolean;
  by: string;
  reason?: string;
  approvalId: string;
  at: string;
}
