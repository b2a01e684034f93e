/**
 * A fleet in the workflow: an incident with more instances than one execution plans (MAX_INSTANCES) keeps its instance list in the state table,
 * not in the state. The execution of the incident runs one child execution per page of the list (the same state
 * machine, `incident.batch` set), one after the other, so that no state and no execution history grows with the fleet.
 */
import { MAX_INSTANCES } from '../core/diagnosis/gather.ts';
import type { FleetRef, Incident } from '../core/incident.ts';
import type { InstanceListPort } from '../core/ports.ts';

/**
 * Instances per child execution. A batch's state holds its plan three times (diagnosis, guard decision, actions) and
 * one result per instance: about 0.8 KB per instance, so 100 stay near 80 KB, a third of the 256 KB limit.
 */
export const FLEET_BATCH_SIZE = 100;

/** Lists outlive the longest execution (approval window, propagation budget and an hour; 8 days at most by the ASL). */
export const FLEET_LIST_RETENTION_SECONDS = 9 * 24 * 3600;

export class FleetListMissingError extends Error {
  override readonly name = 'FleetListMissing' as const;
}

/**
 * The incident as the workflow receives it: unchanged while its instances fit one batch; else its list goes to the state
 * table under the execution's name and the incident carries the reference (`fleet`) with no instance ids.
 */
export async function withFleetList(lists: InstanceListPort | undefined, incident: Incident, executionName: string, now: Date): Promise<Incident> {
  if (!lists || incident.fleet || incident.instanceIds.length <= MAX_INSTANCES) return incident;
  const ids = incident.instanceIds;
  await lists.put(executionName, ids, FLEET_BATCH_SIZE, new Date(now.getTime() + FLEET_LIST_RETENTION_SECONDS * 1000));
  return {
    ...incident,
    // The trigger's own instances (a sweep lists the whole group there) stay only as far as the first batch holds them.
    trigger: triggerWithin(incident, ids.slice(0, FLEET_BATCH_SIZE)),
    instanceIds: [],
    fleet: { list: executionName, count: ids.length, batchSize: FLEET_BATCH_SIZE, batches: Math.ceil(ids.length / FLEET_BATCH_SIZE) },
  };
}

/** How many instances an incident is about (a fleet's list is not in the incident). */
export function instanceCountOf(incident: Pick<Incident, 'instanceIds' | 'fleet'>): number {
  return incident.fleet?.count ?? incident.instanceIds.length;
}

/** In a child execution: the incident with its batch's instances (read from the list); any other incident as it is. */
export async function batchIncident(lists: InstanceListPort | undefined, incident: Incident): Promise<Incident> {
  if (!incident.fleet || !incident.batch) return incident;
  const { list, batches } = incident.fleet;
  const index = incident.batch.index;
  if (!lists) throw new FleetListMissingError(`batch ${index + 1} of ${batches}: no instance list store is configured`);
  const ids = await lists.page(list, index);
  if (!ids) throw new FleetListMissingError(`batch ${index + 1} of ${batches}: page ${index} of instance list ${list} is not stored (expired or never written)`);
  return incidentWithin(incident, ids);
}

/** The incident about only `ids` of its instances (its trigger's launch trimmed to them). */
export function incidentWithin(incident: Incident, ids: string[]): Incident {
  return { ...incident, trigger: triggerWithin(incident, ids), instanceIds: ids };
}

/**
 * Every instance a fleet's list holds, for comparing late events with it; null when a page is not stored (nothing
 * can be said to be covered).
 */
export async function fleetInstances(lists: InstanceListPort | undefined, fleet: FleetRef): Promise<string[] | null> {
  if (!lists) return null;
  const ids: string[] = [];
  // Twenty-five pages at a time: a large fleet's list is read without a burst of hundreds of reads.
  for (let start = 0; start < fleet.batches; start += 25) {
    const pages = await Promise.all(Array.from({ length: Math.min(25, fleet.batches - start) }, (_, i) => lists.page(fleet.list, start + i)));
    for (const page of pages) {
      if (!page) return null;
      ids.push(...page);
    }
  }
  return ids;
}

/** The incident's trigger with only those of its launch's instances that are among `ids`. */
function triggerWithin(incident: Incident, ids: string[]): Incident['trigger'] {
  const launch = incident.trigger.launch;
  if (!launch) return incident.trigger;
  const kept = new Set(ids);
  return { ...incident.trigger, launch: { ...launch, instanceIds: launch.instanceIds.filter((id) => kept.has(id)) } };
}
