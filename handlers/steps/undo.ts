/**
 * Undo of an incident (`iam-autoheal undo <incident>`): restores the `before` of every applied change,
 * newest first, each restore audited (intent, then result) with the person who asked as the actor.
 */
import type { AccountPorts, Clock } from '../adapters/ports.ts';
import type { AuditStore } from '../core/audit-record.ts';
import { undoIntentRecord, undoResultRecord, undoSteps, type AuditContext } from '../core/audit.ts';
import { remediationFor, type Before } from '../core/remediations/index.ts';
import { appendAudit } from './audit-trail.ts';

export interface UndoDeps {
  audit: AuditStore;
  portsFor(accountId: string, region: string): Promise<AccountPorts> | AccountPorts;
  clock: Clock;
}

export interface UndoReport {
  incidentKey: string;
  restored: Array<{ step: string; type: string; target: string; detail: string }>;
  /** The restore that failed; older changes are left as they are, so that nothing is restored out of order. */
  failed: { step: string; type: string; target: string; error: string } | null;
  /** Changes still applied (not undone) after this run. */
  remaining: number;
}

export class NothingToUndoError extends Error {
  override readonly name = 'NothingToUndo' as const;
}

export async function undoIncident(deps: UndoDeps, incidentKey: string, actor: string): Promise<UndoReport> {
  const records = await deps.audit.listIncident(incidentKey);
  if (records.length === 0) throw new NothingToUndoError(`no audit record of incident ${incidentKey}`);
  const steps = undoSteps(records);
  const report: UndoReport = { incidentKey, restored: [], failed: null, remaining: steps.length };
  for (const step of steps) {
    const { record, action } = step;
    const ctx: AuditContext = {
      incidentKey, executionName: `undo-${record.executionName}`, cause: record.cause, account: record.account, region: record.region, actor,
    };
    await appendAudit(deps, incidentKey, (seq) => undoIntentRecord(ctx, seq, step, deps.clock.now()));
    try {
      const ports = await deps.portsFor(record.account, record.region);
      const detail = await remediationFor(action.type).undo(ports, action, (record.before ?? { kind: 'none' }) as Before);
      await appendAudit(deps, incidentKey, (seq) => undoResultRecord(ctx, seq, step, deps.clock.now(), { ok: true, detail }));
      report.restored.push({ step: record.step, type: action.type, target: action.target, detail });
      report.remaining--;
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await appendAudit(deps, incidentKey, (seq) => undoResultRecord(ctx, seq, step, deps.clock.now(), { ok: false, detail: error }));
      report.failed = { step: record.step, type: action.type, target: action.target, error };
      break;
    }
  }
  return report;
}
