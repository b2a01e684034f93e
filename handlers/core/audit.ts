/** Audit records of CONTRACTS.md: built here (pure), stored by an AuditStore adapter. */
import type { AuditPhase, AuditRecord } from './audit-record.ts';
import type { Cause } from './causes.ts';
import type { PlannedAction } from './incident.ts';

/** Who and where: the same for every record of one execution. */
export interface AuditContext {
  incidentKey: string;
  executionName: string;
  cause: Cause | null;
  account: string;
  region: string;
  /** Workflow execution ARN/name, or the person running `undo`. */
  actor: string;
}

/** Step of the n-th record of an incident: "0003-intent" (at least four digits). */
export function stepId(sequence: number, phase: AuditPhase): string {
  return `${String(sequence).padStart(4, '0')}-${phase}`;
}

/** The sequence number of a step ("0003-intent" → 3); 0 when it has none. */
export function sequenceOf(step: string): number {
  return Number.parseInt(step, 10) || 0;
}

/** Oldest first by sequence number (numeric: "10000-…" comes after "9999-…"), then phase. */
export function compareSteps(a: Pick<AuditRecord, 'step'>, b: Pick<AuditRecord, 'step'>): number {
  return sequenceOf(a.step) - sequenceOf(b.step) || a.step.localeCompare(b.step);
}

function base(ctx: AuditContext, sequence: number, phase: AuditPhase, at: Date): Omit<AuditRecord, 'target' | 'action' | 'before' | 'after' | 'result' | 'error'> {
  return {
    incidentKey: ctx.incidentKey,
    executionName: ctx.executionName,
    step: stepId(sequence, phase),
    phase,
    cause: ctx.cause,
    account: ctx.account,
    region: ctx.region,
    actor: ctx.actor,
    timestamp: at.toISOString(),
  };
}

/** Written BEFORE a change: what is about to be done, to what, and the exact state it replaces (read just before). */
export function intentRecord(ctx: AuditContext, sequence: number, action: PlannedAction, at: Date, before: unknown = null): AuditRecord {
  return {
    ...base(ctx, sequence, 'intent', at),
    target: action.target, action: action.type, before, after: null, result: 'pending', error: null,
    params: { ...action.params, reason: action.reason },
  };
}

/** Written AFTER a change: the exact previous state (for undo), the new state, the outcome. */
export function resultRecord(
  ctx: AuditContext, sequence: number, action: PlannedAction, at: Date,
  outcome: { result: AuditRecord['result']; before: unknown; after: unknown; error?: string | null; detail?: string },
): AuditRecord {
  return {
    ...base(ctx, sequence, 'result', at),
    target: action.target, action: action.type, before: outcome.before, after: outcome.after,
    result: outcome.result, error: outcome.error ?? null, params: { ...action.params, ...(outcome.detail ? { detail: outcome.detail } : {}) },
  };
}

/** A decision of the workflow (guard verdict, approval answer, final status): no change, just the why. */
export function decisionRecord(ctx: AuditContext, sequence: number, at: Date, decision: { target: string; summary: string; data?: unknown }): AuditRecord {
  return {
    ...base(ctx, sequence, 'decision', at),
    target: decision.target, action: 'decision', before: null, after: decision.data ?? { summary: decision.summary },
    result: 'info', error: null, params: { summary: decision.summary },
  };
}

/**
 * A change undo must restore: a `done` result, or an intent (or a failed result) with a recorded `before` and no
 * later result of the same action — a write the crashed or failed attempt may have made (`applied: 'maybe'`).
 */
export interface UndoStep {
  record: AuditRecord;
  action: PlannedAction;
  applied: 'done' | 'maybe';
}

// Steps that change nothing in the account.
const NOTHING_TO_UNDO = new Set(['wait', 'propose-policy', 'notify', 'decision']);

/** Parameters of the planned action a record holds, without what the records add (reason, detail). */
export function actionParams(record: AuditRecord): Record<string, unknown> {
  const { reason: _reason, detail: _detail, ...params } = record.params ?? {};
  return params;
}

/** The changes of an incident not yet undone, newest first — the order in which undo restores them. */
export function undoSteps(records: AuditRecord[]): UndoStep[] {
  const undone = new Set(
    records.filter((r) => r.phase === 'undo-result' && r.result === 'undone').map((r) => String((r.params ?? {})['undoes'] ?? '')),
  );
  // The last intent or result of each action of each execution says how that action ended.
  const last = new Map<string, AuditRecord>();
  for (const r of [...records].sort(compareSteps)) {
    if ((r.phase !== 'intent' && r.phase !== 'result') || NOTHING_TO_UNDO.has(String(r.action))) continue;
    last.set(JSON.stringify([r.executionName, r.action, r.target, actionParams(r)]), r);
  }
  return [...last.values()]
    .flatMap((record): UndoStep[] => {
      if (undone.has(record.step)) return [];
      if (record.phase === 'result' && record.result === 'done') return [{ record, action: actionOf(record), applied: 'done' }];
      const open = record.phase === 'intent' || record.result === 'failed';
      return open && record.before !== null && record.before !== undefined ? [{ record, action: actionOf(record), applied: 'maybe' }] : [];
    })
    .sort((a, b) => compareSteps(b.record, a.record));
}

function actionOf(record: AuditRecord): PlannedAction {
  return { type: record.action as PlannedAction['type'], target: record.target, params: actionParams(record), reason: `undo of ${record.step}` };
}

export function undoIntentRecord(ctx: AuditContext, sequence: number, step: UndoStep, at: Date, force = false): AuditRecord {
  return {
    ...base(ctx, sequence, 'undo-intent', at),
    target: step.record.target, action: 'undo', before: step.record.after, after: step.record.before,
    result: 'pending', error: null, params: { undoes: step.record.step, type: step.record.action, ...(force ? { force: true } : {}) },
  };
}

export function undoResultRecord(ctx: AuditContext, sequence: number, step: UndoStep, at: Date, outcome: { result: 'undone' | 'conflict' | 'failed'; detail: string; current?: unknown }): AuditRecord {
  const ok = outcome.result === 'undone';
  return {
    ...base(ctx, sequence, 'undo-result', at),
    target: step.record.target, action: 'undo', before: ok ? step.record.after : (outcome.current ?? null), after: step.record.before,
    result: outcome.result, error: ok ? null : outcome.detail,
    params: { undoes: step.record.step, type: step.record.action, detail: outcome.detail },
  };
}
