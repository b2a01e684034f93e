/** Appends audit records of one execution with the incident's next sequence number. */
import type { AuditRecord } from '../core/audit-record.ts';
import type { AuditContext } from '../core/audit.ts';
import type { Cause } from '../core/causes.ts';
import type { Incident } from '../core/incident.ts';
import type { ExecutionRef, StepDeps } from './types.ts';

export function auditContext(incident: Incident, execution: ExecutionRef, cause: Cause | null): AuditContext {
  return {
    incidentKey: incident.key,
    executionName: execution.name,
    cause,
    account: incident.accountId,
    region: incident.region,
    actor: execution.id || execution.name,
  };
}

/** Stores the record with the next free sequence number of the incident (the store never overwrites one). */
export async function appendAudit(deps: Pick<StepDeps, 'audit'>, incidentKey: string, build: (sequence: number) => AuditRecord): Promise<AuditRecord> {
  return deps.audit.append(incidentKey, build);
}
