/** EventsPort on EventBridge: outcomes go to a bus as events with source "iam-autoheal". */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventsPort } from '../../core/ports.ts';
import { awsClient } from './clients.ts';
import { mapErrors, portErrorFor } from './errors.ts';

export const EVENT_SOURCE = 'iam-autoheal';

export class EventBridgeEvents implements EventsPort {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;

  constructor(options: { eventBusName: string; region?: string; client?: EventBridgeClient }) {
    this.eventBusName = options.eventBusName;
    this.client = options.client ?? awsClient(EventBridgeClient, options.region);
  }

  async putOutcome(detailType: string, detail: unknown): Promise<void> {
    const entry = { EventBusName: this.eventBusName, Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) };
    const out = await mapErrors(this.client.send(new PutEventsCommand({ Entries: [entry] })));
    // PutEvents answers 200 even when an entry was rejected; the entry carries the error.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const failed = out.Entries?.find((e) => e.ErrorCode) ?? {};
      throw portErrorFor({ code: failed.ErrorCode ?? 'FailedEntry', message: failed.ErrorMessage ?? 'PutEvents rejected the entry' });
    }
  }
}
