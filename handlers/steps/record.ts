/**
 * Record step: one audit record with how the execution ended and why — the diagnosis and its evidence,
 * the guard's verdict, the approval answer, the status. (Changes are audited by Apply as they happen.)
 */
import { decisionRecord } from '../core/audit.ts';
import { appendAudit, auditContext } from './audit-trail.ts';
import { outcomeOf } from './outcome.ts';
import type { RecordInput, RecordOutput, StepDeps } from './types.ts';

export async function recordStep(deps: StepDeps, input: RecordInput): Promise<RecordOutput> {
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
        instances: state.incident.instanceIds,
      },
    }),
  );
  deps.logger.info({ status: outcome.status, reason: outcome.reason }, 'recorded');
  return outcome;
}
