/**
 * Intake step: CloudTrail documents (one per SQS message) → classified records → incidents → one
 * execution per incident, with a deterministic name. Shared by the intake Lambda and the local runner.
 */
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import type { Clock, InstanceListPort, WorkflowPort } from '../core/ports.ts';
import { classifyDelivered, extractDelivered, incidentKey, type DeliveredRecord } from '../core/events/index.ts';
import type { Incident } from '../core/incident.ts';
import { driftKey, driftRegions, driftVerdict } from '../core/intake-drift.ts';
import { coalesceIncidents, executionNameOf, lateEventDecision, outOfScopeReason, type ExistingExecution, type KeyedClassification } from '../core/intake.ts';
import { fleetInstances, incidentWithin, withFleetList } from './fleet.ts';
import type { WorkflowInput } from './types.ts';

export interface IntakeItem {
  /** The SQS message id (or any id that names the item in a partial batch response). */
  id: string;
  /** The message body: JSON text, or an already parsed document. */
  body: unknown;
  /**
   * When the event reached the queue (epoch ms; SQS `SentTimestamp`, the same on every re-delivery): the
   * execution window. @default the clock's now
   */
  receivedAt?: number;
}

export interface StartedIncident {
  incident: Incident;
  executionName: string;
  executionArn: string;
  alreadyStarted: boolean;
  /** A follow-up of this execution: late events of the same key and window that it does not cover. */
  followUpOf?: string;
}

export interface IntakeDeps {
  workflow: WorkflowPort;
  logger: Logger;
  /** The receive time of items that do not carry one. */
  clock: Clock;
  /** `scope.accounts`/`scope.regions`: incidents elsewhere never start. @default everywhere */
  scope?: Pick<Config['scope'], 'accounts' | 'regions'>;
  /**
   * Only records in an EventBridge envelope count (the Lambda: its queue is fed by the rules, and a message
   * sent to the queue by hand carries no envelope EventBridge vouches for). @default false (files, scenarios)
   */
  requireEnvelope?: boolean;
  /** `drift` of the configuration: changes that break an in-use instance role start a drift incident. @default none start */
  drift?: Config['drift'];
  /** Where an incident with more instances than one batch keeps its list (the state table). @default kept in the input */
  instanceLists?: InstanceListPort;
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
  /** Starts of a follow-up that already existed: the same late events seen again, counted, not an error. */
  duplicates: number;
  /** Late events of a running execution that already covers their instances and actions: counted, logged. */
  merged: Array<{ key: string; executionName: string; events: number; reason: string }>;
  /** Items that must be delivered again: malformed, or their incident could not be started. */
  failedItems: Array<{ id: string; error: string }>;
}

function parseBody(body: unknown): unknown {
  return typeof body === 'string' ? JSON.parse(body) : body;
}

/** Log lines per batch for refused records; the rest are counted. */
const MAX_LOGGED_REJECTIONS = 20;

