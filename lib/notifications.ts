/** Where incidents and alarms are announced: a KMS-encrypted SNS topic, e-mail, and optionally Slack. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { SlackChannelConfiguration, LoggingLevel } from 'aws-cdk-lib/aws-chatbot';
import { ManagedPolicy, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
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
      description: 'iam-autoheal notifications topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
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
