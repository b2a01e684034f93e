/** Diagnose step: what is wrong, with evidence and a plan. Writes nothing: Record audits the diagnosis with the outcome. */
import { isFixable } from '../core/causes.ts';
import { diagnose } from '../core/diagnosis/index.ts';
import { batchIncident } from './fleet.ts';
import type { DiagnoseInput, DiagnoseOutput, StepDeps } from './types.ts';

export async function diagnoseStep(deps: StepDeps, input: DiagnoseInput): Promise<DiagnoseOutput> {
  // A child execution of a fleet diagnoses its batch: the page of the instance list it was started for.
  const incident = await batchIncident(deps.instanceLists, input.incident);
  const ports = await deps.portsFor(incident.accountId, incident.region);
  // Earlier executions of the same incident (e.g. a fix minutes ago) tell propagation from a new cause.
  const recentAudit = await deps.audit.listIncident(incident.key);
  const diagnosis = await diagnose(ports, incident, deps.config, { recentAudit });
  deps.logger.info({ cause: diagnosis.cause, plan: diagnosis.plan.map((a) => `${a.type} ${a.target}`) }, 'diagnosed');
  // Healthy (nothing to fix) goes through the guard's nothing-to-do and is verified, never escalated as `unknown`.
  return { diagnosis, fixable: isFixable(diagnosis.cause) || diagnosis.healthy === true };
}
