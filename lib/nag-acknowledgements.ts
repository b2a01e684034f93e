/**
 * cdk-nag (AwsSolutions) findings that are accepted, each with the reason a reviewer needs.
 * Wildcard findings (IAM5) are computed with cdk-nag's own rule and acknowledged one by one, only
 * when they fall in a category below; anything else stays a finding and fails synth.
 */
import { Aspects, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ENI_DESCRIBE_ACTIONS } from './autoheal-function.ts';
import { RESOURCELESS_READS } from './remediation-policy.ts';

const IAM5 = 'AwsSolutions-IAM5';

/** Actions that support no resource-level permissions: IAM accepts only `"*"` for them. */
export const RESOURCELESS_ACTIONS = new Set<string>([
  ...RESOURCELESS_READS,
  ...ENI_DESCRIBE_ACTIONS,
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

/** `<AWS::Partition>` in environment-agnostic stacks; the literal (aws, aws-cn, aws-us-gov) once the region is known. */
const PARTITION = String.raw`(<AWS::Partition>|aws(-[a-z]+)*)`;

/** Categories of wildcard findings and why each is accepted. */
const WILDCARD_REASONS: Array<{ finding: RegExp; reason: string }> = [
  {
    finding: new RegExp(String.raw`^Resource::arn:${PARTITION}:(iam|ec2|autoscaling):(<AWS::Region>|[a-z0-9-]*):(\d{12}|<AWS::AccountId>|aws):[A-Za-z-]+[/:].*\*$`),
    reason:
      'Resource patterns of the remediation declarations and of the read-only diagnosis, narrowed to this account (and region for EC2), one resource type each: ' +
      'the role, profile, policy or instance of an incident is not known before it happens. Writes on instances and roles carry the opt-in tag condition when one is configured, ' +
      'and the explicit Deny statements bound what any Allow can do.',
  },
  {
    finding: new RegExp(String.raw`^Resource::arn:${PARTITION}:states:(<AWS::Region>|[a-z0-9-]*):(\d{12}|<AWS::AccountId>):execution:[A-Za-z0-9_-]+-remediate:\*$`),
    reason: 'The intake reads (DescribeExecution) the executions of this construct\'s own workflow, whose names are those of incidents not known before they happen; no other state machine is reachable.',
  },
  {
    finding: /^Resource::<[A-Za-z0-9]+\.Arn>:\*$/,
    reason: 'Invoke grant on one function of this construct: CDK adds the `:*` form so that its versions and aliases can be invoked; no other function is reachable.',
  },
  {
    finding: /^Resource::<[A-Za-z0-9]+\.Arn>\/index\/\*$/,
    reason: 'DynamoDB grant on one table of this construct includes its own indexes (the audit table\'s byTime index); no other table is reachable.',
  },
  {
    finding: new RegExp(String.raw`^Resource::arn:${PARTITION}:ec2:(<AWS::Region>|[a-z0-9-]*):(\d{12}|<AWS::AccountId>):\*/\*$`),
    reason:
      'Steps placed in a VPC: Lambda creates, attaches and deletes the functions\' network interfaces with the function\'s role; the interfaces are not known in advance, ' +
      'and Lambda\'s guide gives this account-and-region form for DeleteNetworkInterface. Only the four network-interface actions of AWSLambdaVPCAccessExecutionRole are on it.',
  },
  {
    finding: /^Action::kms:(GenerateDataKey|ReEncrypt)\*$/,
    reason: 'Publishing to the SSE-KMS topic needs GenerateDataKey* on the topic\'s own key; the statement\'s resource is that one key.',
  },
  {
    finding: new RegExp(String.raw`^Resource::arn:${PARTITION}:iam::\*:role/[A-Za-z0-9+=,.@_-]+$`),
    reason:
      'Hub steps assume the one named remediation role in member accounts, which are not known at synth; the condition aws:ResourceOrgID limits it to the organization, ' +
      'and each member role trusts only the hub step roles (aws:PrincipalArn, aws:PrincipalOrgID).',
  },
];

/** The service construct: runtime pin and the wildcard categories. */
export function acknowledgeServiceFindings(construct: IConstruct): void {
  acknowledgeWildcards(construct);
  for (const node of construct.node.findAll()) {
    if (node instanceof CfnFunction) {
      Validations.of(node).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'Pinned to nodejs22.x on purpose: bundles are built with esbuild target node22 and tested on that major; moving to a newer runtime is a deliberate, tested upgrade.',
      });
    }
  }
  // Scheduler creates its invoke role at stack level, outside the construct.
  const stack = Stack.of(construct);
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('SchedulerRoleForTarget')) acknowledgeWildcards(child);
  }
}

/** The member construct: wildcard categories and the forwarding dead-letter queue. */
export function acknowledgeMemberFindings(construct: IConstruct, forwardingDeadLetterQueue: IConstruct): void {
  acknowledgeWildcards(construct);
  Validations.of(forwardingDeadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the forwarding rules\' target; a dead-letter queue of a dead-letter queue would add nothing.',
  });
}

/** At synthesis, once every grant is in place (also those added after construction), so nothing added later hides behind an earlier acknowledgement. */
function acknowledgeWildcards(scope: IConstruct): void {
  Aspects.of(scope).add({
    visit(node: IConstruct) {
      if (!CfnResource.isCfnResource(node)) return;
      const findings = rules.iam.IAMNoWildcardPermissions(node);
      if (!Array.isArray(findings)) return;
      for (const finding of findings) {
        const reason = finding === 'Resource::*' ? starResourceReason(node) : WILDCARD_REASONS.find((category) => category.finding.test(finding))?.reason;
        if (reason) Validations.of(node).acknowledge({ id: `${IAM5}[${finding}]`, reason });
      }
    },
  });
}

/** `Resource: "*"` is accepted only when every Allow statement on "*" holds actions that support nothing else. */
function starResourceReason(node: CfnResource): string | undefined {
  if (!(node instanceof CfnPolicy)) return undefined;
  const document = Stack.of(node).resolve(node.policyDocument) as { Statement?: Array<{ Effect: string; Action: string | string[]; Resource: unknown }> };
  const onStar = (document.Statement ?? []).filter((statement) => statement.Effect === 'Allow' && [statement.Resource].flat().includes('*'));
  const actions = onStar.flatMap((statement) => [statement.Action].flat());
  if (!actions.every((action) => RESOURCELESS_ACTIONS.has(action))) return undefined;
  return `Only actions without resource-level permissions are allowed on "*" (${actions.join(', ')}): read-only descriptions, X-Ray traces and log delivery set-up.`;
}
