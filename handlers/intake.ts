/**
 * Lambda entry of intake: an SQS batch of CloudTrail events → incidents → one execution each.
 * The partial batch response is built here rather than with a per-record batch processor, because
 * coalescing needs the whole batch before any execution starts; only failed items come back.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { systemClock } from './adapters/aws/clock.ts';
import { config, logger } from './environment.ts';
import { instanceListStore } from './wiring/dynamodb.ts';
import { workflowPort } from './wiring/workflow.ts';
import { intakeStep } from './steps/intake.ts';

const workflow = workflowPort();

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  // SentTimestamp: when EventBridge put the event on the queue, the same on every re-delivery of the message.
  const items = event.Records.map((r) => ({ id: r.messageId, body: r.body, receivedAt: receivedAtOf(r) }));
  // The queue is fed by the rules: a record without an EventBridge envelope was sent by hand and is refused.
  const summary = await intakeStep({ workflow, logger, clock: systemClock, scope: config.scope, requireEnvelope: true, drift: config.drift, instanceLists: instanceListStore() }, items);
  logger.info({
    messages: items.length, records: summary.records, ignored: summary.ignored, refused: summary.rejected.length,
    outOfScope: summary.outOfScope.length, changes: summary.changes, merged: summary.merged.length,
    followUps: summary.started.filter((s) => s.followUpOf).length,
    incidents: summary.started.length, duplicates: summary.duplicates, failed: summary.failedItems.length,
  }, 'intake batch');
  for (const f of summary.failedItems) logger.warn({ messageId: f.id, error: f.error }, 'batch item failed');
  return { batchItemFailures: summary.failedItems.map((f) => ({ itemIdentifier: f.id })) };
};

function receivedAtOf(record: SQSRecord): number | undefined {
  const sent = Number(record.attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? sent : undefined;
}
