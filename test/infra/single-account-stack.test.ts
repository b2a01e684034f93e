// What the single-account stack deploys: rules, queue, intake, workflow, steps, storage, notifications, alarms.
import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_MANAGEMENT_EVENTS_STATE } from '../../lib/event-rules.ts';
import { RULE_PATTERNS } from '../../lib/event-patterns.ts';
import { APPROVAL_WINDOWS_PER_EXECUTION, executionTimeoutSeconds, parseConfig } from '../../handlers/core/config.ts';
import { SingleAccountStack } from '../../lib/stacks.ts';
import { buildApp, SAMPLE_REMEDIATIONS, stubProject, testApp } from './app-fixture.ts';

let template: Template;
const resources = (type: string) => Object.entries(template.findResources(type)) as Array<[string, { Properties: Record<string, any>; [k: string]: any }]>;
const ruleWithPattern = (pattern: unknown) => resources('AWS::Events::Rule').find(([, rule]) => JSON.stringify(rule.Properties.EventPattern) === JSON.stringify(pattern));

beforeAll(() => {
  template = Template.fromStack(buildApp({ slack: true }).single);
});

describe('EventBridge rules', () => {
  it('deliver read-only denials: the denial rule is in the all-management-events state', () => {
    const [, rule] = ruleWithPattern(RULE_PATTERNS.instanceRoleDenial)!;
    expect(rule.Properties.State).toBe(ALL_MANAGEMENT_EVENTS_STATE);
    expect(rule.Properties.EventBusName).toBeUndefined(); // the default bus, where CloudTrail delivers
  });

  it('watch launches and drift on the default bus, enabled', () => {
    for (const pattern of [RULE_PATTERNS.launch, RULE_PATTERNS.drift]) {
      const [, rule] = ruleWithPattern(pattern)!;
      expect(rule.Properties.State).toBe('ENABLED');
    }
  });

  it('send every matching event to the queue, with the dead-letter queue for failed deliveries', () => {
    const [queueId] = resources('AWS::SQS::Queue').find(([, queue]) => queue.Properties.RedrivePolicy)!;
    const [dlqId] = resources('AWS::SQS::Queue').find(([, queue]) => !queue.Properties.RedrivePolicy)!;
    for (const pattern of Object.values(RULE_PATTERNS)) {
      const [, rule] = ruleWithPattern(pattern)!;
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } } }),
      ]);
    }
  });
});

describe('queue and intake', () => {
  it('redrives to an encrypted dead-letter queue after five receives', () => {
    const [, queue] = resources('AWS::SQS::Queue').find(([, q]) => q.Properties.RedrivePolicy)!;
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    for (const [, q] of resources('AWS::SQS::Queue')) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(180);
  });

  it('refuses unencrypted transport on every queue (events, answers and their dead letters)', () => {
    const policies = resources('AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(4);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('reports partial batch failures from the intake', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      // Never more pollers than the intake's reserved concurrency: throttled batches would end in the DLQ.
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('step functions', () => {
  it('run nodejs22.x on arm64 with the contract environment', () => {
    const functions = resources('AWS::Lambda::Function');
    expect(functions).toHaveLength(10);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining(['CONFIG', 'AUDIT_TABLE', 'STATE_TABLE', 'TOPIC_ARN', 'STATE_MACHINE_ARN', 'EVENT_BUS_NAME', 'MEMBER_READ_ROLE_NAME', 'MEMBER_WRITE_ROLE_NAME', 'LOG_LEVEL']),
      );
      expect(JSON.parse(fn.Properties.Environment.Variables.CONFIG).scope.tag).toEqual({ key: 'iam-autoheal', value: 'on' });
      expect(fn.Properties.Environment.Variables.MEMBER_READ_ROLE_NAME).toBe('');
      expect(fn.Properties.Environment.Variables.MEMBER_WRITE_ROLE_NAME).toBe('');
    }
  });

  it('reserve concurrency on the intake and the apply step only', () => {
    const reserved = resources('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.ReservedConcurrentExecutions !== undefined);
    expect(reserved.map(([id, fn]) => [id.match(/IamAutoheal(\w+?)Function/)![1], fn.Properties.ReservedConcurrentExecutions]).sort()).toEqual([
      ['Apply', 2],
      ['Intake', 5],
    ]);
  });

  it('can run unreserved, for accounts whose concurrency quota is still 10', () => {
    const service = { config: parseConfig({}), remediations: SAMPLE_REMEDIATIONS, ...stubProject(), reservedConcurrency: { intake: false, apply: false } as const };
    const unreserved = Template.fromStack(new SingleAccountStack(testApp(), 'Unreserved', { service }));
    expect(Object.values(unreserved.findResources('AWS::Lambda::Function')).filter((fn: any) => fn.Properties.ReservedConcurrentExecutions !== undefined)).toEqual([]);
  });

  it('write to log groups of their own, with retention', () => {
    for (const [, fn] of resources('AWS::Lambda::Function')) expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
    for (const [, group] of resources('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('state machine', () => {
  it('is a Standard workflow with full logging and tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: Match.anyValue() },
    });
  });

  it('gets every substitution its definition uses, and a timeout', () => {
    const [, machine] = resources('AWS::StepFunctions::StateMachine')[0]!;
    expect(Object.keys(machine.Properties.DefinitionSubstitutions).sort()).toEqual(
      ['ApplyFunctionArn', 'DiagnoseFunctionArn', 'EventBusName', 'GuardFunctionArn', 'NotifyFunctionArn', 'Partition', 'RecordFunctionArn', 'RequestApprovalFunctionArn', 'VerifyFunctionArn'],
    );
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('TimeoutSeconds');
  });

  // A fixed execution timeout would end an execution while an approval is still open (statemachines/ has none).
  it('takes its execution timeout from the configuration, so that no approval window is cut short', () => {
    expect(JSON.parse(readFileSync(new URL('../../statemachines/remediate.asl.json', import.meta.url), 'utf8')).TimeoutSeconds).toBeUndefined();
    for (const approvalTimeoutSeconds of [3600, 30 * 86_400]) {
      const config = parseConfig({ approvalTimeoutSeconds });
      const stack = new SingleAccountStack(testApp(), `Approval${approvalTimeoutSeconds}`, { service: { config, remediations: SAMPLE_REMEDIATIONS, ...stubProject() } });
      const machine = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))[0] as any;
      const body = machine.Properties.DefinitionString['Fn::Join'] ? machine.Properties.DefinitionString['Fn::Join'][1].filter((p: unknown) => typeof p === 'string').join('') : machine.Properties.DefinitionString;
      const timeout = Number(/"TimeoutSeconds":\s*(\d+)/.exec(body)![1]);
      expect(timeout).toBe(executionTimeoutSeconds(config));
      expect(timeout).toBeGreaterThan(approvalTimeoutSeconds * APPROVAL_WINDOWS_PER_EXECUTION);
    }
  });

  it('names service integrations in the partition it is deployed to (aws-cn, aws-us-gov)', () => {
    const service = { config: parseConfig({}), remediations: SAMPLE_REMEDIATIONS, ...stubProject() };
    const partitionOf = (stack: SingleAccountStack) =>
      (Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))[0] as any).Properties.DefinitionSubstitutions.Partition;
    // Environment-agnostic (as bin/app.ts deploys): the partition of the account at deploy time.
    expect(partitionOf(new SingleAccountStack(testApp(), 'Agnostic', { service }))).toEqual({ Ref: 'AWS::Partition' });
    for (const [region, partition] of [['eu-west-1', 'aws'], ['cn-north-1', 'aws-cn'], ['us-gov-west-1', 'aws-us-gov']]) {
      expect(partitionOf(new SingleAccountStack(testApp(), 'Regional', { env: { account: '111122223333', region }, service }))).toBe(partition);
    }
  });

  it('may invoke the step functions and put outcome events on the bus', () => {
    const [, policy] = resources('AWS::IAM::Policy').find(([id]) => id.startsWith('IamAutohealWorkflowRole'))!;
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['lambda:InvokeFunction', 'events:PutEvents']));
  });

  it('announces failed, timed-out and aborted executions on the topic', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.states'], detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('NotificationsTopic') } })],
    });
  });
});

