/** How an execution ended, from its state document: the incident status of CONTRACTS.md and why. */
import { MAX_INSTANCES } from '../core/diagnosis/gather.ts';
import type { ActionResult, IncidentStatus } from '../core/incident.ts';
import { goneNote } from '../core/remediations/instance-gone.ts';
import type { RecordOutput, WorkflowState } from './types.ts';

function madeChanges(state: WorkflowState): boolean {
  const writes = state.apply?.writes;
  return writes !== undefined && writes.iam + writes.ec2 > 0;
}

/** The changes the guard left for a person, as action results: never applied, each with why. */
function deferredResults(state: WorkflowState): ActionResult[] {
  return (state.guard?.decision.deferred ?? []).map((d) => ({ type: d.action.type, target: d.action.target, result: 'deferred', detail: d.reason }));
}

export function outcomeOf(state: WorkflowState): RecordOutput {
  const actions: ActionResult[] = [...(state.apply?.results ?? []), ...deferredResults(state)];
  const deferred = state.guard?.decision.deferred?.length ?? 0;
  const guardReason = state.guard?.decision.reason ?? '';
  const path = state.route?.path ?? (state.error ? 'failed' : 'unverified');
  const waited = state.verify ? `${state.verify.wait.elapsedSeconds}s` : '0s';
  let status: IncidentStatus;
  let reason: string;
  switch (path) {
    case 'failed':
      status = 'failed';
      reason = state.error ? `${state.error.Error}: ${firstLine(state.error.Cause)}` : 'the workflow failed';
      break;
    case 'escalate':
      status = 'escalated';
      // The outcome event and the incident record carry the diagnosis' one sentence: who to talk to, and why.
      reason = state.guard ? guardReason : escalatedWithoutGuard(state);
      break;
    case 'changed':
      // Decided again after the approval: the approved plan no longer fits the account; a person looks again.
      status = 'escalated';
      reason = state.recheck?.reason ?? 'the account changed while waiting for the approval';
      break;
    case 'observe':
      status = 'observed';
      reason = guardReason || 'observe mode: nothing was changed';
      break;
    case 'rejected':
      status = 'rejected';
      reason = `rejected by ${state.approval?.by ?? 'an approver'}${state.approval?.reason ? `: ${state.approval.reason}` : ''}`;
      break;
    case 'expired':
      status = 'rejected';
      reason = `the approval request expired after ${state.guard?.approvalTimeoutSeconds ?? '?'}s without an answer`;
      break;
    case 'verified':
      // A drift repaired before any instance of it was denied: the outage did not happen (CONTRACTS.md `prevented`).
      status = madeChanges(state) ? (state.incident.kind === 'drift' ? 'prevented' : 'fixed') : 'verified-no-change';
      reason = `verified after ${waited} of waiting${status === 'prevented' ? '; repaired before any instance was denied' : ''}`;
      // The in-scope part took; what the service may not write is left for a person (CONTRACTS.md `partially-fixed`).
      if (deferred > 0 && madeChanges(state)) {
        status = 'partially-fixed';
        reason = `the in-scope changes were verified after ${waited} of waiting; ${deferred} change(s) the service may not make (out of scope, or never made by it) are left for a person: ${[...new Set(state.guard!.decision.deferred.map((d) => `${d.action.type} ${d.action.target}`))].slice(0, 5).join(', ')}${deferred > 5 ? ', …' : ''}`;
      }
      break;
    case 'fleet':
      // Record reads the batches' outcomes from the audit trail; here (its output lost) only the last batch is known.
      status = state.fleet?.last?.status ?? 'failed';
      reason = state.fleet?.last ? `last batch: ${state.fleet.last.reason}` : 'no batch of the fleet ran';
      break;
    case 'unverified': {
      status = madeChanges(state) ? 'failed' : 'escalated';
      const left = state.verify?.unplannedWithoutProfile ?? 0;
      reason = left > 0
        ? `${left} instances of the incident beyond the ${MAX_INSTANCES} planned still have no instance profile: not fixed (the planned changes were applied; start the workflow again for the rest)`
        : `not verified within the ${waited} wait budget`;
      break;
    }
  }
  return { status, reason: `${reason}${goneNote(actions)}`, actions };
}

function escalatedWithoutGuard(state: WorkflowState): string {
  const diagnosis = state.diagnose?.diagnosis;
  if (!diagnosis) return 'this cause is never changed automatically';
  return `${diagnosis.cause} is never changed automatically: ${firstLine(diagnosis.summary)}${diagnosis.owner ? `; talk to ${diagnosis.owner}` : ''}`;
}

function firstLine(text: unknown): string {
  return String(text ?? '').split('\n')[0]!.slice(0, 300);
}
