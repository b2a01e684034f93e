/** Guard step: may the plan run now, in which mode, within the account's change budget? */
import { approvalCovers, carriedApproval } from '../core/approval.ts';
import { guard, recheckAfterApproval } from '../core/guard.ts';
import type { CarriedApproval, GuardDecision, Incident } from '../core/incident.ts';
import { firstWait } from '../core/propagation.ts';
import type { GuardInput, GuardOutput, StepDeps } from './types.ts';

export async function guardStep(deps: StepDeps, input: GuardInput): Promise<GuardOutput> {
  const { incident, diagnosis } = input;
  const at = deps.clock.now();
  const [iamChangesThisHour, ec2ChangesThisHour] = await Promise.all([
    deps.budget.used(incident.accountId, 'iam', at),
    deps.budget.used(incident.accountId, 'ec2', at),
  ]);
  let decision = guard(diagnosis, deps.config, { iamChangesThisHour, ec2ChangesThisHour });
  let approval: CarriedApproval | null = null;
  // After an approval wait: the answer holds only for the plan the approver saw (CONTRACTS.md, "decided again").
  const recheck = input.approved ? { verdict: decision.verdict, ...recheckAfterApproval(decision, input.approved) } : undefined;
  if (recheck?.unchanged && input.answer) {
    approval = carriedApproval(input.answer, input.approved!, decision.overBudget === true);
  } else if (!input.approved) {
    ({ decision, approval } = withFleetApproval(incident, decision));
  }
  const actions = decision.verdict === 'apply' || decision.verdict === 'await-approval' ? decision.allowed : [];
  deps.logger.info({ verdict: decision.verdict, reason: decision.reason, ...(recheck ? { recheck: recheck.reason } : {}), ...(approval ? { approvedBy: approval.by } : {}) }, 'guarded');
  const { propagation, approvalTimeoutSeconds } = deps.config;
  return {
    verdict: decision.verdict,
    decision,
    actions,
    hasActions: actions.length > 0,
    approvalTimeoutSeconds,
    wait: firstWait(propagation),
    approval,
    ...(recheck ? { recheck } : {}),
  };
}

/**
 * A batch of a fleet incident: a person's approval of an earlier batch covers the same change to this batch's instances
 * (never another change, and past the budget only when it was given past it); a request for approval says what an
 * answer will cover.
 */
function withFleetApproval(incident: Incident, decision: GuardDecision): { decision: GuardDecision; approval: CarriedApproval | null } {
  if (decision.verdict !== 'await-approval' || !incident.fleet || !incident.batch) return { decision, approval: null };
  const carried = incident.fleetApproval;
  const overBudget = decision.overBudget === true;
  if (carried && approvalCovers(carried, decision.allowed, overBudget)) {
    const reason = `Approved for this incident by ${carried.by} at ${carried.at} (${carried.approvalId}) in an earlier batch: the same change for ${decision.allowed.length} more of its instances${overBudget ? ', past the hourly change budget' : ''}; applying. Without that approval: ${decision.reason}`;
    return { decision: { ...decision, verdict: 'apply', reason }, approval: carried };
  }
  const { batches, count } = incident.fleet;
  const index = incident.batch.index;
  const later = batches - index - 1;
  const covers = later > 0
    ? ` This incident is a fleet of ${count.toLocaleString('en-US')} instances (batch ${index + 1} of ${batches}): an approval also covers the same change for the instances of the ${later} batch${later === 1 ? '' : 'es'} after it${overBudget ? ', past the hourly budget' : ''}.`
    : '';
  return { decision: { ...decision, reason: `${decision.reason}${covers}` }, approval: null };
}