describe('storage', () => {
  it('keeps the audit trail: PITR, encryption, byTime index, retained on stack removal', () => {
    const [, audit] = resources('AWS::DynamoDB::Table').find(([, t]) => t.Properties.GlobalSecondaryIndexes)!;
    expect(audit.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(audit.Properties.SSESpecification.SSEEnabled).toBe(true);
    expect(audit.Properties.GlobalSecondaryIndexes[0].IndexName).toBe('byTime');
    expect(audit.Properties.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    expect(audit.DeletionPolicy).toBe('Retain');
  });

  it('expires dedupe and lock items by their ttl attribute', () => {
    const [, state] = resources('AWS::DynamoDB::Table').find(([, t]) => t.Properties.TimeToLiveSpecification)!;
    expect(state.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(state.Properties.SSESpecification.SSEEnabled).toBe(true);
  });
});

describe('notifications', () => {
  it('encrypt the topic with a rotating customer key that alarms and rules may use', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const [, key] = resources('AWS::KMS::Key')[0]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const principals = key.Properties.KeyPolicy.Statement.flatMap((s: any) => [s.Principal?.Service ?? []].flat());
    expect(principals).toEqual(expect.arrayContaining(['cloudwatch.amazonaws.com', 'events.amazonaws.com']));
  });

  it('subscribe the e-mail address and the Slack channel', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('NotificationsTopic') }],
    });
  });
});

describe('sweep and alarms', () => {
  it('sweeps every hour through EventBridge Scheduler', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Sweep'), 'Arn'] } }),
    });
  });

  it('alarm on dead letters, failed executions, throttles and an exhausted change budget, to the topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(4);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/NotificationsTopic/) }]);
      expect(alarm.Properties.Threshold).toBe(1);
    }
    const text = JSON.stringify(alarms);
    expect(text).toContain('ApproximateNumberOfMessagesVisible');
    expect(text).toContain('ExecutionsFailed');
    expect(text).toContain('ExecutionsTimedOut');
    expect(text).toContain('Throttles');
    expect(text).toContain('ChangeBudgetExhausted');
  });

  it('count the change-budget log lines of the guard and apply steps', () => {
    const filters = resources('AWS::Logs::MetricFilter');
    expect(filters).toHaveLength(2);
    for (const [, filter] of filters) {
      expect(filter.Properties.FilterPattern).toContain('$.reason = "change budget exhausted*"');
      expect(filter.Properties.MetricTransformations[0]).toMatchObject({ MetricNamespace: 'IamAutoheal', MetricName: 'ChangeBudgetExhausted', MetricValue: '1' });
    }
  });
});

describe('outputs', () => {
  it('name what the DEPLOY.md commands need: audit table, workflow, topic, bus, event queue and its dead letters', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['AuditTableName', 'StateMachineArn', 'TopicArn', 'EventBusArn', 'EventQueueArn', 'DeadLetterQueueArn']));
    const [eventsQueueId] = resources('AWS::SQS::Queue').find(([, queue]) => queue.Properties.RedrivePolicy)!;
    expect(outputs.EventQueueArn!.Value).toEqual({ 'Fn::GetAtt': [eventsQueueId, 'Arn'] });
  });
});
