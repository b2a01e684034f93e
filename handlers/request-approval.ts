/**
 * Lambda entry of the RequestApproval step, invoked with .waitForTaskToken: it notifies the approvers
 * with the task token and returns; the execution waits (at no cost) for SendTaskSuccess or the timeout.
 */
import type { Context } from 'aws-lambda';
import { stepDeps } from './environment.ts';
import { auditStore } from './wiring/dynamodb.ts';
import { snsNotifier } from './wiring/notifier.ts';
import { requireFields } from './steps/input.ts';
import { requestApprovalStep } from './steps/request-approval.ts';
import type { RequestApprovalInput } from './steps/types.ts';

export const handler = async (raw: unknown, _context: Context): Promise<{ requested: true; expiresAt: string }> => {
  const event = requireFields<RequestApprovalInput>(raw, 'RequestApproval', ['taskToken', 'incident', 'diagnosis', 'decision', 'approvalTimeoutSeconds', 'execution']);
  return requestApprovalStep(stepDeps(event.incident.key, { audit: auditStore, notifier: snsNotifier }), event);
};
