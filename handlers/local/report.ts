/** What `runScenario` returns: the `simulate --json` document of CONTRACTS.md, plus timeline and notifications. */
import type { ActionResult, IncidentStatus } from '../core/incident.ts';
import type { Cause } from '../core/causes.ts';
import type { AnswerReport } from './answers.ts';

export interface TimelineEntry {
  /** Simulated time, ISO. */
  at: string;
  /** Simulated seconds since the start of the scenario. */
  t: number;
  /** Incident key ('' for intake). */
  incident: string;
  /** The state or phase: intake, Diagnose, Guard, ApplyAction, WaitForPropagation, Verify, … */
  step: string;
  text: string;
}

export interface IncidentReport {
  key: string;
  executionName: string;
  events: number;
  /** `unknown` when the execution failed before a diagnosis. */
  cause: Cause;
  status: IncidentStatus;
  reason: string;
  actions: Array<Pick<ActionResult, 'type' | 'target' | 'result'> & { detail?: string }>;
  simulatedSeconds: number;
  stateTransitions: number;
  /** The largest input or output of a state, in bytes of JSON (Step Functions' limit is 256 KB). */
  largestStateBytes: number;
  /** Events the execution's history would hold in Step Functions (its limit is 25,000), counted from the local run's states. */
  historyEvents: number;
  /**
   * A fleet incident (more instances than one batch): its child executions, one per batch. `largestStateBytes` and
   * `historyEvents` are the most of any one child (each execution has its own limits); `stateTransitions` their sum.
   */
  childExecutions?: { count: number; stateTransitions: number; largestStateBytes: number; historyEvents: number };
}

export interface NotificationReport {
  at: string;
  incident: string;
  status: string;
  subject: string;
  /** The Chatbot custom notification, parsed. */
  chatbot: unknown;
  email: string | null;
}

export interface SimulationReport {
  scenario: string;
  incidents: IncidentReport[];
  ignoredEvents: number;
  /** Records refused as input (forged or foreign envelope, malformed or foreign account), with the reason. */
  refusedEvents: Array<{ item: string; eventId: string | null; reason: string }>;
  /** Incidents outside scope.accounts/scope.regions: never started. */
  outOfScope: Array<{ key: string; reason: string }>;
  /** Executions started (one per incident; duplicates not counted). */
  executions: number;
  /** StartExecution calls for an execution that already existed (the same incident again). */
  duplicateStarts: number;
  api: { iamWrites: number; ec2Writes: number; reads: number; throttled: number };
  stateTransitions: number;
  account: unknown;
  timeline: TimelineEntry[];
  notifications: NotificationReport[];
  outcomeEvents: Array<{ detailType: string; detail: unknown }>;
  /** Answers given through the answer path (scenario `approvals`), refused ones included. */
  answers: AnswerReport[];
}

/** A published message as the report shows it: the Chatbot custom notification parsed, the email text. */
export function toNotificationReport(m: { at: string; subject: string; body: string; email?: string; attributes?: Record<string, string> }): NotificationReport {
  let chatbot: unknown = m.body;
  try {
    chatbot = JSON.parse(m.body);
  } catch {
    // not JSON: keep the text
  }
  return { at: m.at, incident: m.attributes?.['incident'] ?? '', status: m.attributes?.['status'] ?? '', subject: m.subject, chatbot, email: m.email ?? null };
}
