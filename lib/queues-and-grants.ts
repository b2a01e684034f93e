/** Queues and grants the construct builds with: a step's queue and its dead-letter queue, item-level table grants, child executions. */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { STEPS, type StepName } from './steps.ts';

/**
 * An encrypted, TLS-only queue read by `step`, and its dead-letter queue (declared one: CT.SQS.PR.1). The visibility
 * timeout is six times the step's timeout, so that a batch in progress is not delivered twice.
 */
export function queueWithDeadLetters(scope: Construct, ids: { queue: string; deadLetters: string }, step: StepName, maxReceiveCount: number): { queue: Queue; deadLetters: Queue } {
  const deadLetters = new Queue(scope, ids.deadLetters, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    // Declares the queue a dead-letter queue; allowAll is SQS's default, made explicit.
    redriveAllowPolicy: { redrivePermission: RedrivePermission.ALLOW_ALL },
  });
  const queue = new Queue(scope, ids.queue, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(STEPS[step].timeout.toSeconds() * 6),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount },
  });
  return { queue, deadLetters };
}

/**
 * Item reads and writes on a table and its indexes, without the stream actions CDK's grantReadData adds
 * (dynamodb:GetRecords, GetShardIterator): the tables have no stream, so nothing of a stream is granted.
 */
export const TABLE_ITEM_ACTIONS = {
  read: ['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
  write: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
} as const;

export function grantItems(table: Table, grantee: IGrantable, access: 'read' | 'read-write') {
  return table.grant(grantee, ...TABLE_ITEM_ACTIONS.read, ...(access === 'read-write' ? TABLE_ITEM_ACTIONS.write : []));
}

export function approvalItems(table: Table, actions: string[]): PolicyStatement {
  return stateItems(table, 'approval#', actions);
}

/** Only the state table's items whose partition key starts with `prefix` (approval#, instances#). */
export function stateItems(table: Table, prefix: string, actions: string[]): PolicyStatement {
  return new PolicyStatement({
    actions,
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}*`] } },
  });
}

/**
 * What `states:startExecution.sync:2` on its own state machine needs (Step Functions docs, "IAM policies for calling
 * AWS Step Functions"): start it, follow and stop its executions, and the managed rule through which the service
 * learns that a child ended — nothing on any other state machine.
 */
export function childExecutionStatements(stack: Stack, stateMachineName: string, stateMachineArn: string): PolicyStatement[] {
  return [
    new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
    new PolicyStatement({
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }),
    new PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule' })],
    }),
  ];
}
