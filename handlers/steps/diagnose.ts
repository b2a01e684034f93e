/** Diagnose step: what is wrong, with evidence and a plan. */
import { isFixable } from '../core/causes.ts';
import { decisionRecord } from '../core/audit.ts';
import { diagnose } from '../core/diagnosis/index.ts';
import { appendAudit, auditContext } from './audit-trail.ts';
import type { DiagnoseInput, DiagnoseOutput, StepDeps } from './types.ts';

export async function diagnoseStep(deps: StepDeps, input: DiagnoseInput): Promise<DiagnoseOutput> {
  const { incident, execution } = input;
  const ports = await deps.portsFor(incident.accountId, incident.region);
  // Earlier executions of the same incident (e.g. a fix minutes ago) tell propagation from a new cause.
  const recentAudit = await deps.audit.listIncident(incident.key);
  const diagnosis = await diagnose(ports, incident, deps.config, { recentAudit });
  const ctx = auditContext(incident, execution, diagnosis.cause);
  await appendAudit(deps, incident.key, (seq) =>
    decisionRecord(ctx, seq, deps.clock.now(), {
      target: diagnosis.subject.roleArn ?? diagnosis.subject.instanceIds[0] ?? incident.key,
      summary: `diagnosis: ${diagnosis.cause}: ${diagnosis.summary}`,
      data: { cause: diagnosis.cause, evidence: diagnosis.evidence, plan: diagnosis.plan },
    }),
  );
  deps.logger.info({ cause: diagnosis.cause, plan: diagnosis.plan.map((a) => `${a.type} ${a.target}`) }, 'diagnosed');
  return { diagnosis, fixable: isFixable(diagnosis.cause) };
}
