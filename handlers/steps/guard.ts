/** Guard step: may the plan run now, in which mode, within the account's change budget? */
import { guard, recheckAfterApproval } from '../core/guard.ts';
import { firstWait } from '../core/propagation.ts';
import type { GuardInput, GuardOutput, StepDeps } from './types.ts';

export async function guardStep(deps: StepDeps, input: GuardInput): Promise<GuardOutput> {
  const { incident, diagnosis } = input;
  const at = deps.clock.now();
  const [iamChangesThisHour, ec2ChangesThisHour] = await Promise.all([
    deps.budget.used(incident.accountId, 'iam', at),
    deps.budget.used(incident.accountId, 'ec2', at),
  ]);
  const decision = guard(diagnosis, deps.config, { iamChangesThisHour, ec2ChangesThisHour });
  const actions = decision.verdict === 'apply' || decision.verdict === 'await-approval' ? decision.allowed : [];
  // After an approval wait: the answer holds only for the plan the approver saw (CONTRACTS.md, "decided again").
  const recheck = input.approved ? { verdict: decision.verdict, ...recheckAfterApproval(decision, input.approved) } : undefined;
  deps.logger.info({ verdict: decision.verdict, reason: decision.reason, ...(recheck ? { recheck: recheck.reason } : {}) }, 'guarded');
  const { propagation, approvalTimeoutSeconds } = deps.config;
  return {
    verdict: decision.verdict,
    decision,
    actions,
    hasActions: actions.length > 0,
    approvalTimeoutSeconds,
    wait: firstWait(propagation),
    ...(recheck ? { recheck } : {}),
  };
}
