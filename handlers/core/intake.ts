/**
 * Intake: turns a batch of classified CloudTrail records into incidents, one per root cause.
 * Pure: no clock, no I/O; records arrive classified and keyed (events' `classify` and `incidentKey`).
 */
import type { Config } from './config.ts';
import { executionNameFor } from './events/index.ts';
import { hash } from './events/incident-key.ts';
import type { Classification } from './events/model.ts';
import type { Incident } from './incident.ts';
import { driftKey, driftRegions, driftVerdict } from './intake-drift.ts';

/**
 * Events of one key within this window share one execution name (a storm over several batches = one
 * execution). A storm still going when the next window starts gets one more execution, which diagnoses
 * the account as it is then (the earlier fix is in its audit trail).
 */
export const EXECUTION_WINDOW_SECONDS = 900;
/** Change events this long before an incident's first event count as "recent" (propagation). */
export const RECENT_CHANGE_SECONDS = 900;
const MAX_RECENT_CHANGES = 20;
/** Distinct denied actions carried with their resource; more are still listed in `actions`. */
const MAX_DENIED_CALLS = 50;

/** Each distinct action with the first resource it was denied on. */
function deniedCallsOf(events: Classification[]): NonNullable<Incident['deniedCalls']> {
  const calls = new Map<string, string | null>();
  for (const c of events) if (c.action && !calls.has(c.action)) calls.set(c.action, c.resource);
  return [...calls].slice(0, MAX_DENIED_CALLS).map(([action, resource]) => ({ action, resource }));
}

export interface KeyedClassification {
  key: string | null;
  classification: Classification;
}

export interface IntakeResult {
  incidents: Incident[];
  /** Records classified `ignored`, or with no incident key (e.g. a launch with a profile). */
  ignored: number;
  /** Change records (they feed `recentChanges`; those that can break an in-use role also start a `drift` incident). */
  changes: number;
  /** Change records that started no drift incident, and why (harmless, ours, trusted, drift off). */
  driftSkipped?: Array<{ eventId: string | null; eventName: string | null; reason: string }>;
}

/** What the intake needs to tell a drift from a harmless or trusted change. */
export interface DriftIntake {
  drift: Config['drift'];
  /** `scope.regions`: where a change of a global IAM resource is diagnosed (none listed: the record's region). */
  regions: string[];
}

function timeOf(c: Classification): number {
  const t = c.eventTime ? Date.parse(c.eventTime) : Number.NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** The account that recorded the event: where the incident is diagnosed (events/origin.ts). */
function accountOf(c: Classification): string {
  return c.accountId ?? 'unknown';
}

function instanceIdsOf(c: Classification): string[] {
  return [c.principal.instanceId, ...(c.launch?.instanceIds ?? [])].filter((id): id is string => Boolean(id));
}

function incidentKind(c: Classification): Incident['kind'] {
  return c.kind === 'launch' ? 'launch' : 'access-denied';
}

/**
 * Groups keyed records into incidents: a storm of 1,000 denials of one role becomes one incident. With `drift`,
 * a change that can break an in-use instance role also starts a `drift` incident of its resource (intake-drift.ts).
 */
export function coalesceIncidents(records: KeyedClassification[], drift?: DriftIntake): IntakeResult {
  const groups = new Map<string, Classification[]>();
  const drifts = new Map<string, { region: string; events: Classification[] }>();
  const driftSkipped: NonNullable<IntakeResult['driftSkipped']> = [];
  const changes: Classification[] = [];
  let ignored = 0;
  for (const { key, classification: c } of records) {
    if (c.kind === 'change') {
      changes.push(c);
      if (!drift) continue;
      const verdict = driftVerdict(c, drift.drift);
      if (!verdict.drift) {
        driftSkipped.push({ eventId: c.eventId, eventName: c.eventName, reason: verdict.reason });
        continue;
      }
      for (const region of driftRegions(c, drift.regions)) {
        const k = driftKey(c, region);
        drifts.set(k, { region, events: [...(drifts.get(k)?.events ?? []), c] });
      }
    } else if (c.kind === 'ignored' || key === null) {
      ignored++;
    } else {
      const group = groups.get(key);
      if (group) group.push(c);
      else groups.set(key, [c]);
    }
  }
  const incidents = [...groups].map(([key, events]) => buildIncident(key, events, changes));
  for (const [key, { region, events }] of drifts) incidents.push(buildDriftIncident(key, region, events, changes));
  incidents.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.key.localeCompare(b.key));
  return { incidents, ignored, changes: changes.length, ...(drift ? { driftSkipped } : {}) };
}

