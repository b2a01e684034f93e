/** The intake Lambda on SQS batches of real CloudTrail denials, Step Functions faked at the SDK client. */
import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { pino } from 'pino';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RecordingWorkflow } from '../../handlers/adapters/local/recorders.ts';
import { intakeStep } from '../../handlers/steps/intake.ts';
import { asEventBridgeEvent } from '../infra/cloudtrail-envelope.ts';
import { denialStorm } from '../unit/intake/storm.ts';

const MACHINE = 'arn:aws:states:eu-west-1:466204357409:stateMachine:iam-autoheal-remediate';
const sfn = mockClient(SFNClient);
let handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

function isRecord(body: unknown): body is Record<string, unknown> & { eventSource: string } {
  return typeof body === 'object' && body !== null && 'eventSource' in body;
}

/** When the messages reached the queue: inside one execution window. */
const SENT = Date.parse('2026-10-19T08:01:00Z');

/** Records as the rules deliver them: in the EventBridge envelope, one per SQS message. */
function sqsEvent(bodies: unknown[], offset = 0, sentAt = SENT): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${offset + i}`,
      attributes: { SentTimestamp: String(sentAt) },
      body: typeof body === 'string' ? body : JSON.stringify(isRecord(body) ? asEventBridgeEvent(body) : body),
    }) as SQSRecord),
  };
}

beforeAll(async () => {
  vi.stubEnv('STATE_MACHINE_ARN', MACHINE);
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('CONFIG', '{}');
  ({ handler } = (await import('../../handlers/intake.ts')) as never);
});

beforeEach(() => sfn.reset());

describe('intake Lambda', () => {
  it('starts one execution for a storm of 1,000 denials of one role, however the batches split it', async () => {
    sfn.on(StartExecutionCommand)
      .resolvesOnce({ executionArn: `${MACHINE}:x`, startDate: new Date() })
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    // The later batches find the first execution running, covering the role's denied actions: merged into it.
    sfn.on(DescribeExecutionCommand).callsFake(() => ({ status: 'RUNNING', input: sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input }));
    const storm = denialStorm(1000, 40, 0.2);
    const batches = [storm.slice(0, 400), storm.slice(400, 800), storm.slice(800)];
    const results = [];
    for (const [i, batch] of batches.entries()) results.push(await handler(sqsEvent(batch, i * 400), {} as Context));
    expect(results.every((r) => r.batchItemFailures.length === 0)).toBe(true);
    const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(1);
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!);
    expect(input.incident.eventCount).toBe(400);
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([`${MACHINE.replace(':stateMachine:', ':execution:')}:${names[0]}`, `${MACHINE.replace(':stateMachine:', ':execution:')}:${names[0]}`]);
  });

  it('names the execution after the window in which the events reached the queue (SentTimestamp), not their eventTime', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:x`, startDate: new Date() });
    const [denial] = denialStorm(1, 1);
    denial!.eventTime = '2030-01-01T00:00:00Z';
    await handler(sqsEvent([denial], 0, Date.parse('2026-10-19T08:14:59Z')), {} as Context);
    await handler(sqsEvent([denial], 1, Date.parse('2026-10-19T08:15:00Z')), {} as Context);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name!.slice(-13))).toEqual(['20261019T0800', '20261019T0815']);
  });

  it('fails only the malformed message of a batch', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:x`, startDate: new Date() });
    const [a, b] = denialStorm(2, 2);
    const result = await handler(sqsEvent([a, '{not json', { hello: 'not a CloudTrail record' }, b]), {} as Context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('returns the messages of an incident whose execution could not start, so that they come back', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    const result = await handler(sqsEvent(denialStorm(3, 1)), {} as Context);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-0', 'm-1', 'm-2']);
  });
});

describe('intakeStep', () => {
  it('merges the same events delivered again into the running execution, counted, instead of failing', async () => {
    const workflow = new RecordingWorkflow();
    const deps = { workflow, logger: pino({ level: 'silent' }), clock: { now: () => new Date(SENT) } };
    const storm = denialStorm(6, 3);
    const first = await intakeStep(deps, storm.map((body, i) => ({ id: `a${i}`, body })));
    const again = await intakeStep(deps, storm.map((body, i) => ({ id: `b${i}`, body })));
    expect(first).toMatchObject({ duplicates: 0, merged: [], failedItems: [] });
    expect(again).toMatchObject({ duplicates: 0, started: [], failedItems: [] });
    expect(again.merged).toEqual([{ key: first.started[0]!.incident.key, executionName: first.started[0]!.executionName, events: 6, reason: expect.stringMatching(/is running and covers/) }]);
    expect(workflow.started).toHaveLength(1);
  });
});
