/**
 * Where incidents and alarms are announced: a KMS-encrypted SNS topic, e-mail, and optionally Slack. Its key
 * is the deployment's key: it also encrypts the log groups (`encryptLogGroups`).
 */
import { Aws, CfnCondition, CfnResource, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { CfnSlackChannelConfiguration, SlackChannelConfiguration, LoggingLevel } from 'aws-cdk-lib/aws-chatbot';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { AnyPrincipal, Effect, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { AnswerButtons } from './chatbot-actions.ts';

export interface SlackChannelProps {
  /** The Slack workspace (team) id authorized in the AWS Chatbot console, e.g. `T0123ABCD`. */
  workspaceId: string;
  /** The channel id, e.g. `C0123ABCD` (private channels need the @aws app invited). */
  channelId: string;
  /** @default - derived from the construct path */
  configurationName?: string;
}

export interface NotificationsProps {
  emails: readonly string[];
  slack?: SlackChannelProps;
  /** Where the Slack buttons send answers (required with `slack`): the channel may send to it, and nothing else. */
  answerQueue?: IQueue;
  removalPolicy: RemovalPolicy;
}

/** The partition AWS Chatbot (Amazon Q Developer in chat applications) exists in: its regions are all commercial (docs/SLACK.md). */
export const CHATBOT_PARTITION = 'aws';

export class SlackPartitionError extends Error {
  override readonly name = 'SlackPartitionError' as const;
}

/** Partitions by region name where the CDK's region table does not know the region yet (AWS's partitions.json regexes). */
const PARTITION_OF_PREFIX: ReadonlyArray<[RegExp, string]> = [
  [/^cn-\w+-\d+$/, 'aws-cn'], [/^us-gov-\w+-\d+$/, 'aws-us-gov'], [/^us-iso-\w+-\d+$/, 'aws-iso'], [/^us-isob-\w+-\d+$/, 'aws-iso-b'],
  [/^eu-isoe-\w+-\d+$/, 'aws-iso-e'], [/^us-isof-\w+-\d+$/, 'aws-iso-f'], [/^eusc-\w+-\w+-\d+$/, 'aws-eusc'],
];

/** The partition of a region known at synth; undefined when the region is a token (environment-agnostic) or unknown. */
export function partitionOfRegion(region: string): string | undefined {
  if (Token.isUnresolved(region)) return undefined;
  return RegionInfo.get(region).partition ?? PARTITION_OF_PREFIX.find(([pattern]) => pattern.test(region))?.[1];
}

export class Notifications extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  /** With Slack: the role AWS Chatbot uses for the channel's buttons (its SQS SenderId is recognised by the answer function). */
  readonly channelRole?: Role;
  readonly buttons?: AnswerButtons;
  /**
   * With Slack: true where AWS Chatbot exists (`AWS::Partition` is `aws`). Every Chatbot-only resource carries it; a
   * value read from one of them elsewhere goes through `whereItExists`.
   */
  readonly chatbotCondition?: CfnCondition;
  private readonly channelId?: string;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'iam-autoheal notifications topic and log groups',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.key.addToResourcePolicy(grantsOnlyForAwsServices());
    // CloudWatch alarms and EventBridge rules publish to the topic: they need the key to encrypt.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.key.grant(new ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    }
    this.topic = new Topic(this, 'Topic', { displayName: 'iam-autoheal', masterKey: this.key, enforceSSL: true });
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
    if (props.slack) {
      if (!props.answerQueue) throw new Error('Notifications: a Slack channel needs the answer queue its buttons send to');
      this.channelId = props.slack.channelId;
      const partition = partitionOfRegion(Stack.of(this).region);
      if (partition !== undefined && partition !== CHATBOT_PARTITION) {
        throw new SlackPartitionError(`slack (context slackWorkspaceId, slackChannelId): AWS Chatbot does not exist in partition ${partition} (region ${Stack.of(this).region}); deploy without Slack there, notifications go to the SNS topic and e-mail (docs/SLACK.md "Partitions")`);
      }
      // The buttons send one message to the answer queue; the channel's role and its guardrail allow that and nothing else.
      const sendAnswers = new PolicyStatement({ sid: 'SendAnswersOnly', actions: ['sqs:SendMessage'], resources: [props.answerQueue.queueArn] });
      this.channelRole = new Role(this, 'ChannelRole', {
        assumedBy: new ServicePrincipal('chatbot.amazonaws.com'),
        description: 'iam-autoheal Slack channel: the Approve, Reject, Undo and Details buttons send to the answer queue, nothing else',
      });
      this.channelRole.addToPrincipalPolicy(sendAnswers);
      const guardrail = new ManagedPolicy(this, 'ChannelGuardrail', {
        description: 'iam-autoheal Slack channel guardrail: sending to the answer queue is all any channel member may do',
        statements: [sendAnswers],
      });
      const prefix = `iam-autoheal-${this.node.addr.slice(0, 8)}`;
      this.buttons = new AnswerButtons(this, 'Buttons', { namePrefix: prefix });
      const channel = new SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: props.slack.configurationName ?? prefix,
        slackWorkspaceId: props.slack.workspaceId,
        slackChannelId: props.slack.channelId,
        notificationTopics: [this.topic],
        loggingLevel: LoggingLevel.ERROR,
        role: this.channelRole,
        guardrailPolicies: [guardrail],
      });
      (channel.node.defaultChild as CfnSlackChannelConfiguration).customizationResourceArns = this.buttons.actions.map((action) => action.attrCustomActionArn);
      // The region is known only at deploy time in an environment-agnostic stack: the template itself leaves Chatbot out
      // of aws-cn, aws-us-gov and the other partitions, where its resource types do not exist.
      this.chatbotCondition = new CfnCondition(this, 'ChatbotPartition', { expression: Fn.conditionEquals(Aws.PARTITION, CHATBOT_PARTITION) });
      for (const scope of [this.channelRole, guardrail, this.buttons, channel]) onlyWhere(scope, this.chatbotCondition);
    }
  }

  /** For the answer function: the channel role's id (its SQS SenderId) and the channel id; empty where no channel exists. */
  channelEnvironment(): { CHANNEL_ROLE_ID: string; SLACK_CHANNEL: string } {
    const role = this.channelRole;
    if (!role || !this.channelId) return { CHANNEL_ROLE_ID: '', SLACK_CHANNEL: '' };
    return { CHANNEL_ROLE_ID: whereItExists(role, role.roleId, ''), SLACK_CHANNEL: whereItExists(role, this.channelId, '') };
  }

}

