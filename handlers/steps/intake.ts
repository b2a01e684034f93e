/**
 * Intake step: CloudTrail documents (one per SQS message) → classified records → incidents → one
 * execution per incident, with a deterministic name. Shared by the intake Lambda and the local runner.
 */
import type { Logger } from 'pino';
import type { WorkflowPort } from '../core/ports.ts';
import { classify, extractRecords, incidentKey } from '../core/events/index.ts';
import type { Incident } from '../core/incident.ts';
import { coalesceIncidents, executionNameOf, type KeyedClassification } from '../core/intake.ts';
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

export interface IntakeSummary {
  records: number;
  ignored: number;
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

export async function intakeStep(deps: { workflow: WorkflowPort; logger: Logger }, items: IntakeItem[]): Promise<IntakeSummary> {
  const failedItems: IntakeSummary['failedItems'] = [];
  const keyed: KeyedClassification[] = [];
  const itemsByKey = new Map<string, Set<string>>();
  for (const item of items) {
    let classified: KeyedClassification[];
    try {
      classified = extractRecords(parseBody(item.body), `message ${item.id}`).map((record) => {
        const classification = classify(record);
        return { key: incidentKey(classification), classification };
      });
    } catch (err) {
      // Only this item fails: the rest of the batch goes on, this one comes back (then to the DLQ).
      failedItems.push({ id: item.id, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    for (const k of classified) {
      keyed.push(k);
      if (k.key !== null && k.classification.kind !== 'ignored' && k.classification.kind !== 'change') {
        const ids = itemsByKey.get(k.key) ?? new Set<string>();
        itemsByKey.set(k.key, ids.add(item.id));
      }
    }
  }

  const { incidents, ignored, changes } = coalesceIncidents(keyed);
  const started: StartedIncident[] = [];
  let duplicates = 0;
  for (const incident of incidents) {
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
  return { records: keyed.length, ignored, changes, started, duplicates, failedItems };
}
