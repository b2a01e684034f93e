/**
 * CloudTrailPort on `cloudtrail:LookupEvents`: one lookup attribute per request (CloudTrail refuses more), pages of
 * 50 followed through NextToken up to the caller's bound, newest first. The API allows 2 requests per second per
 * account and region: the SDK's own retries absorb a short burst, anything more surfaces as Throttling for the
 * caller to report (the diagnosis never waits on the event history).
 */
import { CloudTrailClient, type Event, LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { globalEventsRegion, type CloudTrailPort, type EventHistoryPage, type EventLookup, type HistoryEvent } from '../../core/ports.ts';
import { awsClient, type CredentialsIdentity } from './clients.ts';
import { mapErrors } from './errors.ts';

/** LookupEvents' largest page. */
export const LOOKUP_PAGE_SIZE = 50;

export class AwsCloudTrailPort implements CloudTrailPort {
  /** `globalClient`: a client of `globalEventsRegion` (the same client when the account's region is that one). */
  constructor(private readonly client: CloudTrailClient, private readonly globalClient: CloudTrailClient = client) {}

  async lookupEvents(lookup: EventLookup): Promise<EventHistoryPage> {
    const events: HistoryEvent[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const input: LookupEventsCommandInput = {
        LookupAttributes: [{ AttributeKey: lookup.attribute.key, AttributeValue: lookup.attribute.value }],
        StartTime: lookup.startTime,
        EndTime: lookup.endTime,
        MaxResults: LOOKUP_PAGE_SIZE,
        ...(token ? { NextToken: token } : {}),
      };
      const out = await mapErrors((lookup.global ? this.globalClient : this.client).send(new LookupEventsCommand(input)));
      pages += 1;
      events.push(...(out.Events ?? []).map(historyEvent));
      token = out.NextToken || undefined;
    } while (token && pages < lookup.maxPages);
    return { events, pages, truncated: token !== undefined };
  }
}

/** The port of one account and region, with the client of `globalEventsRegion` for global services' events. */
export function cloudTrailPortOf(region: string, identity?: CredentialsIdentity): AwsCloudTrailPort {
  return new AwsCloudTrailPort(awsClient(CloudTrailClient, region, identity), awsClient(CloudTrailClient, globalEventsRegion(region), identity));
}

function historyEvent(e: Event): HistoryEvent {
  return {
    eventId: e.EventId ?? '',
    eventName: e.EventName ?? '',
    eventSource: e.EventSource ?? null,
    eventTime: e.EventTime ? new Date(e.EventTime).toISOString() : '',
    username: e.Username ?? null,
    resources: (e.Resources ?? []).map((r) => ({ type: r.ResourceType ?? null, name: r.ResourceName ?? null })),
    record: parseRecord(e.CloudTrailEvent),
  };
}

/** `CloudTrailEvent` is the record as a JSON string; a record that does not parse is kept as null, not an error. */
function parseRecord(text: string | undefined): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