/** Puts every CloudFormation resource under `scope` (its default policies included) under `condition`. */
export function onlyWhere(scope: IConstruct, condition: CfnCondition): void {
  for (const node of scope.node.findAll()) {
    if (CfnResource.isCfnResource(node)) node.cfnOptions.condition = condition;
  }
}

/**
 * CT.KMS.PR.3: nobody creates a grant on the key unless it is for an AWS resource or made by an AWS service (the
 * statement the control looks for, word for word). Nothing of this service uses grants: SNS and CloudWatch Logs
 * use the key through its policy.
 */
export function grantsOnlyForAwsServices(): PolicyStatement {
  return new PolicyStatement({
    sid: 'GrantsOnlyForAwsServices',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}

/**
 * Lets CloudWatch Logs of this account and region encrypt and read its log groups with the key (CT.CLOUDWATCH.PR.3):
 * the policy CloudWatch Logs documents, narrowed by the encryption context to log groups of this account and region.
 */
export function encryptLogGroups(key: Key): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(new PolicyStatement({
    sid: 'CloudWatchLogsOfThisAccountAndRegion',
    principals: [new ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
  }));
}

/**
 * A value read from a construct whose resource may carry a condition (e.g. the channel role's id or ARN): `Fn::If` on
 * that condition, `otherwise` where the resource is left out (`Aws.NO_VALUE` drops a list element). Unconditioned: the value.
 */
export function whereItExists(scope: IConstruct, value: string, otherwise: string): string {
  const condition = (scope.node.defaultChild as CfnResource | undefined)?.cfnOptions.condition;
  return condition ? Token.asString(Fn.conditionIf(condition.logicalId, value, otherwise)) : value;
}
