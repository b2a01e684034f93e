/**
 * No lost incidents at intake: launches by hand are incidents of their own, windows follow the receive time,
 * and a late event of a key whose execution already exists is merged into it (running, covered) or starts a
 * follow-up execution (new instances or actions, or after its end) — counted and logged, never dropped.
 * Events are the real CloudTrail records (a console launch, an Auto Scaling launch, an instance-role denial).
 */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryInstanceLists } from '../../handlers/adapters/local/instance-lists.ts';
import { RecordingWorkflow } from '../../handlers/adapters/local/recorders.ts';
import type { WorkflowPort } from '../../handlers/core/ports.ts';
import { intakeStep, type IntakeItem } from '../../handlers/steps/intake.ts';
import { CLOUDTRAIL_FIXTURES } from '../infra/cloudtrail-envelope.ts';
import { denialStorm } from '../unit/intake/storm.ts';

const RECEIVED = Date.parse('2026-10-19T08:01:00Z');
const fixture = (file: string): Record<string, any> => JSON.parse(readFileSync(`${CLOUDTRAIL_FIXTURES}/${file}`, 'utf8'));

/** The real console launch without a profile, as instance `id`. */
function manualLaunch(id: string): Record<string, any> {
  const record = fixture('launch--runinstances--iam-user-console--no-profile.json');
  record.responseElements.instancesSet.items[0].instanceId = id;
  record.eventID = `launch-${id}`;
  return record;
}

/** The real Auto Scaling launch (service-linked role, group tag), as instances `ids`. */
function scaleOut(ids: string[]): Record<string, any> {
  const record = fixture('launch--runinstances--autoscaling-service-linked-role.json');
  const [item] = record.responseElements.instancesSet.items;
  record.responseElements.instancesSet.items = ids.map((instanceId) => ({ ...item, instanceId }));
  record.eventID = `scale-out-${ids.join('-')}`;
  return record;
}

function intake(workflow: WorkflowPort, bodies: unknown[], receivedAt = RECEIVED, prefix = 'm') {
  const items: IntakeItem[] = bodies.map((body, i) => ({ id: `${prefix}-${i}`, body, receivedAt }));
  return intakeStep({ workflow, logger: pino({ level: 'silent' }), clock: { now: () => new Date(0) } }, items);
}

describe('launches by hand', () => {
  it('two launches without a profile in one account, region and window are two incidents, each started', async () => {
    const workflow = new RecordingWorkflow();
    const first = await intake(workflow, [manualLaunch('i-0aaaaaaaaaaaaaaa1')]);
    const second = await intake(workflow, [manualLaunch('i-0bbbbbbbbbbbbbbb2')], RECEIVED + 60_000, 'n');
    expect(workflow.started.map((s) => (s.input as any).incident.instanceIds)).toEqual([['i-0aaaaaaaaaaaaaaa1'], ['i-0bbbbbbbbbbbbbbb2']]);
    expect(first.started[0]!.executionName).not.toBe(second.started[0]!.executionName);
  });
});

describe('execution windows', () => {
  it('follow the receive time: a record whose eventTime lies years ahead reserves no future window', async () => {
    const workflow = new RecordingWorkflow();
    const [denial] = denialStorm(1, 1);
    denial!.eventTime = '2031-06-01T00:00:00Z';
    const { started } = await intake(workflow, [denial]);
    expect(started[0]!.executionName).toMatch(/-20261019T0800$/);
  });

  it('take the earliest receive time of the incident’s messages', async () => {
    const workflow = new RecordingWorkflow();
    const storm = denialStorm(2, 2);
    const items: IntakeItem[] = [{ id: 'late', body: storm[1], receivedAt: RECEIVED + 900_000 }, { id: 'early', body: storm[0], receivedAt: RECEIVED }];
    const { started } = await intakeStep({ workflow, logger: pino({ level: 'silent' }), clock: { now: () => new Date(0) } }, items);
    expect(started).toHaveLength(1);
    expect(started[0]!.executionName).toMatch(/-20261019T0800$/);
  });
});