/** A drift incident: the latest change of the resource is the trigger; no instance yet (the diagnosis finds those in use). */
function buildDriftIncident(key: string, region: string, events: Classification[], changes: Classification[]): Incident {
  const sorted = [...events].sort((a, b) => timeOf(a) - timeOf(b));
  const trigger = sorted[sorted.length - 1]!;
  const first = timeOf(sorted[0]!);
  const last = timeOf(trigger);
  const accountId = accountOf(trigger);
  const recentChanges = changes
    .filter((c) => accountOf(c) === accountId && timeOf(c) >= first - RECENT_CHANGE_SECONDS * 1000 && timeOf(c) <= last)
    .sort((a, b) => timeOf(b) - timeOf(a))
    .slice(0, MAX_RECENT_CHANGES);
  return {
    key, accountId, region, kind: 'drift', trigger, instanceIds: [], actions: [], deniedCalls: [],
    eventCount: sorted.length, firstSeen: new Date(first).toISOString(), lastSeen: new Date(last).toISOString(), recentChanges,
  };
}

function buildIncident(key: string, events: Classification[], changes: Classification[]): Incident {
  const sorted = [...events].sort((a, b) => timeOf(a) - timeOf(b));
  const trigger = sorted[0]!;
  const first = timeOf(trigger);
  const last = timeOf(sorted[sorted.length - 1]!);
  const accountId = accountOf(trigger);
  const recentChanges = changes
    .filter((c) => accountOf(c) === accountId)
    .filter((c) => timeOf(c) >= first - RECENT_CHANGE_SECONDS * 1000 && timeOf(c) <= last)
    .sort((a, b) => timeOf(b) - timeOf(a))
    .slice(0, MAX_RECENT_CHANGES);
  return {
    key,
    accountId,
    region: trigger.region ?? 'unknown',
    kind: incidentKind(trigger),
    trigger,
    instanceIds: [...new Set(sorted.flatMap(instanceIdsOf))],
    actions: [...new Set(sorted.map((c) => c.action).filter((a): a is string => Boolean(a)))],
    deniedCalls: deniedCallsOf(sorted),
    eventCount: sorted.length,
    firstSeen: new Date(first).toISOString(),
    lastSeen: new Date(last).toISOString(),
    recentChanges,
  };
}

/**
 * Why an incident's account or region is outside `scope.accounts`/`scope.regions` (checked at intake, before any
 * execution starts, and again by the guard), or null. An unknown account is never in a non-empty list.
 */
export function outOfScopeReason(incident: Pick<Incident, 'accountId' | 'region'>, scope: Pick<Config['scope'], 'accounts' | 'regions'>): string | null {
  if (scope.accounts.length && !scope.accounts.includes(incident.accountId)) return `account ${incident.accountId} is not in scope.accounts`;
  if (scope.regions.length && !scope.regions.includes(incident.region)) return `region ${incident.region} is not in scope.regions`;
  return null;
}

