/** The deployable stacks: single account (default), and the hub and member of an organization. */
import { CfnCondition, CfnOutput, CfnParameter, CfnResource, DefaultStackSynthesizer, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnSubscription } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Config } from '../handlers/core/config.ts';
import { IamAutoheal, type IamAutohealProps } from './iam-autoheal.ts';
import { DEFAULT_MEMBER_ROLE_NAMES } from '../handlers/core/member-role.ts';
import { DEFAULT_EVENT_BUS_NAME, DEFAULT_HUB_STEP_ROLE_PREFIX, IamAutohealMember } from './iam-autoheal-member.ts';
import type { RemediationGrant } from './remediation-policy.ts';

export type ServiceOptions = Omit<IamAutohealProps, 'hub'>;

/** What an operator needs after deploying: the audit table for `audit`/`undo`, the workflow, the topic, the queues. */
function serviceOutputs(stack: Stack, service: IamAutoheal): void {
  new CfnOutput(stack, 'AuditTableName', { value: service.auditTable.tableName, description: 'iam-autoheal audit --table / undo --table' });
  new CfnOutput(stack, 'StateMachineArn', { value: service.stateMachine.stateMachineArn });
  new CfnOutput(stack, 'TopicArn', { value: service.notifications.topic.topicArn });
  new CfnOutput(stack, 'EventBusArn', { value: service.eventBus.eventBusArn });
  new CfnOutput(stack, 'EventQueueArn', { value: service.queue.queueArn, description: 'where to redrive the dead letters to' });
  new CfnOutput(stack, 'DeadLetterQueueArn', { value: service.deadLetterQueue.queueArn });
  new CfnOutput(stack, 'StateTableName', { value: service.stateTable.tableName, description: 'iam-autoheal approve|reject --state-table' });
  new CfnOutput(stack, 'AnswerQueueUrl', { value: service.answerQueue.queueUrl, description: 'where the Slack buttons send answers' });
}

/** Watches and repairs the account and region it is deployed to. */
export class SingleAccountStack extends Stack {
  readonly service: IamAutoheal;

  constructor(scope: Construct, id: string, props: StackProps & { service: ServiceOptions }) {
    super(scope, id, { description: 'iam-autoheal: self-healing EC2 instance roles (single account)', ...props });
    this.service = new IamAutoheal(this, 'IamAutoheal', props.service);
    serviceOutputs(this, this.service);
  }
}

/** Runs the workflow for every member of the organization (parameter OrganizationId). */
export class HubStack extends Stack {
  readonly service: IamAutoheal;

  constructor(scope: Construct, id: string, props: StackProps & { service: ServiceOptions }) {
    super(scope, id, { description: 'iam-autoheal: self-healing EC2 instance roles (organization hub)', ...props });
    const organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      description: 'AWS Organizations id (o-…): only its accounts may forward events and be acted on',
    });
    this.service = new IamAutoheal(this, 'IamAutoheal', {
      ...props.service,
      eventBusName: props.service.eventBusName ?? DEFAULT_EVENT_BUS_NAME,
      hub: { organizationId: organizationId.valueAsString, memberRoleNames: DEFAULT_MEMBER_ROLE_NAMES, stepRoleNamePrefix: DEFAULT_HUB_STEP_ROLE_PREFIX },
    });
    serviceOutputs(this, this.service);
  }
}

/** Forwards a member account's events to the hub and holds its remediation role (deploy with StackSets). */
export class MemberStack extends Stack {
  readonly member: IamAutohealMember;

  constructor(scope: Construct, id: string, props: StackProps & { config: Config; remediations: readonly RemediationGrant[] }) {
    super(scope, id, {
      description: 'iam-autoheal: member account (forwards events, read and remediation roles)',
      // No assets and no bootstrap check: the template deploys as is through StackSets to unbootstrapped accounts.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      ...props,
    });
    const parameter = (name: string, description: string, allowedPattern: string) =>
      new CfnParameter(this, name, { type: 'String', description, allowedPattern }).valueAsString;
    this.member = new IamAutohealMember(this, 'IamAutohealMember', {
      config: props.config,
      remediations: props.remediations,
      organizationId: parameter('OrganizationId', 'AWS Organizations id (o-…)', '^o-[a-z0-9]{10,32}$'),
      hubAccountId: parameter('HubAccountId', 'Account id of the hub stack', '^\\d{12}$'),
      hubRegion: parameter('HubRegion', 'Region of the hub stack, e.g. eu-west-1', '^[a-z]{2}(-[a-z]+)+-\\d$'),
    });
    // IAM is global: with one stack per region, only one of them creates the role.
    const createRole = new CfnParameter(this, 'CreateRemediationRole', {
      type: 'String',
      allowedValues: ['true', 'false'],
      default: 'true',
      description: 'true in exactly one region of each account: the read and remediation roles are global',
    });
    const roleCondition = new CfnCondition(this, 'CreatesRemediationRole', { expression: Fn.conditionEquals(createRole.valueAsString, 'true') });
    for (const node of [...this.member.remediationRole.node.findAll(), ...this.member.readRole.node.findAll()]) {
      if (CfnResource.isCfnResource(node)) node.cfnOptions.condition = roleCondition;
    }
    const output = new CfnOutput(this, 'RemediationRoleArn', { value: this.member.remediationRole.roleArn, description: 'the write role (hub apply step)' });
    output.condition = roleCondition;
    const readOutput = new CfnOutput(this, 'ReadRoleArn', { value: this.member.readRole.roleArn, description: 'the read-only role (hub diagnose, verify, sweep)' });
    readOutput.condition = roleCondition;

    // One address for every member (a StackSets parameter); empty: the alarm shows in CloudWatch only.
    const alarmEmail = new CfnParameter(this, 'AlarmEmail', {
      type: 'String',
      default: '',
      allowedPattern: '^$|^[^@\\s]+@[^@\\s]+$',
      description: 'E-mail told when this account cannot forward events to the hub (confirm the subscription mail); empty for none',
    });
    const subscription = new CfnSubscription(this, 'AlarmEmailSubscription', {
      protocol: 'email',
      endpoint: alarmEmail.valueAsString,
      topicArn: this.member.alarmNotifications.topic.topicArn,
    });
    subscription.cfnOptions.condition = new CfnCondition(this, 'HasAlarmEmail', { expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')) });
    new CfnOutput(this, 'ForwardingAlarmName', { value: this.member.forwardingAlarm.alarmName });
  }
}
