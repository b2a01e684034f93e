/**
 * `IamAutohealMember`: what a member account of an organization runs — the three rules forwarding
 * to the hub's bus (with an alarm on what they fail to deliver), and the remediation role that only
 * the hub's step roles may assume.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Config } from '../handlers/core/config.ts';
import { DEFAULT_MEMBER_ROLE_NAME } from '../handlers/core/member-role.ts';
import { deadLetterAlarm } from './alarms.ts';
import { AutohealRules } from './event-rules.ts';
import { acknowledgeMemberFindings } from './nag-acknowledgements.ts';
import { Notifications } from './notifications.ts';
import { privilegeEscalationDenyStatements, readOnlyStatements, remediationOptions, remediationStatements, type RemediationGrant } from './remediation-policy.ts';
import { MEMBER_ROLE_USERS } from './steps.ts';

export { DEFAULT_MEMBER_ROLE_NAME } from '../handlers/core/member-role.ts';
export const DEFAULT_HUB_STEP_ROLE_PREFIX = 'iam-autoheal-hub';
export const DEFAULT_EVENT_BUS_NAME = 'iam-autoheal';

export interface IamAutohealMemberProps {
  /** The same configuration document as the hub's (its opt-in tag and declared policies shape the role). */
  readonly config: Config;
  readonly remediations: readonly RemediationGrant[];
  /** `o-…`: the hub's principals must belong to it. */
  readonly organizationId: string;
  readonly hubAccountId: string;
  readonly hubRegion: string;
  /** @default 'iam-autoheal' */
  readonly hubEventBusName?: string;
  /** @default 'iam-autoheal-remediation' */
  readonly roleName?: string;
  /** Prefix of the hub's step role names (`HubOptions.stepRoleNamePrefix`). @default 'iam-autoheal-hub' */
  readonly hubStepRoleNamePrefix?: string;
  /** E-mail addresses told when forwarding fails (each confirms by mail). @default - none: the alarm still shows in CloudWatch */
  readonly alarmEmails?: readonly string[];
}

export class IamAutohealMember extends Construct {
  readonly remediationRole: Role;
  readonly rules: AutohealRules;
  /** Events the bus could not forward to the hub after retries. */
  readonly forwardingDeadLetterQueue: Queue;
  /** Fires while events wait in the forwarding dead-letter queue: the hub is not hearing this account. */
  readonly forwardingAlarm: Alarm;
  /** This account's alarm topic: the hub's topic is out of reach when forwarding fails. */
  readonly alarmNotifications: Notifications;

  constructor(scope: Construct, id: string, props: IamAutohealMemberProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const partition = stack.partition;
    const hubBus = EventBus.fromEventBusArn(this, 'HubBus',
      `arn:${partition}:events:${props.hubRegion}:${props.hubAccountId}:event-bus/${props.hubEventBusName ?? DEFAULT_EVENT_BUS_NAME}`);
    this.forwardingDeadLetterQueue = new Queue(this, 'ForwardingDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.rules = new AutohealRules(this, 'Rules', {
      cloudTrailSource: true,
      target: new EventBusTarget(hubBus, { deadLetterQueue: this.forwardingDeadLetterQueue }),
    });
    this.alarmNotifications = new Notifications(this, 'AlarmNotifications', { emails: props.alarmEmails ?? [], removalPolicy: RemovalPolicy.DESTROY });
    this.forwardingAlarm = deadLetterAlarm(this, 'ForwardingAlarm', this.forwardingDeadLetterQueue,
      'Events of this account could not be forwarded to the hub bus and wait in the forwarding dead-letter queue: check the hub bus and its policy, then redrive.');
    this.forwardingAlarm.addAlarmAction(new SnsAction(this.alarmNotifications.topic));

    const prefix = props.hubStepRoleNamePrefix ?? DEFAULT_HUB_STEP_ROLE_PREFIX;
    this.remediationRole = new Role(this, 'RemediationRole', {
      roleName: props.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
      description: 'iam-autoheal: diagnosis and declared remediations, assumed only by the hub step roles',
      maxSessionDuration: Duration.hours(1),
      assumedBy: new AccountPrincipal(props.hubAccountId).withConditions({
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
        ArnEquals: { 'aws:PrincipalArn': MEMBER_ROLE_USERS.map((step) => `arn:${partition}:iam::${props.hubAccountId}:role/${prefix}-${step}`) },
      }),
    });
    const scope_ = { partition, account: stack.account, region: stack.region };
    for (const statement of [
      ...readOnlyStatements(scope_),
      ...remediationStatements(props.remediations, scope_, remediationOptions(props.config)),
      ...privilegeEscalationDenyStatements(partition),
    ]) {
      this.remediationRole.addToPrincipalPolicy(statement);
    }
    acknowledgeMemberFindings(this, this.forwardingDeadLetterQueue);
  }
}
