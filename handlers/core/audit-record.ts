/** The audit record (CONTRACTS.md): one per step, written before a change (intent) and after (result). */
import type { Cause } from './causes.ts';
import type { ActionType } from './incident.ts';

export type AuditPhase = 'intent' | 'result' | 'undo-intent' | 'undo-result' | 'decision' | 'notification';

export interface AuditRecord {
  incidentKey: string;
  executionName: string;
  /** Sequence per incident and phase: "0001-intent", … (unique per incident; order by `compareSteps`). */
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
  result: 'pending' | 'done' | 'already-done' | 'failed' | 'proposed' | 'skipped' | 'undone' | 'conflict' | 'info';
  error: string | null;
  /** Workflow execution ARN/name, or the person running `undo`. */
  actor: string;
  timestamp: string;
  /** The full planned action, so that undo can replay its inverse. */
  params?: Record<string, unknown>;
}

export interface AuditStore {
  /**
   * Appends the record `build` makes for the incident's next free sequence number, without reading the trail.
   * Never overwrites: a number another writer took meanwhile is retried with the next one.
   */
  append(incidentKey: string, build: (sequence: number) => AuditRecord): Promise<AuditRecord>;
  /** Every record of one incident, oldest first. */
  listIncident(incidentKey: string): Promise<AuditRecord[]>;
  /** The newest record that one execution wrote for the incident (null: none): where a retried step resumes. */
  lastOfExecution(incidentKey: string, executionName: string): Promise<AuditRecord | null>;
  /** Incident keys with their last record, newest first. */
  listIncidents(limit?: number): Promise<Array<{ incidentKey: string; last: AuditRecord; steps: number }>>;
}