/** The drift incidents a change record belongs to (its items come back with them when a start fails). */
function driftKeysOf(k: KeyedClassification, deps: IntakeDeps): string[] {
  if (!deps.drift || !driftVerdict(k.classification, deps.drift).drift) return [];
  return driftRegions(k.classification, deps.scope?.regions ?? []).map((region) => driftKey(k.classification, region));
}

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
      const keys = k.key !== null && k.classification.kind !== 'ignored' && k.classification.kind !== 'change' ? [k.key] : driftKeysOf(k, deps);
      for (const key of keys) itemsByKey.set(key, (itemsByKey.get(key) ?? new Set<string>()).add(item.id));
    }
  }

  for (const r of rejected.slice(0, MAX_LOGGED_REJECTIONS)) deps.logger.warn({ messageId: r.item, eventId: r.eventId, reason: r.reason }, 'record refused');
  if (rejected.length > MAX_LOGGED_REJECTIONS) deps.logger.warn({ refused: rejected.length, logged: MAX_LOGGED_REJECTIONS }, 'more records refused');

  const { incidents, ignored, changes, driftSkipped } = coalesceIncidents(keyed, deps.drift ? { drift: deps.drift, regions: deps.scope?.regions ?? [] } : undefined);
  for (const s of driftSkipped ?? []) deps.logger.info({ eventId: s.eventId, eventName: s.eventName, reason: s.reason }, 'change starts no drift incident');
  const receivedAt = (key: string) => {
    const times = items.filter((item) => itemsByKey.get(key)?.has(item.id) && item.receivedAt !== undefined).map((item) => item.receivedAt!);
    return times.length ? Math.min(...times) : deps.clock.now().getTime();
  };
  const started: StartedIncident[] = [];
  const merged: IntakeSummary['merged'] = [];
  const outOfScope: IntakeSummary['outOfScope'] = [];
  let duplicates = 0;
  for (const incident of incidents) {
    const scopeProblem = deps.scope ? outOfScopeReason(incident, deps.scope) : null;
    if (scopeProblem) {
      outOfScope.push({ key: incident.key, reason: scopeProblem });
      deps.logger.info({ incident: incident.key, events: incident.eventCount, reason: scopeProblem }, 'incident out of scope: not started');
      continue;
    }
    try {
      const outcome = await startIncident(deps, incident, executionNameOf(incident, receivedAt(incident.key)));
      if ('merged' in outcome) {
        merged.push(outcome.merged);
      } else {
        if (outcome.started.alreadyStarted) duplicates++;
        started.push(outcome.started);
      }
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      deps.logger.error({ incident: incident.key, error }, 'could not start the execution');
      for (const id of itemsByKey.get(incident.key) ?? []) {
        if (!failedItems.some((f) => f.id === id)) failedItems.push({ id, error });
      }
    }
  }
  return { records: keyed.length + rejected.length, ignored, rejected, outOfScope, changes, started, duplicates, merged, failedItems };
}

/**
 * Starts the incident's execution of its window; when that one exists already (late events of the same key),
 * merges them into it when it runs and covers them, else starts a follow-up (core/intake.ts lateEventDecision).
 */
async function startIncident(deps: IntakeDeps, whole: Incident, executionName: string): Promise<{ started: StartedIncident } | { merged: IntakeSummary['merged'][number] }> {
  // A fleet's instance list goes to the state table first: the execution's input and state hold a reference.
  const incident = await withFleetList(deps.instanceLists, whole, executionName, deps.clock.now());
  const input: WorkflowInput = { incident };
  const first = await deps.workflow.startExecution(executionName, input);
  if (!first.alreadyStarted) {
    deps.logger.info({ incident: incident.key, executionName, events: incident.eventCount }, 'incident started');
    return { started: { incident, executionName, ...first } };
  }
  const existing = await deps.workflow.describeExecution(executionName);
  const decision = lateEventDecision(whole, executionName, { running: existing?.running ?? false, incident: await coveredBy(deps, existing?.input) });
  if (decision.kind === 'merged') {
    deps.logger.info({ incident: incident.key, executionName, events: incident.eventCount, reason: decision.reason }, 'late events merged into the running execution');
    return { merged: { key: incident.key, executionName, events: incident.eventCount, reason: decision.reason } };
  }
  // While the execution runs, its follow-up handles only the launched instances it does not cover.
  const uncovered = existing?.running && whole.kind === 'launch' && decision.newInstances.length ? incidentWithin(whole, decision.newInstances) : whole;
  const followUpIncident = await withFleetList(deps.instanceLists, uncovered, decision.executionName, deps.clock.now());
  const followUp = await deps.workflow.startExecution(decision.executionName, { incident: followUpIncident });
  deps.logger.info({ incident: incident.key, executionName: decision.executionName, followUpOf: executionName, events: incident.eventCount, reason: decision.reason, alreadyStarted: followUp.alreadyStarted },
    'late events: follow-up execution');
  return { started: { incident: followUpIncident, executionName: decision.executionName, ...followUp, followUpOf: executionName } };
}

/** The incident an execution was started with, when its input is one; a fleet's instances are read from its list. */
async function coveredBy(deps: IntakeDeps, input: unknown): Promise<ExistingExecution['incident']> {
  const incident = (input as { incident?: Partial<Incident> } | null)?.incident;
  if (!incident || !Array.isArray(incident.instanceIds) || !Array.isArray(incident.actions) || typeof incident.kind !== 'string') return null;
  const listed = incident.fleet ? await fleetInstances(deps.instanceLists, incident.fleet) : null;
  return { kind: incident.kind, instanceIds: listed ?? incident.instanceIds, actions: incident.actions };
}
