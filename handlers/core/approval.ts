/**
 * Approval requests: the workflow keeps the task token server-side under a short approval id; messages carry the
 * incident key and the approval id only. Answers come back through `answerIncident` (handlers/core/answer.ts).
 */
import { hash } from './events/incident-key.ts';
import { INSTANCE_ACTIONS, type CarriedApproval, type PlannedAction } from './incident.ts';
import { canonicalJson } from './policy/statements.ts';

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

/**
 * What an approval of one change covers, its instance left out: "associate-profile instance {profileName}". Any other
 * change keeps its target: an approval never extends to another role, profile, template or group.
 */
export function approvalShapeOf(action: PlannedAction): string {
  if (!INSTANCE_ACTIONS.has(action.type)) return `${action.type} ${action.target} ${canonicalJson(action.params)}`;
  const { associationId: _association, ...params } = action.params;
  return `${action.type} instance ${canonicalJson(params)}`;
}

/** A person's answer to a plan, as the later batches of the same fleet incident carry it. */
export function carriedApproval(answer: Pick<WorkflowApprovalAnswer, 'by' | 'at' | 'approvalId'>, approved: readonly PlannedAction[], overBudget: boolean): CarriedApproval {
  const covers = [...new Set(approved.filter((a) => a.type !== 'propose-policy').map(approvalShapeOf))].sort();
  return { by: answer.by, at: answer.at, approvalId: answer.approvalId, covers, overBudget };
}

/**
 * Whether an earlier batch's approval covers this plan: every change is one the person approved (the same change to
 * another instance of the incident), and a plan past the budget only when the approval was given past it too.
 */
export function approvalCovers(carried: CarriedApproval, actions: readonly PlannedAction[], overBudget: boolean): boolean {
  if (overBudget && !carried.overBudget) return false;
  const covered = new Set(carried.covers);
  const changes = actions.filter((a) => a.type !== 'propose-policy');
  return changes.length > 0 && changes.every((a) => covered.has(approvalShapeOf(a)));
}
