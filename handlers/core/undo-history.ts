/**
 * Who changed a resource since the incident changed it, and when, from CloudTrail's event history: an undo that
 * meets a conflict names the person (or service) behind the later change, not only the incident's own trail.
 * Read only on a conflict, one lookup of at most two pages; a failure is said, never the reason an undo fails.
 */
import { classify } from './events/classify.ts';
import type { CloudTrailRecord } from './events/records.ts';
import type { ActionType } from './incident.ts';
import type { AccountPorts } from './ports.ts';
import { changedBy } from './diagnosis/recent-changes.ts';

/** Actions whose target is an IAM resource: its events are kept in the partition's global region. */
const IAM_TARGETS = new Set<ActionType>(['merge-trust', 'attach-policy', 'put-inline-policy', 'add-role-to-profile']);
const MAX_PAGES = 2;

export interface HistoryChange {
  actor: string;
  at: string;
  eventName: string;
  eventId: string | null;
}

/** Changes of `target` recorded after `since`, oldest first; `error` when the event history could not be read. */
export async function changesSince(ports: AccountPorts, type: ActionType, target: string, since: string): Promise<{ changes: HistoryChange[]; error?: string }> {
  if (!ports.cloudTrail) return { changes: [], error: 'no CloudTrail client for this account' };
  const end = ports.clock.now();
  const start = new Date(Date.parse(since));
  if (!(start.getTime() < end.getTime())) return { changes: [] };
  try {
    const page = await ports.cloudTrail.lookupEvents({ attribute: { key: 'ResourceName', value: target }, startTime: start, endTime: end, maxPages: MAX_PAGES, global: IAM_TARGETS.has(type) });
    const changes: HistoryChange[] = [];
    for (const event of page.events) {
      const c = event.record ? classify(event.record as unknown as CloudTrailRecord) : null;
      if (!c || c.kind !== 'change' || !c.eventTime || Date.parse(c.eventTime) <= start.getTime()) continue;
      changes.push({ actor: changedBy(c), at: c.eventTime, eventName: c.eventName ?? event.eventName, eventId: c.eventId });
    }
    return { changes: changes.reverse() };
  } catch (err) {
    return { changes: [], error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}