describe('late events of a key whose execution exists', () => {
  it('merge into the running execution when it covers their instances and actions (more instances of the same role)', async () => {
    const workflow = new RecordingWorkflow();
    const storm = denialStorm(40, 8);
    await intake(workflow, storm.slice(0, 20));
    const late = await intake(workflow, storm.slice(20), RECEIVED + 30_000, 'late');
    expect(workflow.started).toHaveLength(1);
    expect(late.merged).toEqual([expect.objectContaining({ events: 20, reason: expect.stringMatching(/is running and covers/) })]);
  });

  it('start a follow-up for instances of a scale-out that the running execution does not cover', async () => {
    const workflow = new RecordingWorkflow();
    const first = await intake(workflow, [scaleOut(['i-0000000000000000a', 'i-0000000000000000b'])]);
    const late = await intake(workflow, [scaleOut(['i-0000000000000000c'])], RECEIVED + 60_000, 'late');
    expect(late.merged).toEqual([]);
    expect(late.started).toEqual([expect.objectContaining({ followUpOf: first.started[0]!.executionName, alreadyStarted: false })]);
    expect(late.started[0]!.executionName).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect((workflow.started[1]!.input as any).incident.instanceIds).toEqual(['i-0000000000000000c']);
    // The same late message delivered again: a duplicate start of the same follow-up, not a third execution.
    const again = await intake(workflow, [scaleOut(['i-0000000000000000c'])], RECEIVED + 60_000, 'again');
    expect(again).toMatchObject({ duplicates: 1, started: [expect.objectContaining({ executionName: late.started[0]!.executionName, alreadyStarted: true })] });
    expect(workflow.started).toHaveLength(2);
  });

  it('of a running fleet (its list in the state table) are compared with the list: only instances it lacks are followed up', async () => {
    const workflow = new RecordingWorkflow();
    const instanceLists = new MemoryInstanceLists();
    const deps = { workflow, instanceLists, logger: pino({ level: 'silent' }), clock: { now: () => new Date(0) } };
    const ids = Array.from({ length: 250 }, (_, i) => `i-0${String(i).padStart(16, '0')}`);
    const items = (bodies: unknown[], receivedAt: number, prefix: string): IntakeItem[] => bodies.map((body, i) => ({ id: `${prefix}-${i}`, body, receivedAt }));
    const first = await intakeStep(deps, items([scaleOut(ids)], RECEIVED, 'm'));
    expect((workflow.started[0]!.input as any).incident).toMatchObject({ instanceIds: [], fleet: { count: 250, batches: 3 } });
    // Re-delivered launches of listed instances: covered by the running fleet, nothing started.
    const again = await intakeStep(deps, items([scaleOut(ids.slice(240))], RECEIVED + 30_000, 'again'));
    expect(again.merged).toEqual([expect.objectContaining({ executionName: first.started[0]!.executionName })]);
    // Two listed and one new instance: the follow-up handles the new one only.
    const late = await intakeStep(deps, items([scaleOut([...ids.slice(0, 2), 'i-0ffffffffffffffff'])], RECEIVED + 60_000, 'late'));
    expect(late.started).toEqual([expect.objectContaining({ followUpOf: first.started[0]!.executionName })]);
    expect((workflow.started[1]!.input as any).incident.instanceIds).toEqual(['i-0ffffffffffffffff']);
    expect(workflow.started).toHaveLength(2);
  });

  it('start a follow-up for a denied action the running execution does not cover', async () => {
    const workflow = new RecordingWorkflow();
    const [first, second] = denialStorm(2, 1);
    second!.eventName = 'DescribeInstanceStatus';
    await intake(workflow, [first]);
    const late = await intake(workflow, [second], RECEIVED + 10_000, 'late');
    expect(late.started[0]).toMatchObject({ followUpOf: expect.any(String) });
    expect((workflow.started[1]!.input as any).incident.actions).toEqual(['ec2:DescribeInstanceStatus']);
  });

  it('start one re-check after the execution has ended, however many late batches follow', async () => {
    const workflow = new RecordingWorkflow();
    const storm = denialStorm(30, 3);
    const first = await intake(workflow, storm.slice(0, 10));
    workflow.ended.add(first.started[0]!.executionName);
    const late = await intake(workflow, storm.slice(10, 20), RECEIVED + 120_000, 'late');
    const later = await intake(workflow, storm.slice(20), RECEIVED + 180_000, 'later');
    expect(late.started[0]).toMatchObject({ followUpOf: first.started[0]!.executionName, alreadyStarted: false });
    expect(later.started[0]).toMatchObject({ executionName: late.started[0]!.executionName, alreadyStarted: true });
    expect(workflow.started).toHaveLength(2);
  });

  it('come back (failed items) when the existing execution cannot be read, so that nothing is lost', async () => {
    const workflow = new RecordingWorkflow();
    const storm = denialStorm(4, 2);
    await intake(workflow, storm.slice(0, 2));
    const throttled: WorkflowPort = Object.assign(Object.create(workflow), {
      describeExecution: async () => { throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }); },
    });
    const late = await intake(throttled, storm.slice(2), RECEIVED + 5_000, 'late');
    expect(late.failedItems.map((f) => f.id)).toEqual(['late-0', 'late-1']);
    expect(late.failedItems[0]!.error).toMatch(/Rate exceeded/);
  });
});
