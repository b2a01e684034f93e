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

/** Written BEFORE a change: what is about to be done, to what, and what is there now. */
export function intentRecord(ctx: AuditContext, sequence: number, action: PlannedAction, at: Date): AuditRecord {
  return {
    ...base(ctx, sequence, 'intent', at),
    target: action.target, action: action.type, before: null, after: null, result: 'pending', error: null,
    params: { ...action.params, reason: action.reason },
  };
}

/** Written AFTER a change: the exact previous state (for undo), the new state, the outcome. */
export function resultRecord(
  ctx: AuditContext, sequence: number, action: PlannedAction, at: Date,
  outcome: { result: AuditRecord['result']; before: unknown; after: unknown; error?: string | null },
): AuditRecord {
  return {
    ...base(ctx, sequence, 'result', at),
    target: action.target, action: action.type, before: outcome.before, after: outcome.after,
    result: outcome.result, error: outcome.error ?? null, params: { ...action.params },
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

/** A change undo must restore: a result record that did change something, not yet undone. */
export interface UndoStep {
  record: AuditRecord;
  action: PlannedAction;
}

// Steps that change nothing in the account.
const NOTHING_TO_UNDO = new Set(['wait', 'propose-policy', 'notify', 'decision']);

/** The applied steps of an incident, newest first — the order in which undo restores them. */
export function undoSteps(records: AuditRecord[]): UndoStep[] {
  const undone = new Set(
    records.filter((r) => r.phase === 'undo-result' && r.result === 'undone').map((r) => String((r.params ?? {})['undoes'] ?? '')),
  );
  return records
    .filter((r) => r.phase === 'result' && r.result === 'done' && !NOTHING_TO_UNDO.has(String(r.action)) && !undone.has(r.step))
    .sort((a, b) => compareSteps(b, a))
    .map((record) => ({
      record,
      action: {
        type: record.action as PlannedAction['type'],
        target: record.target,
        params: { ...(record.params ?? {}) },
        reason: `undo of ${record.step}`,
      },
    }));
}

export function undoIntentRecord(ctx: AuditContext, sequence: number, step: UndoStep, at: Date): AuditRecord {
  return {
    ...base(ctx, sequence, 'undo-intent', at),
    target: step.record.target, action: 'undo', before: step.record.after, after: step.record.before,
    result: 'pending', error: null, params: { undoes: step.record.step, type: step.record.action },
  };
}

export function undoResultRecord(ctx: AuditContext, sequence: number, step: UndoStep, at: Date, outcome: { ok: boolean; detail: string }): AuditRecord {
  return {
    ...base(ctx, sequence, 'undo-result', at),
    target: step.record.target, action: 'undo', before: step.record.after, after: step.record.before,
    result: outcome.ok ? 'undone' : 'failed', error: outcome.ok ? null : outcome.detail,
    params: { undoes: step.record.step, type: step.record.action, detail: outcome.detail },
  };
}
