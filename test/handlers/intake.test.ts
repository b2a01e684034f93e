/** The intake Lambda on SQS batches of real CloudTrail denials, Step Functions faked at the SDK client. */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
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

/** Records as the rules deliver them: in the EventBridge envelope, one per SQS message. */
function sqsEvent(bodies: unknown[], offset = 0): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${offset + i}`,
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
  it('counts a duplicate start instead of failing, and reports ignored records', async () => {
    const workflow = new RecordingWorkflow();
    const deps = { workflow, logger: pino({ level: 'silent' }) };
    const storm = denialStorm(6, 3);
    const first = await intakeStep(deps, storm.map((body, i) => ({ id: `a${i}`, body })));
    const again = await intakeStep(deps, storm.map((body, i) => ({ id: `b${i}`, body })));
    expect(first).toMatchObject({ duplicates: 0, failedItems: [] });
    expect(again).toMatchObject({ duplicates: 1, failedItems: [] });
    expect(again.started[0]!.alreadyStarted).toBe(true);
    expect(workflow.started).toHaveLength(1);
  });
});
