/**
 * Lambda entry of the Apply step: one planned action per invocation.
 * Why one entry for every remediation rather than one Lambda each: the registry (core/remediations) is
 * the single list of what can be done, its declared permissions generate this function's policy, and the
 * state machine stays one loop instead of a branch per remediation — adding a remediation is one file and
 * one registry line, no new function, no ASL change. The price, one role holding every remediation's
 * permissions, is bounded by those declarations (scoped by tag where IAM allows).
 */
import type { Context } from 'aws-lambda';
import { stepDeps } from './environment.ts';
import { portsFor } from './wiring/account.ts';
import { auditStore, changeBudget, changeLock } from './wiring/dynamodb.ts';
import { applyStep } from './steps/apply.ts';
import { requireFields } from './steps/input.ts';
import type { ApplyInput, ApplyProgress } from './steps/types.ts';

export const handler = async (raw: unknown, context: Context): Promise<ApplyProgress> => {
  const event = requireFields<ApplyInput>(raw, 'Apply', ['incident', 'diagnosis', 'actions', 'progress', 'execution']);
  return applyStep(stepDeps(event.incident.key, { portsFor: portsFor(context, 'write'), audit: auditStore, budget: changeBudget, lock: changeLock }), event);
};
