import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SnsNotifier } from '../../../handlers/adapters/aws/sns.ts';
import { StepFunctionsWorkflow } from '../../../handlers/adapters/aws/sfn.ts';
import { EventBridgeEvents } from '../../../handlers/adapters/aws/eventbridge.ts';
import { AwsCallError, ThrottlingError, TransientAwsError } from '../../../handlers/core/ports.ts';
import { awsError } from './fake-aws.ts';

const snsMock = mockClient(SNSClient);
const sfnMock = mockClient(SFNClient);
const eventsMock = mockClient(EventBridgeClient);
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:iam-autoheal';
const MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:iam-autoheal';

beforeEach(() => {
  snsMock.reset();
  sfnMock.reset();
  eventsMock.reset();
});

describe('SnsNotifier', () => {
  it('publishes the body as given with string message attributes', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const chatbot = JSON.stringify({ version: '1.0', source: 'custom', content: { title: 'Fixed' }, metadata: { threadId: 'inc-1' } });
    const out = await new SnsNotifier({ topicArn: TOPIC }).publish({ subject: 'Fixed: app', body: chatbot, attributes: { incidentKey: 'inc-1' } });
    expect(out).toEqual({ messageId: 'm-1' });
    expect(snsMock.commandCalls(PublishCommand)[0].args[0].input).toEqual({
      TopicArn: TOPIC, Subject: 'Fixed: app', Message: chatbot,
      MessageAttributes: { incidentKey: { DataType: 'String', StringValue: 'inc-1' } },
    });
  });

  it('with an email body, publishes per protocol: plain text to email, the Chatbot JSON to HTTPS (Chatbot) and every other protocol', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const chatbot = JSON.stringify({ version: '1.0', source: 'custom', content: { title: 'Fixed' } });
    const email = 'Fixed: app\n\nThe trust policy of app now lets ec2.amazonaws.com assume it.';
    await new SnsNotifier({ topicArn: TOPIC }).publish({ subject: 'Fixed: app', body: chatbot, email, attributes: { incidentKey: 'inc-1' } });
    const input = snsMock.commandCalls(PublishCommand)[0].args[0].input;
    expect(input).toEqual({
      TopicArn: TOPIC, Subject: 'Fixed: app', MessageStructure: 'json',
      Message: JSON.stringify({ default: chatbot, https: chatbot, email }),
      MessageAttributes: { incidentKey: { DataType: 'String', StringValue: 'inc-1' } },
    });
    const perProtocol = JSON.parse(input.Message ?? '{}') as Record<string, string>;
    expect(JSON.parse(perProtocol['https']!)).toMatchObject({ version: '1.0', source: 'custom' });
    expect(perProtocol['email']).toBe(email);
  });

  it('keeps the subject within what SNS accepts', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-2' });
    await new SnsNotifier({ topicArn: TOPIC }).publish({ subject: `line one\nline two ${'x'.repeat(200)}`, body: 'plain' });
    const subject = snsMock.commandCalls(PublishCommand)[0].args[0].input.Subject ?? '';
    expect(subject.length).toBe(100);
    expect(subject).toMatch(/^line one line two x+\.\.\.$/);
  });
});

describe('StepFunctionsWorkflow', () => {
  const workflow = new StepFunctionsWorkflow({ stateMachineArn: MACHINE });

  it('starts a named execution with JSON input', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE.replace('stateMachine', 'execution')}:inc-1`, startDate: new Date() });
    expect(await workflow.startExecution('inc-1', { incidentKey: 'inc-1' })).toEqual({
      executionArn: 'arn:aws:states:us-east-1:111122223333:execution:iam-autoheal:inc-1', alreadyStarted: false,
    });
    expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({ stateMachineArn: MACHINE, name: 'inc-1', input: '{"incidentKey":"inc-1"}' });
  });

  it('counts a start of the same name and input as an open execution (Step Functions answers success) as a duplicate', async () => {
    // The idempotent answer is the open execution itself: started a minute before this call.
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE.replace('stateMachine', 'execution')}:inc-1`, startDate: new Date(Date.now() - 60_000) });
    expect(await workflow.startExecution('inc-1', { incidentKey: 'inc-1' })).toMatchObject({ alreadyStarted: true });
  });

  it('reports an existing execution of that name as already started', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    expect(await workflow.startExecution('inc-1', {})).toEqual({
      executionArn: 'arn:aws:states:us-east-1:111122223333:execution:iam-autoheal:inc-1', alreadyStarted: true,
    });
  });

  it('describes an execution by name: whether it still runs (a redrive counts), and its input', async () => {
    const arn = 'arn:aws:states:us-east-1:111122223333:execution:iam-autoheal:inc-1';
    sfnMock.on(DescribeExecutionCommand, { executionArn: arn }).resolvesOnce({ status: 'RUNNING', input: '{"incident":{"key":"k"}}' } as never)
      .resolvesOnce({ status: 'SUCCEEDED', input: '{"incident":{"key":"k"}}' } as never)
      .resolvesOnce({ status: 'PENDING_REDRIVE', input: 'not json' } as never);
    expect(await workflow.describeExecution('inc-1')).toEqual({ running: true, input: { incident: { key: 'k' } } });
    expect(await workflow.describeExecution('inc-1')).toEqual({ running: false, input: { incident: { key: 'k' } } });
    expect(await workflow.describeExecution('inc-1')).toEqual({ running: true, input: null });
    sfnMock.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    expect(await workflow.describeExecution('inc-2')).toBeNull();
    sfnMock.on(DescribeExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(workflow.describeExecution('inc-3')).rejects.toBeInstanceOf(ThrottlingError);
  });

  it('answers task tokens and maps Step Functions throttling', async () => {
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    sfnMock.on(SendTaskFailureCommand).resolves({});
    await workflow.sendTaskSuccess('tok-1', { approved: true, by: 'alice' });
    await workflow.sendTaskFailure('tok-2', 'Rejected', 'r'.repeat(40_000));
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({ taskToken: 'tok-1', output: '{"approved":true,"by":"alice"}' });
    const failure = sfnMock.commandCalls(SendTaskFailureCommand)[0].args[0].input;
    expect(failure).toMatchObject({ taskToken: 'tok-2', error: 'Rejected' });
    expect(failure.cause).toHaveLength(32_768);
    sfnMock.on(StartExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(workflow.startExecution('inc-2', {})).rejects.toBeInstanceOf(ThrottlingError);
  });
});

describe('EventBridgeEvents', () => {
  const events = new EventBridgeEvents({ eventBusName: 'ops-bus' });

  it('puts one event on the bus with source iam-autoheal', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await events.putOutcome('Incident Resolved', { incidentKey: 'inc-1', cause: 'no-instance-profile' });
    expect(eventsMock.commandCalls(PutEventsCommand)[0].args[0].input).toEqual({
      Entries: [{ EventBusName: 'ops-bus', Source: 'iam-autoheal', DetailType: 'Incident Resolved', Detail: '{"incidentKey":"inc-1","cause":"no-instance-profile"}' }],
    });
  });

  it('fails when the entry was rejected, with throttled entries as ThrottlingError', async () => {
    eventsMock.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' }] });
    await expect(events.putOutcome('x', {})).rejects.toBeInstanceOf(TransientAwsError);
    await expect(events.putOutcome('x', {})).rejects.toBeInstanceOf(ThrottlingError);
    await expect(events.putOutcome('x', {})).rejects.toBeInstanceOf(AwsCallError);
  });
});
