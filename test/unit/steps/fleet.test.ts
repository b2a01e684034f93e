/** A fleet's instance list out of the state: the incident the workflow gets, each child's batch, and the fleet's outcome. */
import { describe, expect, it } from 'vitest';
import { MemoryInstanceLists } from '../../../handlers/adapters/local/instance-lists.ts';
import type { AuditRecord } from '../../../handlers/core/audit-record.ts';
import type { Incident } from '../../../handlers/core/incident.ts';
import { batchIncident, FLEET_BATCH_SIZE, FleetListMissingError, withFleetList } from '../../../handlers/steps/fleet.ts';
import { batchOutcomesOf, fleetOutcome } from '../../../handlers/steps/fleet-outcome.ts';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `i-${String(from + i).padStart(17, '0')}`);

function incident(instanceIds: string[]): Incident {
  return {
    key: 'launch-111122223333-us-west-2-asg_web', accountId: '111122223333', region: 'us-west-2', kind: 'sweep',
    trigger: {
      eventId: null, eventName: 'Sweep', eventSource: 'iam-autoheal', eventTime: '2026-12-05T10:00:00Z', region: 'us-west-2', kind: 'launch', reason: 'sweep',
      principal: { roleName: null, roleArn: null, instanceId: null, accountId: '111122223333' }, action: null, resource: null, denial: null, change: null,
      launch: { instanceIds, instanceProfile: null, viaAutoScaling: true, launchTemplate: null, autoScalingGroup: 'web' },
    } as Incident['trigger'],
    instanceIds, actions: [], eventCount: 0, firstSeen: '2026-12-05T10:00:00Z', lastSeen: '2026-12-05T10:00:00Z', recentChanges: [],
  };
}

describe('withFleetList / batchIncident', () => {
  const now = new Date('2026-12-05T10:00:00Z');

  it('leaves an incident of up to 200 instances as it is (one execution plans them all)', async () => {
    const lists = new MemoryInstanceLists();
    const small = incident(ids(200));
    expect(await withFleetList(lists, small, 'exec-1', now)).toBe(small);
    expect(lists.pages('exec-1')).toBe(0);
  });

  it('moves a larger list to the store: the incident keeps a reference and no instance ids, the trigger only the first batch', async () => {
    const lists = new MemoryInstanceLists();
    const all = ids(1_050);
    const slim = await withFleetList(lists, incident(all), 'exec-1', now);
    expect(slim.instanceIds).toEqual([]);
    expect(slim.fleet).toEqual({ list: 'exec-1', count: 1_050, batchSize: FLEET_BATCH_SIZE, batches: 11 });
    expect(slim.trigger.launch!.instanceIds).toEqual(all.slice(0, FLEET_BATCH_SIZE));
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(incident(all)).length / 5);
    expect(lists.pages('exec-1')).toBe(11);
    // The child of batch 3 diagnoses exactly its page.
    const child = await batchIncident(lists, { ...slim, batch: { index: 3 } });
    expect(child.instanceIds).toEqual(all.slice(300, 400));
    expect(child.trigger.launch!.instanceIds).toEqual([]);
  });

  it('fails a child clearly when its page is not stored, and passes any other incident through', async () => {
    const lists = new MemoryInstanceLists();
    const slim = await withFleetList(lists, incident(ids(300)), 'exec-1', now);
    await expect(batchIncident(lists, { ...slim, batch: { index: 5 } })).rejects.toThrow(FleetListMissingError);
    await expect(batchIncident(lists, { ...slim, batch: { index: 5 } })).rejects.toThrow(/page 5 of instance list exec-1 is not stored/);
    expect(await batchIncident(lists, slim)).toBe(slim);
  });
});