/** Merges the same key's incidents from several batches (or a re-delivery) into one. */
export function mergeIncidents(a: Incident, b: Incident): Incident {
  const [earlier, later] = a.firstSeen <= b.firstSeen ? [a, b] : [b, a];
  return {
    ...earlier,
    instanceIds: [...new Set([...earlier.instanceIds, ...later.instanceIds])],
    actions: [...new Set([...earlier.actions, ...later.actions])],
    deniedCalls: [...earlier.deniedCalls ?? [], ...(later.deniedCalls ?? []).filter((c) => !earlier.deniedCalls?.some((e) => e.action === c.action))].slice(0, MAX_DENIED_CALLS),
    eventCount: a.eventCount + b.eventCount,
    lastSeen: a.lastSeen > b.lastSeen ? a.lastSeen : b.lastSeen,
    recentChanges: [...earlier.recentChanges, ...later.recentChanges].slice(0, MAX_RECENT_CHANGES),
  };
}

/**
 * Deterministic execution name: the same key in the same time window always gives the same name, so a
 * re-delivered batch or the next batch of a storm is a duplicate start, not a second fix. The window is
 * that of `at`: for intake, when the event reached the queue (never the record's own eventTime, which
 * would let a record choose its window); the sweep's own time otherwise (its incident's firstSeen).
 */
export function executionNameOf(incident: Pick<Incident, 'key' | 'firstSeen'>, at: number | string = incident.firstSeen, windowSeconds = EXECUTION_WINDOW_SECONDS): string {
  const windowMs = windowSeconds * 1000;
  const ms = typeof at === 'number' ? at : Date.parse(at);
  return executionNameFor(incident.key, new Date(Math.floor((Number.isNaN(ms) ? 0 : ms) / windowMs) * windowMs));
}

/** What an existing execution of the same name was started with, and whether it still runs. */
export interface ExistingExecution {
  running: boolean;
  /** Its incident (the execution's input; a fleet's instances read from its list), null when unreadable. */
  incident: Pick<Incident, 'kind' | 'instanceIds' | 'actions'> | null;
}

/**
 * What to do with events whose execution name already exists (a late event of the same key and window):
 * - `merged`: the running execution already covers every instance (launch) and action (denial) they report;
 * - `follow-up`: they bring an instance or an action it does not cover, or it has ended: a follow-up execution
 *   diagnoses the account as it is now. Its name is derived from the base name and what is new, so a
 *   re-delivery of the same events is a duplicate start, and after the end only one re-check runs per window.
 * Denials of more instances of the same role and actions are covered: the role's diagnosis is the same.
 */
export type LateEventDecision =
  | { kind: 'merged'; reason: string }
  /** `newInstances`: the launched instances the running execution does not cover (what a follow-up of it handles). */
  | { kind: 'follow-up'; executionName: string; reason: string; newInstances: string[] };

export function lateEventDecision(incident: Pick<Incident, 'kind' | 'instanceIds' | 'actions'>, baseName: string, existing: ExistingExecution): LateEventDecision {
  const covered = existing.incident;
  const coveredInstances = new Set(covered?.instanceIds ?? []);
  const coveredActions = new Set(covered?.actions ?? []);
  const newInstances = incident.kind === 'launch' ? incident.instanceIds.filter((id) => !coveredInstances.has(id)) : [];
  const newActions = incident.kind === 'access-denied' ? incident.actions.filter((a) => !coveredActions.has(a)) : [];
  const news = [...newInstances.map((id) => `instance ${id}`), ...newActions.map((a) => `action ${a}`)];
  if (covered && news.length === 0 && existing.running) {
    return { kind: 'merged', reason: `execution ${baseName} is running and covers these events' instances and actions` };
  }
  const what = news.length ? news.sort().join(', ') : 'recheck after the end';
  const reason = news.length
    ? `${news.length > 3 ? `${news.slice(0, 3).join(', ')} and ${news.length - 3} more` : news.join(', ')} not covered by execution ${baseName}`
    : `execution ${baseName} has ended and events of its key still arrive`;
  return { kind: 'follow-up', executionName: followUpName(baseName, what), reason, newInstances };
}

/** `<base>-<6 hash characters>`, within the 80 characters of an execution name. */
function followUpName(baseName: string, what: string): string {
  return `${baseName.slice(0, 73)}-${hash(`${baseName}|${what}`).slice(-6)}`;
}
