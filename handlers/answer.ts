/**
 * Lambda entry of the answer function: the Slack buttons (AWS Chatbot custom actions) send "approve/<incident>/<id>",
 * "reject/…", "undo/<incident>" or "details/<incident>" to the answer queue; each message is answered through
 * handlers/core/answer.ts, and the reply goes to the incident's thread.
 *
 * Who answered is the message's SenderId, which SQS records from the request's signature (for a role: its unique
 * id and the session name), never anything in the body. The Chatbot channel role's id is known (CHANNEL_ROLE_ID),
 * so its messages are labelled with the Slack channel; any other sender is recorded as the id SQS gives.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { systemClock } from './adapters/aws/clock.ts';
import { AnswerInputError, answerIncident, parseAnswerRequest, type AnswerCaller } from './core/answer.ts';
import type { AccountPorts } from './core/ports.ts';
import { logger } from './environment.ts';
import { approvalStore, auditStore } from './wiring/dynamodb.ts';
import { snsNotifier } from './wiring/notifier.ts';
import { workflowPort } from './wiring/workflow.ts';

const pause = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

/**
 * The incident account's ports, loaded on first use: only an undo changes the account, so approve, reject and details
 * never import the IAM and EC2 clients (a chunk of their own in the bundle).
 */
function lazyAccountPorts(context: Pick<Context, 'invokedFunctionArn'>): (accountId: string, region: string) => Promise<AccountPorts> {
  return async (accountId, region) => (await import('./wiring/account.ts')).accountPorts(context, 'write', accountId, region);
}

/** The authenticated sender of one message, labelled when it is the Slack channel's role. */
export function callerOf(record: Pick<SQSRecord, 'attributes' | 'messageId'>, env: NodeJS.ProcessEnv = process.env): AnswerCaller {
  const senderId = record.attributes?.SenderId;
  if (!senderId) throw new AnswerInputError('the message has no SenderId: who sent it is unknown, so it is not answered');
  const channelRoleId = env['CHANNEL_ROLE_ID'];
  const [principalId] = senderId.split(':');
  const label = channelRoleId && principalId === channelRoleId ? `Slack channel ${env['SLACK_CHANNEL'] ?? '?'} (AWS Chatbot channel role)` : undefined;
  return { identity: senderId, authenticatedBy: 'sqs SenderId', ...(label ? { label } : {}), requestId: record.messageId };
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const deps = {
    approvals: approvalStore(), workflow: workflowPort(), audit: auditStore(), notifier: snsNotifier(), clock: systemClock,
    portsFor: lazyAccountPorts(context), pause,
  };
  const failures: Array<{ itemIdentifier: string }> = [];
  // One at a time: two answers in one batch are two conditional writes in order, like two clicks.
  for (const record of event.Records) {
    try {
      const request = parseAnswerRequest(record.body);
      const caller = callerOf(record);
      const result = await answerIncident(deps, request, caller);
      logger.info({ messageId: record.messageId, action: request.action, incident: request.incident, approvalId: request.approvalId, by: caller.identity, ok: result.ok, refusal: result.refusal }, result.message);
    } catch (err) {
      if (err instanceof AnswerInputError) {
        // Never answerable: said in the log with the message id, not retried.
        logger.warn({ messageId: record.messageId, error: err.message }, 'answer refused: invalid message');
        continue;
      }
      logger.error({ messageId: record.messageId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, 'answer failed; retried');
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};
