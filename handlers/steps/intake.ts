/**
 * Intake step: CloudTrail documents (one per SQS message) → classified records → incidents → one
 * execution per incident, with a deterministic name. Shared by the intake Lambda and the local runner.
 */
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import type { WorkflowPort } from '../core/ports.ts';
import { classifyDelivered, extractDelivered, incidentKey, type DeliveredRecord } from '../core/events/index.ts';
import type { Incident } from '../core/incident.ts';
import { coalesceIncidents, executionNameOf, outOfScopeReason, type KeyedClassification } from '../core/intake.ts';
import type { WorkflowInput } from './types.ts';

export interface IntakeItem {
  /** The SQS message id (or any id that names the item in a partial batch response). */
  id: string;
  /** The message body: JSON text, or an already parsed document. */
  body: unknown;
}

export interface StartedIncident {
  incident: Incident;
  executionName: string;
  executionArn: string;
  alreadyStarted: boolean;
}

export interface IntakeDeps {
  workflow: WorkflowPort;
  logger: Logger;
  /** `scope.accounts`/`scope.regions`: incidents elsewhere never start. @default everywhere */
  scope?: Pick<Config['scope'], 'accounts' | 'regions'>;
  /**
   * Only records in an EventBridge envelope count (the Lambda: its queue is fed by the rules, and a message
   * sent to the queue by hand carries no envelope EventBridge vouches for). @default false (files, scenarios)
   */
  requireEnvelope?: boolean;
}

/** A record refused as input, and why (counted and logged, never retried: it would be refused again). */
export interface RejectedRecord {
  item: string;
  eventId: string | null;
  reason: string;
}

export interface IntakeSummary {
  records: number;
  ignored: number;
  /** Records refused as input: forged or foreign envelope, malformed or foreign account (events/origin.ts). */
  rejected: RejectedRecord[];
  /** Incidents whose account or region is outside `scope`: not started. */
  outOfScope: Array<{ key: string; reason: string }>;
  changes: number;
  started: StartedIncident[];
  /** Starts of an execution that already existed: the same incident seen again, counted, not an error. */
  duplicates: number;
  /** Items that must be delivered again: malformed, or their incident could not be started. */
  failedItems: Array<{ id: string; error: string }>;
}

function parseBody(body: unknown): unknown {
  return typeof body === 'string' ? JSON.parse(body) : body;
}

/** Log lines per batch for refused records; the rest are counted. */
const MAX_LOGGED_REJECTIONS = 20;

function withoutEnvelopeRejection(delivered: DeliveredRecord, requireEnvelope: boolean): string | null {
  return requireEnvelope && delivered.envelope === null ? 'not an EventBridge event: only CloudTrail events delivered by the rules start anything' : null;
}

export async function intakeStep(deps: IntakeDeps, items: IntakeItem[]): Promise<IntakeSummary> {
  const failedItems: IntakeSummary['failedItems'] = [];
  const rejected: RejectedRecord[] = [];
  const keyed: KeyedClassification[] = [];
  const itemsByKey = new Map<string, Set<string>>();
  for (const item of items) {
    let classified: KeyedClassification[];
    try {
      classified = extractDelivered(parseBody(item.body), `message ${item.id}`).map((delivered) => {
        const classification = classifyDelivered(delivered);
        const unenveloped = withoutEnvelopeRejection(delivered, deps.requireEnvelope ?? false);
        if (unenveloped) Object.assign(classification, { kind: 'ignored', reason: unenveloped, rejection: unenveloped });
        return { key: incidentKey(classification), classification };
      });
    } catch (err) {
      // Only this item fails: the rest of the batch goes on, this one comes back (then to the DLQ).
      failedItems.push({ id: item.id, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    for (const k of classified) {
      if (k.classification.rejection) {
        rejected.push({ item: item.id, eventId: k.classification.eventId, reason: k.classification.rejection });
        continue;
      }
      keyed.push(k);
      if (k.key !== null && k.classification.kind !== 'ignored' && k.classification.kind !== 'change') {
        const ids = itemsByKey.get(k.key) ?? new Set<string>();
        itemsByKey.set(k.key, ids.add(item.id));
      }
    }
  }

  for (const r of rejected.slice(0, MAX_LOGGED_REJECTIONS)) deps.logger.warn({ messageId: r.item, eventId: r.eventId, reason: r.reason }, 'record refused');
  if (rejected.length > MAX_LOGGED_REJECTIONS) deps.logger.warn({ refused: rejected.length, logged: MAX_LOGGED_REJECTIONS }, 'more records refused');

  const { incidents, ignored, changes } = coalesceIncidents(keyed);
  const started: StartedIncident[] = [];
  const outOfScope: IntakeSummary['outOfScope'] = [];
  let duplicates = 0;
  for (const incident of incidents) {
    const scopeProblem = deps.scope ? outOfScopeReason(incident, deps.scope) : null;
    if (scopeProblem) {
      outOfScope.push({ key: incident.key, reason: scopeProblem });
      deps.logger.info({ incident: incident.key, events: incident.eventCount, reason: scopeProblem }, 'incident out of scope: not started');
      continue;
    }
    const executionName = executionNameOf(incident);
    try {
      const input: WorkflowInput = { incident };
      const { executionArn, alreadyStarted } = await deps.workflow.startExecution(executionName, input);
      if (alreadyStarted) duplicates++;
      started.push({ incident, executionName, executionArn, alreadyStarted });
      deps.logger.info({ incident: incident.key, executionName, events: incident.eventCount, alreadyStarted }, 'incident started');
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      deps.logger.error({ incident: incident.key, error }, 'could not start the execution');
      for (const id of itemsByKey.get(incident.key) ?? []) {
        if (!failedItems.some((f) => f.id === id)) failedItems.push({ id, error });
      }
    }
  }
  return { records: keyed.length + rejected.length, ignored, rejected, outOfScope, changes, started, duplicates, failedItems };
}
