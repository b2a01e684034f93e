/**
 * Record step: one audit record with how the execution ended and why — the diagnosis and its evidence,
 * the guard's verdict, the approval answer, the status. (Changes are audited by Apply as they happen.)
 */
import { decisionRecord } from '../core/audit.ts';
import { appendAudit, auditContext } from './audit-trail.ts';
import { batchOutcomesOf, fleetOutcome } from './fleet-outcome.ts';
import { outcomeOf } from './outcome.ts';
import type { RecordInput, RecordOutput, RecordStepOutput, StepDeps, WorkflowState } from './types.ts';

export async function recordStep(deps: StepDeps, input: RecordInput): Promise<RecordStepOutput> {
  const { state } = input;
  if (state.incident.fleet && !state.incident.batch) return { ...(await recordFleet(deps, input)), fleetApproval: null };
  return { ...(await recordOne(deps, input)), fleetApproval: fleetApprovalAfter(state), diagnosis: null };
}

/** A batch of a fleet hands its next batch the approval it ran under, or the one it carried (core/approval.ts). */
function fleetApprovalAfter(state: WorkflowState): RecordStepOutput['fleetApproval'] {
  if (!state.incident.fleet || !state.incident.batch) return null;
  return state.guard?.approval ?? state.incident.fleetApproval ?? null;
}

async function recordOne(deps: StepDeps, input: RecordInput): Promise<RecordOutput> {
  const { state, execution } = input;
  const outcome = outcomeOf(state);
  const diagnosis = state.diagnose?.diagnosis ?? null;
  const decision = state.guard?.decision ?? null;
  const summary = `outcome: ${outcome.status}: ${outcome.reason}`;
  // A retry after a crash that followed the append: the outcome is recorded once.
  const last = await deps.audit.lastOfExecution(state.incident.key, execution.name);
  if (last?.phase === 'decision' && last.params?.['summary'] === summary) return outcome;
  await appendAudit(deps, state.incident.key, (seq) =>
    decisionRecord(auditContext(state.incident, execution, diagnosis?.cause ?? null), seq, deps.clock.now(), {
      target: diagnosis?.subject.roleArn ?? state.incident.key,
      summary,
      data: {
        status: outcome.status,
        reason: outcome.reason,
        actions: outcome.actions,
        diagnosis: diagnosis && { cause: diagnosis.cause, summary: diagnosis.summary, evidence: diagnosis.evidence, plan: diagnosis.plan, owner: diagnosis.owner ?? null },
        guard: decision && { verdict: decision.verdict, mode: decision.mode, reason: decision.reason, refused: decision.refused, deferred: decision.deferred ?? [] },
        approval: state.approval ?? null,
        // Which verification checks held and which did not (the evidence of the last Verify).
        verify: state.verify ? { verified: state.verify.verified, exhausted: state.verify.exhausted, evidence: state.verify.evidence } : null,
        error: state.error ?? null,
        events: state.incident.eventCount,
        // A child execution of a fleet: its batch (the incident in the state carries no instance ids).
        instances: state.incident.batch ? (diagnosis?.subject.instanceIds ?? []) : state.incident.instanceIds,
        ...(state.incident.batch ? { batch: { index: state.incident.batch.index, of: state.incident.fleet?.batches ?? null } } : {}),
      },
    }),
  );
  deps.logger.info({ status: outcome.status, reason: outcome.reason }, 'recorded');
  return outcome;
}

/** A fleet incident's own execution: the outcome of its batches (each child recorded its own), counted, not listed per instance. */
async function recordFleet(deps: StepDeps, input: RecordInput): Promise<RecordOutput & Pick<RecordStepOutput, 'diagnosis'>> {
  const { state, execution } = input;
  const fleet = state.incident.fleet!;
  // The children's name prefix as StartFleet computed it (States.Hash): never recomputed here, the prefix is the name.
  const batches = state.fleet ? batchOutcomesOf(await deps.audit.listIncident(state.incident.key), state.fleet.prefix) : [];
  const { cause, ...outcome } = fleetOutcome(state, batches);
  const summary = `outcome: ${outcome.status}: ${outcome.reason}`;
  const first = batches[0];
  // What the incident's message shows of the cause: the first batch's diagnosis (this execution diagnoses nothing itself).
  const shown = { ...outcome, diagnosis: first?.diagnosis ?? null };
  const last = await deps.audit.lastOfExecution(state.incident.key, execution.name);
  if (last?.phase === 'decision' && last.params?.['summary'] === summary) return shown;
  await appendAudit(deps, state.incident.key, (seq) =>
    decisionRecord(auditContext(state.incident, execution, cause), seq, deps.clock.now(), {
      target: state.incident.key,
      summary,
      data: {
        status: outcome.status,
        reason: outcome.reason,
        actions: outcome.actions,
        diagnosis: first ? { cause: first.cause, summary: first.summary } : null,
        fleet: { instances: fleet.count, batches: fleet.batches, batchSize: fleet.batchSize, list: fleet.list, recorded: batches.map((b) => ({ batch: b.index, status: b.status })) },
        error: state.error ?? null,
        events: state.incident.eventCount,
      },
    }),
  );
  deps.logger.info({ status: outcome.status, reason: outcome.reason, batches: batches.length }, 'recorded (fleet)');
  return shown;
}
