/**
 * Recent changes from CloudTrail's event history (`cloudtrail:LookupEvents`), where the intake did not deliver
 * them: the sweep, `diagnose`, an operator's run — and, for an event, only the gap it leaves: an empty instance
 * profile whose removed role no delivered change names. The history is read, never trusted more than the intake's
 * change events: a removed role it names is a hint the guard still checks against authority (docs/SECURITY.md).
 *
 * Bounded and throttling-safe: LookupEvents takes one attribute per request and allows 2 requests per second per
 * account and region, so at most MAX_LOOKUPS lookups of MAX_PAGES pages each, over LOOKBACK_DAYS; a failed or
 * throttled lookup is evidence, never a failure of the diagnosis (and never counted as the incident's throttling).
 */
import { classify } from '../events/classify.ts';
import type { Classification } from '../events/model.ts';
import type { CloudTrailRecord } from '../events/records.ts';
import type { Evidence, Incident } from '../incident.ts';
import { isAwsAnswer, type AccountPorts, type EventLookupAttribute } from '../ports.ts';
import type { Facts } from './facts.ts';
import { changedBy } from './recent-changes.ts';
import { retryThrottled } from './reader.ts';

export const EVENT_HISTORY_LIMITS = { lookbackDays: 30, maxPages: 2, maxLookups: 4 } as const;

/** `full`: the incident brought no change events (sweep, `diagnose`, operator mode); `gaps`: only what an event leaves open. */
export type EventHistoryMode = 'full' | 'gaps';

export interface EventHistoryLookup {
  attribute: string;
  /** Searched in the partition's global region (IAM's events). */
  global: boolean;
  events: number;
  pages: number;
  truncated: boolean;
  error?: string;
}

export interface EventHistoryFacts {
  /** `read`: every lookup answered; `partial`: some failed; `failed`: none answered; `unavailable`: no CloudTrail port. */
  status: 'read' | 'partial' | 'failed' | 'unavailable';
  since: string;
  lookups: EventHistoryLookup[];
  /** Change events found for the incident's resources, newest first (those also delivered by the intake left out). */
  changes: Array<{ eventId: string | null; eventName: string | null; at: string | null; by: string; resource: string | null; detail?: Record<string, string | null> }>;
}

const INSTANCE_PROFILE_REMOVAL = 'RemoveRoleFromInstanceProfile';

/** What to look up, most telling first: empty profiles (the removed role), then in `full` the role and the instance. */
function lookupsFor(incident: Incident, facts: Facts, mode: EventHistoryMode): Array<{ attribute: EventLookupAttribute; global: boolean }> {
  const out: Array<{ attribute: EventLookupAttribute; global: boolean }> = [];
  const add = (value: string | null | undefined, global: boolean) => {
    if (value && !out.some((l) => l.attribute.value === value)) out.push({ attribute: { key: 'ResourceName', value }, global });
  };
  const named = (profile: string) => incident.recentChanges.some((c) => c.eventName === INSTANCE_PROFILE_REMOVAL && c.change?.resource === profile && c.change.detail?.roleName);
  for (const instance of facts.instances) {
    if (instance.profile && instance.profile.roles.length === 0 && !named(instance.profile.name)) add(instance.profile.name, true);
  }
  if (mode === 'full') {
    const primary = facts.instances[0];
    add(primary?.profile?.roles[0] ?? facts.denied.roleName, true);
    add(primary?.info ? primary.id : null, false);
    add(primary?.profile?.name, true);
  }
  return out.slice(0, EVENT_HISTORY_LIMITS.maxLookups);
}

/** Whether this incident's diagnosis reads the event history, and how much of it. */
export function eventHistoryMode(incident: Incident, requested: EventHistoryMode | undefined): EventHistoryMode {
  return requested ?? (incident.kind === 'sweep' ? 'full' : 'gaps');
}

/**
 * Reads the event history for the incident's resources. Returns the incident with the change events found added to
 * `recentChanges` (so that the diagnosis treats them as it treats delivered ones) and what was read, for the
 * evidence; the incident unchanged and null when there was nothing to look up.
 */
