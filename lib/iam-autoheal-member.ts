/**
 * `IamAutohealMember`: what a member account of an organization runs — the three rules forwarding
 * to the hub's bus (with an alarm on what they fail to deliver), a read-only role that only the hub's
 * diagnose, verify and sweep roles may assume, and the remediation (write) role that only its apply role may.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Annotations } from 'aws-cdk-lib';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Config } from '../handlers/core/config.ts';
import { DEFAULT_MEMBER_READ_ROLE_NAME, DEFAULT_MEMBER_ROLE_NAME, type MemberAccess } from '../handlers/core/member-role.ts';
import { deadLetterAlarm } from './alarms.ts';
import { AutohealRules } from './event-rules.ts';
import { acknowledgeMemberFindings } from './nag-acknowledgements.ts';
import { Notifications } from './notifications.ts';
import { privilegeEscalationDenyStatements, readOnlyStatements, remediationOptions, remediationStatements, unscopedWritesWarning, type RemediationGrant } from './remediation-policy.ts';
import { memberRoleUsers } from './steps.ts';

export { DEFAULT_MEMBER_READ_ROLE_NAME, DEFAULT_MEMBER_ROLE_NAME } from '../handlers/core/member-role.ts';
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
  /** The write role, assumed only by the hub's apply step. @default 'iam-autoheal-remediation' */
  readonly roleName?: string;
  /** The read-only role, assumed only by the hub's diagnose, verify and sweep steps. @default 'iam-autoheal-read' */
  readonly readRoleName?: string;
  /** Prefix of the hub's step role names (`HubOptions.stepRoleNamePrefix`). @default 'iam-autoheal-hub' */
  readonly hubStepRoleNamePrefix?: string;
  /** E-mail addresses told when forwarding fails (each confirms by mail). @default - none: the alarm still shows in CloudWatch */
  readonly alarmEmails?: readonly string[];
}

export class IamAutohealMember extends Construct {
  /** The write role: declared remediations, assumed only by the hub's apply step. */
  readonly remediationRole: Role;
  /** The read-only role: diagnosis, verification and sweep. */
  readonly readRole: Role;
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
      // Declares the queue a dead-letter queue (CT.SQS.PR.1); allowAll is SQS's default, made explicit.
      redriveAllowPolicy: { redrivePermission: RedrivePermission.ALLOW_ALL },
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
    const memberRole = (id: string, access: MemberAccess, roleName: string, description: string) => new Role(this, id, {
      roleName,
      description,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new AccountPrincipal(props.hubAccountId).withConditions({
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
        ArnEquals: { 'aws:PrincipalArn': memberRoleUsers(access).map((step) => `arn:${partition}:iam::${props.hubAccountId}:role/${prefix}-${step}`) },
      }),
    });
    this.readRole = memberRole('ReadRole', 'read', props.readRoleName ?? DEFAULT_MEMBER_READ_ROLE_NAME,
      'iam-autoheal: read-only diagnosis, verification and sweep, assumed only by the hub diagnose, verify and sweep step roles');
    this.remediationRole = memberRole('RemediationRole', 'write', props.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
      'iam-autoheal: declared remediations, assumed only by the hub apply step role');
    const scope_ = { partition, account: stack.account, region: stack.region };
    const ownRoleArns = this.node.findAll().filter((node): node is Role => node instanceof Role).map((role) => role.roleArn);
    const deny = privilegeEscalationDenyStatements(partition, { ownRoleArns });
    for (const statement of [...readOnlyStatements(scope_), ...deny]) this.readRole.addToPrincipalPolicy(statement);
    for (const statement of [...readOnlyStatements(scope_), ...remediationStatements(props.remediations, scope_, remediationOptions(props.config)), ...deny]) {
      this.remediationRole.addToPrincipalPolicy(statement);
    }
    const unscoped = unscopedWritesWarning(props.remediations, props.config);
    if (unscoped) Annotations.of(this).addWarningV2('iam-autoheal:unscoped-writes', unscoped);
    acknowledgeMemberFindings(this, this.forwardingDeadLetterQueue);
  }
}
