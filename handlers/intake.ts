/**
 * Lambda entry of intake: an SQS batch of CloudTrail events → incidents → one execution each.
 * The partial batch response is built here rather than with a per-record batch processor, because
 * coalescing needs the whole batch before any execution starts; only failed items come back.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { config, logger } from './environment.ts';
import { workflowPort } from './wiring/workflow.ts';
import { intakeStep } from './steps/intake.ts';

const workflow = workflowPort();

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const items = event.Records.map((r) => ({ id: r.messageId, body: r.body }));
  // The queue is fed by the rules: a record without an EventBridge envelope was sent by hand and is refused.
  const summary = await intakeStep({ workflow, logger, scope: config.scope, requireEnvelope: true }, items);
  logger.info({
    messages: items.length, records: summary.records, ignored: summary.ignored, refused: summary.rejected.length,
    outOfScope: summary.outOfScope.length, changes: summary.changes,
    incidents: summary.started.length, duplicates: summary.duplicates, failed: summary.failedItems.length,
  }, 'intake batch');
  for (const f of summary.failedItems) logger.warn({ messageId: f.id, error: f.error }, 'batch item failed');
  return { batchItemFailures: summary.failedItems.map((f) => ({ itemIdentifier: f.id })) };
};
