/**
 * Lambda entry of the RequestApproval step, invoked with .waitForTaskToken: it keeps the task token in the state table
 * under an approval id, notifies the approvers with the id (never the token) and returns; the execution waits (at no
 * cost) for the answer path's SendTaskSuccess or the timeout.
 */
import type { Context } from 'aws-lambda';
import { stepDeps } from './environment.ts';
import { approvalStore, auditStore } from './wiring/dynamodb.ts';
import { snsNotifier } from './wiring/notifier.ts';
import { requireFields } from './steps/input.ts';
import { requestApprovalStep, type RequestApprovalOutput } from './steps/request-approval.ts';
import type { RequestApprovalInput } from './steps/types.ts';

export const handler = async (raw: unknown, _context: Context): Promise<RequestApprovalOutput> => {
  const event = requireFields<RequestApprovalInput>(raw, 'RequestApproval', ['taskToken', 'incident', 'diagnosis', 'decision', 'approvalTimeoutSeconds', 'execution']);
  return requestApprovalStep({ ...stepDeps(event.incident.key, { audit: auditStore, notifier: snsNotifier }), approvals: approvalStore() }, event);
};