export async function withEventHistory(ports: AccountPorts, incident: Incident, facts: Facts, mode: EventHistoryMode): Promise<{ incident: Incident; history: EventHistoryFacts | null }> {
  const planned = lookupsFor(incident, facts, mode);
  if (planned.length === 0) return { incident, history: null };
  const end = ports.clock.now();
  const start = new Date(end.getTime() - EVENT_HISTORY_LIMITS.lookbackDays * 86_400_000);
  const history: EventHistoryFacts = { status: 'read', since: start.toISOString(), lookups: [], changes: [] };
  if (!ports.cloudTrail) return { incident, history: { ...history, status: 'unavailable' } };

  const delivered = new Set(incident.recentChanges.map((c) => c.eventId).filter(Boolean));
  const found: Classification[] = [];
  for (const { attribute, global } of planned) {
    const lookup: EventHistoryLookup = { attribute: `${attribute.key}=${attribute.value}`, global, events: 0, pages: 0, truncated: false };
    history.lookups.push(lookup);
    try {
      const page = await retryThrottled(() => ports.cloudTrail!.lookupEvents({ attribute, startTime: start, endTime: end, maxPages: EVENT_HISTORY_LIMITS.maxPages, global }), ports.clock);
      Object.assign(lookup, { events: page.events.length, pages: page.pages, truncated: page.truncated });
      for (const event of page.events) {
        const c = event.record ? classify(event.record as unknown as CloudTrailRecord) : null;
        if (!c || c.kind !== 'change' || !c.change || (c.accountId && c.accountId !== incident.accountId)) continue;
        if (delivered.has(c.eventId) || found.some((f) => f.eventId && f.eventId === c.eventId)) continue;
        found.push(c);
      }
    } catch (err) {
      // A dying Lambda is not an answer of CloudTrail: it fails the step (and the state machine retries it).
      if (!isAwsAnswer(err)) throw err;
      // Throttled past our retries (reader.ts), refused (no cloudtrail:LookupEvents, an SCP), or down: reported, not fatal.
      lookup.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      // LookupEvents allows 2 requests per second: after a throttle, further lookups would be throttled too.
      if (err instanceof Error && err.name === 'Throttling') break;
    }
  }
  const failed = history.lookups.filter((l) => l.error).length;
  history.status = failed === 0 ? 'read' : failed === history.lookups.length ? 'failed' : 'partial';
  found.sort((a, b) => Date.parse(b.eventTime ?? '') - Date.parse(a.eventTime ?? ''));
  history.changes = found.map((c) => ({ eventId: c.eventId, eventName: c.eventName, at: c.eventTime, by: changedBy(c), resource: c.change!.resource, ...(c.change!.detail ? { detail: c.change!.detail } : {}) }));
  // A role the service itself took out of a profile (an `undo` someone ran) is never put back on the history's word.
  const hints = found.filter((c) => !(c.eventName === INSTANCE_PROFILE_REMOVAL && changedBy(c) === 'iam-autoheal'));
  return { incident: { ...incident, recentChanges: [...incident.recentChanges, ...hints] }, history };
}

/** The evidence lines: what the history says changed, or why it could not be read. */
export function eventHistoryEvidence(history: EventHistoryFacts | null | undefined): Evidence[] {
  if (!history) return [];
  if (history.status === 'unavailable') return [{ kind: 'event history', summary: 'CloudTrail event history not read: no CloudTrail client in this account (recent changes not looked up)' }];
  const out: Evidence[] = [];
  for (const l of history.lookups.filter((l) => l.error)) {
    out.push({ kind: 'event history', summary: `CloudTrail LookupEvents ${l.attribute}${l.global ? ' (global region)' : ''} failed: ${l.error}; diagnosed without it`, data: l });
  }
  const answered = history.lookups.filter((l) => !l.error);
  if (answered.length) {
    const truncated = answered.some((l) => l.truncated) ? ` (stopped after ${EVENT_HISTORY_LIMITS.maxPages} pages of a lookup)` : '';
    out.push({
      kind: 'event history',
      summary: `CloudTrail event history since ${history.since.slice(0, 10)}: ${answered.map((l) => l.attribute).join(', ')} → ${history.changes.length} change(s)${truncated}`,
      data: { lookups: history.lookups, changes: history.changes },
    });
  }
  for (const c of history.changes.slice(0, 5)) {
    const detail = c.detail ? Object.entries(c.detail).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ') : '';
    out.push({ kind: 'event history', summary: `${c.by} called ${c.eventName} on ${c.resource}${detail ? ` (${detail})` : ''} at ${c.at}`, data: c });
  }
  return out;
}
