/** Test support: CloudTrail records as EventBridge delivers them ("AWS API Call via CloudTrail"). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLOUDTRAIL_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'cloudtrail');

type CloudTrailRecord = Record<string, unknown> & { eventSource: string; eventID?: string; eventTime?: string; awsRegion?: string; recipientAccountId?: string; eventCategory?: string };

/** Wraps a bare record in the envelope; a record that already has one is returned as is. */
export function asEventBridgeEvent(recordOrEvent: Record<string, unknown>): Record<string, unknown> {
  if ('detail-type' in recordOrEvent) return recordOrEvent;
  const record = recordOrEvent as CloudTrailRecord;
  return {
    version: '0',
    id: record.eventID ?? '00000000-0000-0000-0000-000000000000',
    // CloudTrail's detail-type for network activity events (calls through a VPC endpoint) is its own.
    'detail-type': record.eventCategory === 'NetworkActivity' ? 'AWS Network Activity Event via CloudTrail' : 'AWS API Call via CloudTrail',
    // EventBridge names the source after the service: ec2.amazonaws.com → aws.ec2.
    source: `aws.${record.eventSource.split('.')[0]}`,
    account: record.recipientAccountId ?? '111122223333',
    time: record.eventTime ?? '2024-01-01T00:00:00Z',
    region: record.awsRegion ?? 'us-east-1',
    resources: [],
    detail: record,
  };
}

/** Every fixture file name and its record in the EventBridge envelope. */
export function loadCloudTrailEvents(): Map<string, Record<string, unknown>> {
  const events = new Map<string, Record<string, unknown>>();
  for (const file of readdirSync(CLOUDTRAIL_FIXTURES).filter((name) => name.endsWith('.json')).sort()) {
    events.set(file, asEventBridgeEvent(JSON.parse(readFileSync(join(CLOUDTRAIL_FIXTURES, file), 'utf8'))));
  }
  return events;
}
