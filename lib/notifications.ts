/**
 * Where incidents and alarms are announced: a KMS-encrypted SNS topic, e-mail, and optionally Slack. Its key
 * is the deployment's key: it also encrypts the log groups (`encryptLogGroups`).
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { SlackChannelConfiguration, LoggingLevel } from 'aws-cdk-lib/aws-chatbot';
import { AnyPrincipal, Effect, ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

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
  removalPolicy: RemovalPolicy;
}

export class Notifications extends Construct {
  readonly topic: Topic;
  readonly key: Key;

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
      new SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: props.slack.configurationName ?? `iam-autoheal-${this.node.addr.slice(0, 8)}`,
        slackWorkspaceId: props.slack.workspaceId,
        slackChannelId: props.slack.channelId,
        notificationTopics: [this.topic],
        loggingLevel: LoggingLevel.ERROR,
        // The channel only receives notifications; commands typed in Slack may read CloudWatch, nothing else.
        guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess')],
      });
    }
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
