/**
 * An EventBridge rule target that publishes to an SNS topic, allowed by a topic-policy statement that names
 * the rule: `events.amazonaws.com` may publish only on behalf of this rule (`aws:SourceArn`) in this account
 * (`aws:SourceAccount`). The CDK's own SnsTopic target allows the service principal without a condition, so
 * that any rule in any account could post what looks like an approval request or an alarm.
 */
import { Stack } from 'aws-cdk-lib';
import type { IRuleRef, IRuleTarget, RuleTargetConfig } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Topic } from 'aws-cdk-lib/aws-sns';

export class RuleScopedTopicTarget implements IRuleTarget {
  constructor(private readonly topic: Topic) {}

  bind(rule: IRuleRef): RuleTargetConfig {
    const { ruleArn } = rule.ruleRef;
    this.topic.addToResourcePolicy(new PolicyStatement({
      sid: `EventBridgeRule${rule.node.addr.slice(0, 8)}Publishes`,
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArn }, StringEquals: { 'aws:SourceAccount': Stack.of(rule).account } },
    }));
    return { arn: this.topic.topicArn };
  }
}
