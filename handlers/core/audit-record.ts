/** The audit record (CONTRACTS.md): one per step, written before a change (intent) and after (result). */
import type { Cause } from './causes.ts';
import type { ActionType } from './incident.ts';

export type AuditPhase = 'intent' | 'result' | 'undo-intent' | 'undo-result' | 'decision' | 'notification';

export interface AuditRecord {
  incidentKey: string;
  executionName: string;
  /** Monotonic per incident: "0001-intent", … (sort key). */
  step: string;
  phase: AuditPhase;
  cause: Cause | null;
  account: string;
  region: string;
  /** ARN or id of what is changed. */
  target: string;
  action: ActionType | 'decision' | 'undo' | 'notify';
  /** Exact previous document / association / version (null when nothing existed). */
  before: unknown;
  after: unknown;
  result: 'pending' | 'done' | 'already-done' | 'failed' | 'proposed' | 'skipped' | 'undone' | 'info';
  error: string | null;
  /** Workflow execution ARN/name, or the person running `undo`. */
  actor: string;
  timestamp: string;
  /** The full planned action, so that undo can replay its inverse. */
  params?: Record<string, unknown>;
}

export interface AuditStore {
  append(record: AuditRecord): Promise<void>;
  /** Every record of one incident, oldest first. */
  listIncident(incidentKey: string): Promise<AuditRecord[]>;
  /** Incident keys with their last record, newest first. */
  listIncidents(limit?: number): Promise<Array<{ incidentKey: string; last: AuditRecord; steps: number }>>;
}
