/** Record step: the final status of the execution, written to the audit trail. */
import { decisionRecord } from '../core/audit.ts';
import { appendAudit, auditContext } from './audit-trail.ts';
import { outcomeOf } from './outcome.ts';
import type { RecordInput, RecordOutput, StepDeps } from './types.ts';

export async function recordStep(deps: StepDeps, input: RecordInput): Promise<RecordOutput> {
  const { state, execution } = input;
  const outcome = outcomeOf(state);
  const cause = state.diagnose?.diagnosis.cause ?? null;
  await appendAudit(deps, state.incident.key, (seq) =>
    decisionRecord(auditContext(state.incident, execution, cause), seq, deps.clock.now(), {
      target: state.incident.key,
      summary: `outcome: ${outcome.status}: ${outcome.reason}`,
      data: { status: outcome.status, reason: outcome.reason, actions: outcome.actions, error: state.error ?? null },
    }),
  );
  deps.logger.info({ status: outcome.status, reason: outcome.reason }, 'recorded');
  return outcome;
}