describe('fleet outcome', () => {
  const prefix = 'f42b7a9069c383bbfa5b0a4b3c29d4ebbc393a6d037f7e5be00a358d4f16e417';
  const outcome = (index: number, status: string, actions: Array<{ type: string; target: string; result: string }>): AuditRecord => ({
    incidentKey: 'k', executionName: `${prefix}-b${index}`, step: `000${index}-decision`, phase: 'decision', cause: 'stale-launch-template', account: '1', region: 'r',
    target: 'k', action: 'decision', before: null, result: 'info', error: null, actor: 'x', timestamp: '2026-12-05T10:00:00Z',
    params: { summary: `outcome: ${status}: …` },
    after: { status, reason: `batch ${index} ${status}`, actions, diagnosis: { cause: 'stale-launch-template', summary: 'template without a profile' } },
  });
  const associations = (from: number, n: number) => ids(n, from).map((target) => ({ type: 'associate-profile', target, result: 'done' }));
  const template = { type: 'set-default-launch-template-version', target: 'lt-1', result: 'done' };
  const state = (batches: number, extra = {}) => ({
    incident: { ...incident([]), instanceIds: [], fleet: { list: 'exec-1', count: batches * 100 - 30, batchSize: 100, batches } },
    route: { path: 'fleet' as const }, ...extra,
  });

  it('is fixed when every batch verified, with instance actions counted per type and result, other actions once', () => {
    const records = [outcome(0, 'fixed', [template, ...associations(0, 100)]), outcome(1, 'fixed', associations(100, 100)), outcome(2, 'verified-no-change', [])];
    const batches = batchOutcomesOf([...records, { ...records[0]!, executionName: 'someone-else-b0' }], prefix);
    expect(batches.map((b) => b.index)).toEqual([0, 1, 2]);
    const result = fleetOutcome(state(3), batches);
    expect(result.status).toBe('fixed');
    expect(result.cause).toBe('stale-launch-template');
    expect(result.reason).toMatch(/^all 3 batches of 100 verified \(270 instances\); 2 needed a change/);
    expect(result.actions).toEqual([template, { type: 'associate-profile', target: '200 instances', result: 'done', detail: `${ids(1)[0]} … ${ids(1, 199)[0]}` }]);
  });

  it('is partially fixed when a batch left part of its changes for a person, and goes on with the next batches', () => {
    const batches = batchOutcomesOf([outcome(0, 'fixed', associations(0, 100)), outcome(1, 'partially-fixed', associations(100, 50)), outcome(2, 'fixed', associations(200, 70))], prefix);
    const result = fleetOutcome(state(3), batches);
    expect(result.status).toBe('partially-fixed');
    expect(result.reason).toMatch(/3 needed a change, 1 left part of it for a person$/);
  });

  it('counts the instances terminated mid-fix across the batches: one skipped line, and the reason says how many', () => {
    const gone = (from: number, n: number) => ids(n, from).map((target) => ({ type: 'associate-profile', target, result: 'skipped' }));
    const batches = batchOutcomesOf([outcome(0, 'fixed', [...associations(0, 97), ...gone(97, 3)]), outcome(1, 'fixed', [...associations(100, 98), ...gone(198, 2)]), outcome(2, 'fixed', associations(200, 70))], prefix);
    const result = fleetOutcome(state(3), batches);
    expect(result.status).toBe('fixed');
    expect(result.reason).toMatch(/; 5 instances were terminated before their change \(skipped, nothing written\)$/);
    expect(result.actions).toContainEqual({ type: 'associate-profile', target: '5 instances', result: 'skipped', detail: `${ids(1, 97)[0]} … ${ids(1, 199)[0]}` });
  });

  it('takes the status of the first batch that did not verify, and says how many instances were not handled', () => {
    const batches = batchOutcomesOf([outcome(0, 'fixed', associations(0, 100)), outcome(1, 'escalated', [])], prefix);
    const result = fleetOutcome(state(5), batches);
    expect(result.status).toBe('escalated');
    expect(result.reason).toBe('batch 2 of 5: batch 1 escalated; the 270 instances of the batches after it were not handled');
  });

  it('fails when the fan-out itself failed, naming the error and the batches done', () => {
    const batches = batchOutcomesOf([outcome(0, 'fixed', associations(0, 100))], prefix);
    const result = fleetOutcome(state(3, { error: { Error: 'States.TaskFailed', Cause: 'child execution failed' } }), batches);
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('States.TaskFailed: child execution failed; 1 of 3 batches done (100 instances of 270)');
  });
});
