/**
 * `IamAutoheal`: the whole service in one construct — rules, queue, intake, workflow, steps, audit,
 * notifications, sweep and alarms — for a single account, or as the hub of an organization.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, ArnFormat, Aws, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, PolicyStatement, Role, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ConfigError, executionTimeoutSeconds, type Config } from '../handlers/core/config.ts';
import { MEMBER_ROLE_VARIABLES, type MemberAccess } from '../handlers/core/member-role.ts';
import { AutohealAlarms } from './alarms.ts';
import { AutohealFunction, type VpcPlacement } from './autoheal-function.ts';
import { acknowledgeControl } from './control-tower.ts';
import { denyForgedOutcomes } from './event-bus-policy.ts';
import { AutohealRules } from './event-rules.ts';
import { acknowledgeServiceFindings } from './nag-acknowledgements.ts';
import { encryptLogGroups, Notifications, whereItExists, type SlackChannelProps } from './notifications.ts';
import { privilegeEscalationDenyStatements, readOnlyStatements, remediationOptions, remediationStatements, unscopedWritesWarning, type RemediationGrant } from './remediation-policy.ts';
import { loadDefinition } from './state-machine-definition.ts';
import { STEPS, type StepName } from './steps.ts';
import { approvalItems, childExecutionStatements, grantItems, queueWithDeadLetters, stateItems } from './queues-and-grants.ts';
import { RuleScopedTopicTarget } from './topic-target.ts';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Every `${Name}` the construct can supply to the ASL: the steps' function ARNs and these. `Partition`
 * is for service integration ARNs (`arn:${Partition}:states:::lambda:invoke`): `arn:aws:` fails in aws-cn and aws-us-gov.
 */
export const RESOURCE_SUBSTITUTIONS = ['Partition', 'EventBusName', 'EventBusArn', 'AuditTableName', 'StateTableName', 'TopicArn', 'StateMachineArn'] as const;

/** Organization mode: the construct is the hub; members forward events and hold the remediation role. */
export interface HubOptions {
  /** `o-…`: only principals of this organization may put events on the bus or be assumed. */
  readonly organizationId: string;
  /** Names of the member roles in every member account (see `IamAutohealMember`): read for diagnose, verify and sweep, write for apply. */
  readonly memberRoleNames: Readonly<Record<MemberAccess, string>>;
  /** Fixed names of the step roles members trust: `<prefix>-<step>`. */
  readonly stepRoleNamePrefix: string;
}

export interface IamAutohealProps {
  /** The validated configuration document (`parseConfig`); handed to every step as `CONFIG`. */
  readonly config: Config;
  /** Remediation declarations (handlers/core/remediations): the apply step's grants are generated from them. */
  readonly remediations: readonly RemediationGrant[];
  /** E-mail addresses subscribed to the notifications topic (each confirms by mail). @default - none */
  readonly notificationEmails?: readonly string[];
  /** Slack channel through AWS Chatbot. @default - no Slack */
  readonly slack?: SlackChannelProps;
  /** Be the hub of an organization instead of watching this account only. @default - single account */
  readonly hub?: HubOptions;
  /** Name of the service's event bus (outcome events; in a hub, where members forward). @default 'iam-autoheal' */
  readonly eventBusName?: string;
  /** The ASL file. @default statemachines/remediate.asl.json */
  readonly definitionFile?: string;
  /** Directory of the Lambda entry points. @default handlers/ */
  readonly handlersDir?: string;
  /** How often the sweep looks for instances without a profile and roles that lost EC2 trust. @default 1 hour */
  readonly sweepInterval?: Duration;
  /**
   * Reserved concurrency: caps the intake and the IAM/EC2 writers during a storm. `false` leaves a step
   * unreserved (accounts whose concurrency quota is still 10 cannot reserve any). @default intake 5, apply 2
   */
  readonly reservedConcurrency?: { readonly intake?: number | false; readonly apply?: number | false };
  /** @default 'info' */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long every log group of the service keeps its logs. @default one year (CT.CLOUDWATCH.PR.2 asks for at least 365 days) */
  readonly logRetention?: RetentionDays;
  /** Run the step functions in these subnets and security groups (CT.LAMBDA.PR.3). @default - outside any VPC */
  readonly vpc?: VpcPlacement;
}

