/**
 * Undo of an incident: every change not yet undone, newest first, each audited (intent, then result). A change
 * is restored only while the resource is still what it left (or already what was there before); otherwise the
 * undo stops at that change and says what differs now and who changed it and when: the incident's trail, and
 * CloudTrail's event history (undo-history.ts).
 * One function for every caller: the CLI today, a Lambda (an undo button) tomorrow.
 */
import type { AuditRecord, AuditStore } from './audit-record.ts';
import { compareSteps, undoIntentRecord, undoResultRecord, undoSteps, type AuditContext, type UndoStep } from './audit.ts';
import type { AccountPorts } from './ports.ts';
import { remediationFor, type Before } from './remediations/index.ts';
import { UndoConflictError } from './remediations/errors.ts';
import { changesSince } from './undo-history.ts';

export interface UndoneStep {
  step: string;
  type: string;
  target: string;
  result: 'undone' | 'conflict' | 'failed';
  detail: string;
  /** For a conflict: what the resource holds now. */
  current?: unknown;
  /**
   * For a conflict: who changed the target since, and when — later records of the incident's trail (`source`
   * `audit`, with their step) and changes in CloudTrail's event history (`event-history`, with the event id).
   */
  changedBy?: Array<{ actor: string; at: string; step: string; action: string; source: 'audit' | 'event-history'; eventId?: string | null }>;
  /** For a conflict: why CloudTrail's event history could not be read, when it could not. */
  historyError?: string;
}

export interface UndoReport {
  incidentKey: string;
  steps: UndoneStep[];
  /** The conflict or failure the undo stopped at; null when every change was undone. */
  stoppedAt: UndoneStep | null;
}

/** How long to wait before retrying: real time against AWS, the virtual clock in a simulated account. */
export type Pause = (seconds: number) => Promise<void>;

export interface UndoIncidentOptions {
  /** Who undoes (a person, or the Slack user behind a button), for the audit trail. */
  actor: string;
  /** Restore even changes made over since (by a person or another incident). */
  force?: boolean;
  pause: Pause;
}

export class NoAuditRecordError extends Error {
  override readonly name = 'NoAuditRecord' as const;
}

// Throttling and transient answers are retried as the state machine retries them; anything else stops the undo.
const RETRIED = new Set(['Throttling', 'TransientAwsError']);
const ATTEMPTS = 6;

async function withRetries<T>(pause: Pause, body: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await body();
    } catch (err) {
      if (attempt >= ATTEMPTS || !(err instanceof Error) || !RETRIED.has(err.name)) throw err;
      await pause(Math.min(2 ** (attempt - 1), 20) * (0.5 + Math.random() / 2));
    }
  }
}

/** Records after the change that touched the same target, by someone other than this change. */
function laterChanges(records: AuditRecord[], step: UndoStep): UndoneStep['changedBy'] {
  return records
    .filter((r) => compareSteps(r, step.record) > 0 && r.target === step.record.target && (r.phase === 'result' || r.phase === 'undo-result') && r.result !== 'failed' && r.executionName !== step.record.executionName)
    .map((r) => ({ actor: r.actor, at: r.timestamp, step: r.step, action: r.phase === 'undo-result' ? `undo of ${String(r.params?.['undoes'] ?? '?')}` : String(r.action), source: 'audit' as const }));
}

export async function undoIncident(ports: AccountPorts, store: AuditStore, incidentKey: string, options: UndoIncidentOptions): Promise<UndoReport> {
  const records = await store.listIncident(incidentKey);
  if (records.length === 0) throw new NoAuditRecordError(`no audit record of incident ${incidentKey}`);
  const first = records[0]!;
  const ctx: AuditContext = { incidentKey, executionName: first.executionName, cause: first.cause, account: first.account, region: first.region, actor: options.actor };
  const steps: UndoneStep[] = [];
  for (const step of undoSteps(records)) {
    // Intent first, as for every change: the trail shows an undo that crashed half-way.
    await store.append(incidentKey, (seq) => undoIntentRecord(ctx, seq, step, ports.clock.now(), options.force));
    const report: UndoneStep = { step: step.record.step, type: step.action.type, target: step.action.target, result: 'undone', detail: '' };
    try {
      const undoOptions = { force: options.force ?? false, ...(step.applied === 'done' ? { after: step.record.after } : {}) };
      report.detail = await withRetries(options.pause, () => remediationFor(step.action.type).undo(ports, step.action, step.record.before as Before, undoOptions));
    } catch (err) {
      report.result = err instanceof UndoConflictError ? 'conflict' : 'failed';
      report.detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (err instanceof UndoConflictError) {
        report.current = err.current;
        const history = await changesSince(ports, step.action.type, step.action.target, step.record.timestamp);
        const changedBy = [
          ...(laterChanges(records, step) ?? []),
          ...history.changes.map((c) => ({ actor: c.actor, at: c.at, step: '', action: c.eventName, source: 'event-history' as const, eventId: c.eventId })),
        ];
        if (changedBy.length) report.changedBy = changedBy;
        if (history.error) report.historyError = history.error;
        const who = changedBy.filter((c) => c.source === 'event-history').map((c) => `${c.actor} (${c.action}) at ${c.at}`);
        if (who.length) report.detail += `; changed since by ${who.join(', ')} per CloudTrail`;
      }
    }
    await store.append(incidentKey, (seq) => undoResultRecord(ctx, seq, step, ports.clock.now(), { result: report.result, detail: report.detail, current: report.current }));
    steps.push(report);
    if (report.result !== 'undone') return { incidentKey, steps, stoppedAt: report };
  }
  return { incidentKey, steps, stoppedAt: null };
}
