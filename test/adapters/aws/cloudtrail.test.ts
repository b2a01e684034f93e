import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { AccessDeniedException, CloudTrailClient, LookupEventsCommand, ThrottlingException, type LookupEventsCommandInput, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { AwsCloudTrailPort } from '../../../handlers/adapters/aws/cloudtrail.ts';
import { AwsCallError, ThrottlingError } from '../../../handlers/core/ports.ts';
import { clientConfig, pagedResponses } from './fake-aws.ts';
import { readFixture } from '../../unit/events/records.ts';

const fixture = (file: string) => readFixture(file) as Record<string, unknown>;

const mock = mockClient(CloudTrailClient);
const cloudTrail = new AwsCloudTrailPort(new CloudTrailClient(clientConfig));
const window = { startTime: new Date('2026-10-01T00:00:00Z'), endTime: new Date('2026-10-21T14:00:00Z') };

beforeEach(() => mock.reset());

/** An event as LookupEvents returns it: the record itself is a JSON string in CloudTrailEvent. */
function historyEntry(record: Record<string, unknown>) {
  return {
    EventId: String(record.eventID), EventName: String(record.eventName), EventSource: String(record.eventSource), EventTime: new Date(String(record.eventTime)),
    Username: 'alice', ReadOnly: 'false', Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: 'app-role' }], CloudTrailEvent: JSON.stringify(record),
  };
}

describe('AwsCloudTrailPort.lookupEvents', () => {
  it('sends one lookup attribute and the window, follows NextToken, and parses each CloudTrailEvent', async () => {
    const record = fixture('change--attach-role-policy--iam-user.json');
    const pages = pagedResponses<LookupEventsCommandInput, Partial<LookupEventsCommandOutput>>([
      { Events: [historyEntry(record)], NextToken: 'page-2' },
      { Events: [{ ...historyEntry(record), EventId: 'second', CloudTrailEvent: '{not json' }] },
    ]);
    mock.on(LookupEventsCommand).callsFake(pages.respond);
    const out = await cloudTrail.lookupEvents({ attribute: { key: 'ResourceName', value: 'app-role' }, ...window, maxPages: 5 });

    expect(pages.inputs.map((i) => i.LookupAttributes)).toEqual([[{ AttributeKey: 'ResourceName', AttributeValue: 'app-role' }], [{ AttributeKey: 'ResourceName', AttributeValue: 'app-role' }]]);
    expect(pages.inputs.map((i) => i.NextToken)).toEqual([undefined, 'page-2']);
    expect(pages.inputs[0]).toMatchObject({ StartTime: window.startTime, EndTime: window.endTime, MaxResults: 50 });
    expect(out.pages).toBe(2);
    expect(out.truncated).toBe(false);
    expect(out.events[0]).toMatchObject({ eventName: record.eventName, username: 'alice', resources: [{ type: 'AWS::IAM::Role', name: 'app-role' }], record });
    // A record that does not parse is kept, without its body, rather than failing the lookup.
    expect(out.events[1]).toMatchObject({ eventId: 'second', record: null });
  });

  it('stops at maxPages and says that CloudTrail had more', async () => {
    mock.on(LookupEventsCommand).resolves({ Events: [historyEntry(fixture('change--attach-role-policy--iam-user.json'))], NextToken: 'more' });
    const out = await cloudTrail.lookupEvents({ attribute: { key: 'EventName', value: 'RemoveRoleFromInstanceProfile' }, ...window, maxPages: 2 });
    expect(mock.commandCalls(LookupEventsCommand)).toHaveLength(2);
    expect(out).toMatchObject({ pages: 2, truncated: true });
    expect(out.events).toHaveLength(2);
  });

  it('reports throttling (2 requests per second per account and region) as Throttling', async () => {
    mock.on(LookupEventsCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    await expect(cloudTrail.lookupEvents({ attribute: { key: 'ResourceName', value: 'x' }, ...window, maxPages: 1 })).rejects.toBeInstanceOf(ThrottlingError);
  });

  it('reports a refusal (no cloudtrail:LookupEvents) as a permanent error naming the code', async () => {
    mock.on(LookupEventsCommand).rejects(new AccessDeniedException({ message: 'User is not authorized to perform: cloudtrail:LookupEvents', $metadata: { httpStatusCode: 400 } }));
    const err = await cloudTrail.lookupEvents({ attribute: { key: 'ResourceName', value: 'x' }, ...window, maxPages: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as AwsCallError).code).toBe('AccessDenied');
  });
});