export class IamAutoheal extends Construct {
  readonly eventBus: EventBus;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Answers from the Slack buttons, read by the answer function. */
  readonly answerQueue: Queue;
  readonly answerDeadLetters: Queue;
  readonly auditTable: Table;
  readonly stateTable: Table;
  readonly notifications: Notifications;
  readonly stateMachine: StateMachine;
  readonly functions: Record<StepName, AutohealFunction>;
  /** Rules on this account's default bus. */
  readonly rules: AutohealRules;
  /** In a hub: rules on the service bus, for the events members forward. */
  readonly memberRules?: AutohealRules;
  readonly alarms: AutohealAlarms;

  constructor(scope: Construct, id: string, props: IamAutohealProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const policyScope = { partition: stack.partition, account: stack.account, region: stack.region };

    this.eventBus = new EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? 'iam-autoheal' });
    ({ queue: this.queue, deadLetters: this.deadLetterQueue } = queueWithDeadLetters(this, { queue: 'Events', deadLetters: 'DeadLetters' }, 'intake', 5));
    const queueTarget = new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8 });
    // This account's own CloudTrail events, on the default bus (in a hub too: the hub watches itself).
    this.rules = new AutohealRules(this, 'Rules', { cloudTrailSource: true, target: queueTarget });
    if (props.hub) {
      // Members' events, forwarded to the service bus.
      this.memberRules = new AutohealRules(this, 'MemberRules', { eventBus: this.eventBus, cloudTrailSource: false, target: queueTarget });
      this.eventBus.addToResourcePolicy(new PolicyStatement({
        sid: 'MembersOfTheOrganizationPutEvents',
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.hub.organizationId } },
      }));
    }

    const key = { partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING } };
    const tableDefaults = { ...key, billingMode: BillingMode.PAY_PER_REQUEST, encryption: TableEncryption.AWS_MANAGED, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } };
    // The audit trail is what `undo` needs: it outlives the stack.
    this.auditTable = new Table(this, 'Audit', { ...tableDefaults, removalPolicy: RemovalPolicy.RETAIN });
    this.auditTable.addGlobalSecondaryIndex({ indexName: 'byTime', partitionKey: { name: 'gsi1pk', type: AttributeType.STRING }, sortKey: { name: 'gsi1sk', type: AttributeType.STRING } });
    this.stateTable = new Table(this, 'State', { ...tableDefaults, timeToLiveAttribute: 'ttl', removalPolicy: RemovalPolicy.DESTROY });

    // Answers from the Slack buttons (approve, reject, undo, details): SQS records who sent each message (SenderId).
    ({ queue: this.answerQueue, deadLetters: this.answerDeadLetters } = queueWithDeadLetters(this, { queue: 'Answers', deadLetters: 'AnswerDeadLetters' }, 'answer', 3));
    this.notifications = new Notifications(this, 'Notifications', {
      emails: props.notificationEmails ?? [], slack: props.slack, answerQueue: this.answerQueue, removalPolicy: RemovalPolicy.DESTROY,
    });
    // The deployment's key encrypts the log groups too (CT.CLOUDWATCH.PR.3).
    encryptLogGroups(this.notifications.key);
    const logRetention = props.logRetention ?? RetentionDays.ONE_YEAR;

    // Named up front so that every step (even those the workflow invokes) can know its ARN without a cycle.
    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 70, separator: '-' }) + '-remediate';
    const stateMachineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const environment = {
      CONFIG: configEnvironment(props.config),
      AUDIT_TABLE: this.auditTable.tableName,
      STATE_TABLE: this.stateTable.tableName,
      TOPIC_ARN: this.notifications.topic.topicArn,
      STATE_MACHINE_ARN: stateMachineArn,
      EVENT_BUS_NAME: this.eventBus.eventBusName,
      [MEMBER_ROLE_VARIABLES.read]: props.hub?.memberRoleNames.read ?? '',
      [MEMBER_ROLE_VARIABLES.write]: props.hub?.memberRoleNames.write ?? '',
      LOG_LEVEL: props.logLevel ?? 'info',
      // The Slack buttons read the queue from each message; the answer function knows the channel role's SenderId.
      ANSWER_QUEUE_URL: this.answerQueue.queueUrl,
      ...this.notifications.channelEnvironment(),
    };
    const handlersDir = props.handlersDir ?? join(PROJECT_ROOT, 'handlers');
    const steps = Object.keys(STEPS) as StepName[];
    this.functions = Object.fromEntries(steps.map((step) => [step, new AutohealFunction(this, STEPS[step].id, {
      entry: join(handlersDir, `${step}.ts`),
      projectRoot: PROJECT_ROOT,
      environment,
      timeout: STEPS[step].timeout,
      memorySize: STEPS[step].memorySize,
      reservedConcurrentExecutions: reservedConcurrency(step, props.reservedConcurrency),
      roleName: props.hub && STEPS[step].memberAccess ? `${props.hub.stepRoleNamePrefix}-${step}` : undefined,
      logRetention,
      logKey: this.notifications.key,
      vpc: props.vpc,
      removalPolicy: RemovalPolicy.DESTROY,
    })])) as Record<StepName, AutohealFunction>;
    if (!props.vpc) {
      for (const step of steps) {
        acknowledgeControl(this.functions[step].function, 'CT.LAMBDA.PR.3',
          'no vpc configured: the steps call only AWS APIs (IAM, EC2, STS, Auto Scaling, DynamoDB, SNS, Step Functions, EventBridge), over TLS with SigV4, and accept no inbound connection. Set vpc (props) or vpcSubnetIds and vpcSecurityGroupIds (context) to run them in your subnets; docs/DEPLOY.md "Control Tower" lists the endpoints they need.');
      }
    }
    const fn = this.functions;

    // The poller stays within the reserved concurrency: a throttled batch would count as a receive and reach the DLQ.
    const intakeConcurrency = reservedConcurrency('intake', props.reservedConcurrency) ?? 5;
    fn.intake.function.addEventSource(new SqsEventSource(this.queue, {
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(5),
      reportBatchItemFailures: true,
      maxConcurrency: Math.max(2, intakeConcurrency),
    }));
    const startExecution = new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] });
    for (const step of ['intake', 'sweep'] as const) fn[step].role.addToPrincipalPolicy(startExecution);
    // Late events: the intake reads the execution that already has their name (running? what does it cover?).
    fn.intake.role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['states:DescribeExecution'],
      resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    // Each grant follows what the step's code uses: budget and locks (state), audit trail, topic.
    grantItems(this.stateTable, fn.apply.role, 'read-write');
    grantItems(this.stateTable, fn.guard.role, 'read');
    // Approval requests (task tokens) live in the state table under approval#<incident>: request-approval writes them,
    // the answer function reads and answers them (one conditional update), nothing else of the table.
    fn['request-approval'].role.addToPrincipalPolicy(approvalItems(this.stateTable, ['dynamodb:PutItem']));
    fn.answer.role.addToPrincipalPolicy(approvalItems(this.stateTable, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']));
    // A fleet's instance list (instances#<execution>): intake and sweep write it before the start, Diagnose reads its batch.
    for (const step of ['intake', 'sweep'] as const) fn[step].role.addToPrincipalPolicy(stateItems(this.stateTable, 'instances#', ['dynamodb:PutItem']));
    fn.diagnose.role.addToPrincipalPolicy(stateItems(this.stateTable, 'instances#', ['dynamodb:GetItem']));
    fn.answer.function.addEventSource(new SqsEventSource(this.answerQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }));
    for (const step of ['apply', 'record', 'request-approval', 'answer'] as const) grantItems(this.auditTable, fn[step].role, 'read-write');
    grantItems(this.auditTable, fn.diagnose.role, 'read');
    for (const step of ['notify', 'request-approval', 'answer'] as const) this.notifications.topic.grantPublish(fn[step].role);

    // The steps that act on accounts read this account directly (the hub's own, too); only apply writes…
    const actingSteps = steps.filter((step) => STEPS[step].memberAccess !== null);
    for (const step of actingSteps) readOnlyStatements(policyScope).forEach((statement) => fn[step].role.addToPrincipalPolicy(statement));
    // Undo (the answer function) restores what apply changed: the same declared grants, which include each inverse write.
    for (const step of ['apply', 'answer'] as const) {
      remediationStatements(props.remediations, policyScope, remediationOptions(props.config)).forEach((statement) => fn[step].role.addToPrincipalPolicy(statement));
    }
    // …and, in a hub, every other member through the member role of its access (read or write), inside the organization only.
    const memberRoleArnOf = (step: StepName) => {
      const access = STEPS[step].memberAccess;
      return props.hub && access ? `arn:${stack.partition}:iam::*:role/${props.hub.memberRoleNames[access]}` : undefined;
    };
    for (const step of actingSteps) {
      const memberRole = memberRoleArnOf(step);
      if (!props.hub || !memberRole) continue;
      fn[step].role.addToPrincipalPolicy(new PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [memberRole],
        conditions: { StringEquals: { 'aws:ResourceOrgID': props.hub.organizationId } },
      }));
    }
    const unscoped = unscopedWritesWarning(props.remediations, props.config);
    if (unscoped) Annotations.of(this).addWarningV2('iam-autoheal:unscoped-writes', unscoped);

    this.stateMachine = this.createStateMachine(stateMachineName, stateMachineArn, props);
    denyForgedOutcomes(this.eventBus, this.stateMachine.role);
    // The answer function answers tasks of this state machine only (SendTaskSuccess/Failure/Heartbeat on its ARN).
    this.stateMachine.grantTaskResponse(fn.answer.role);

    new Rule(this, 'ExecutionFailed', {
      description: 'iam-autoheal: a remediation workflow failed, timed out or was aborted',
      eventPattern: { source: ['aws.states'], detailType: ['Step Functions Execution Status Change'], detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [stateMachineArn] } },
      targets: [new RuleScopedTopicTarget(this.notifications.topic)],
    });

    new Schedule(this, 'SweepSchedule', {
      description: 'iam-autoheal: look for instances without a profile and roles that lost EC2 trust',
      schedule: ScheduleExpression.rate(props.sweepInterval ?? Duration.hours(1)),
      target: new LambdaInvoke(fn.sweep.function, { input: ScheduleTargetInput.fromObject({ source: 'iam-autoheal.sweep' }), retryAttempts: 2 }),
    });

    this.alarms = new AutohealAlarms(this, 'Alarms', {
      topic: this.notifications.topic,
      deadLetterQueue: this.deadLetterQueue,
      stateMachine: this.stateMachine,
      functions: steps.map((step) => fn[step].function),
      budgetLogGroups: [fn.guard.logGroup, fn.apply.logGroup],
    });
    // Last, once every role exists: the Deny on each step that acts on accounts, naming all of this deployment's roles.
    // A role its condition leaves out of the template (Chatbot's, outside the aws partition) is left out of the list.
    const ownRoleArns = ownRoles(this).map((role) => whereItExists(role, role.roleArn, Aws.NO_VALUE));
    for (const step of actingSteps) {
      privilegeEscalationDenyStatements(stack.partition, { assumableRoleArn: memberRoleArnOf(step), ownRoleArns })
        .forEach((statement) => fn[step].role.addToPrincipalPolicy(statement));
    }
    acknowledgeServiceFindings(this);
  }

  /** Lets a principal start a remediation (as the intake and the sweep do). */
  grantStartRemediation(grantee: IGrantable) {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets a principal answer approval requests (task tokens) of the workflow. */
  grantApprove(grantee: IGrantable) {
    return this.stateMachine.grantTaskResponse(grantee);
  }

  /** Lets a principal read the audit trail (the `audit` and `undo` commands). */
  grantReadAudit(grantee: IGrantable) {
    return grantItems(this.auditTable, grantee, 'read');
  }

  private createStateMachine(stateMachineName: string, stateMachineArn: string, props: IamAutohealProps): StateMachine {
    const resources: Record<(typeof RESOURCE_SUBSTITUTIONS)[number], string> = {
      Partition: Stack.of(this).partition,
      EventBusName: this.eventBus.eventBusName,
      EventBusArn: this.eventBus.eventBusArn,
      AuditTableName: this.auditTable.tableName,
      StateTableName: this.stateTable.tableName,
      TopicArn: this.notifications.topic.topicArn,
      // Its own ARN (from the name, not the resource: no cycle): a fleet's execution starts one child per batch on it.
      StateMachineArn: stateMachineArn,
    };
    const available: Record<string, string> = { ...resources };
    for (const step of Object.keys(STEPS) as StepName[]) {
      const name = STEPS[step].substitution;
      if (name) available[name] = this.functions[step].function.functionArn;
    }
    // From the configuration (its bounds keep it within a year): no approval window or Verify budget is cut short.
    const definitionFile = props.definitionFile ?? join(PROJECT_ROOT, 'statemachines', 'remediate.asl.json');
    const definition = loadDefinition(definitionFile, available, executionTimeoutSeconds(props.config));
    const logGroup = new LogGroup(this, 'WorkflowLogs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: this.notifications.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stateMachine = new StateMachine(this, 'Workflow', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition.body),
      definitionSubstitutions: definition.substitutions,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // Grants follow what the definition uses: ASL is not analysed by CDK.
    const used = new Set(Object.keys(definition.substitutions));
    for (const step of Object.keys(STEPS) as StepName[]) {
      const name = STEPS[step].substitution;
      if (name && used.has(name)) this.functions[step].function.grantInvoke(stateMachine);
    }
    if (used.has('EventBusName') || used.has('EventBusArn')) this.eventBus.grantPutEventsTo(stateMachine);
    if (used.has('AuditTableName')) grantItems(this.auditTable, stateMachine, 'read-write');
    if (used.has('StateTableName')) grantItems(this.stateTable, stateMachine, 'read-write');
    if (used.has('TopicArn')) this.notifications.topic.grantPublish(stateMachine);
    if (used.has('StateMachineArn')) childExecutionStatements(Stack.of(this), stateMachineName, stateMachineArn).forEach((s) => stateMachine.addToRolePolicy(s));
    return stateMachine;
  }
}

/** Every role of the deployment: those in the construct, and the scheduler's invoke role that CDK puts at stack level. */
function ownRoles(construct: Construct): Role[] {
  const stackLevel = Stack.of(construct).node.children.filter((child) => child.node.id.startsWith('SchedulerRoleForTarget'));
  return [construct, ...stackLevel].flatMap((scope) => scope.node.findAll()).filter((node): node is Role => node instanceof Role);
}

function reservedConcurrency(step: StepName, settings: IamAutohealProps['reservedConcurrency']): number | undefined {
  const value = step === 'intake' ? (settings?.intake ?? 5) : step === 'apply' ? (settings?.apply ?? 2) : false;
  return value === false ? undefined : value;
}

/** Lambda environment variables share 4 KB: a configuration that does not fit fails synth here. */
function configEnvironment(config: Config): string {
  const text = JSON.stringify(config);
  if (text.length > 3000) {
    throw new ConfigError(`configuration: ${text.length} characters once validated, more than the 3000 that fit in a Lambda environment; shorten expectedPermissions`);
  }
  return text;
}
