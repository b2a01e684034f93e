/**
 * CloudTrailPort of the simulated account: the event history as CloudTrail keeps it. It holds the scenario's
 * records (delivered `events` and the undelivered `account.eventHistory`) and a record of every write made to the
 * account through its ports, as CloudTrail records it (request and response, the caller's identity, the region:
 * IAM's in the partition's global region, us-east-1 in `aws`). LookupEvents behaves as the API does: one lookup
 * attribute, newest first, pages of at most 50 through NextToken, 90 days kept, an event visible
 * `eventHistorySeconds` after its call, 2 requests per second (`Throttling`), faults like any other call.
 */
import { randomUUID } from 'node:crypto';
import { changeOf } from '../../core/events/change.ts';
import { extractRecords, type CloudTrailRecord, type UserIdentity } from '../../core/events/records.ts';
import { globalEventsRegion, type CloudTrailPort, type EventHistoryPage, type EventLookup, type HistoryEvent } from '../../core/ports.ts';
import type { CallGate, TrailEntry } from './call-gate.ts';
import type { VirtualClock } from './clock.ts';
import { awsError } from './errors.ts';
import type { ApiFamily } from './scenario.ts';

const PAGE_SIZE = 50;
const RETENTION_MS = 90 * 86_400_000;
const GLOBAL_SOURCES = new Set(['iam.amazonaws.com', 'sts.amazonaws.com', 'cloudfront.amazonaws.com', 'signin.amazonaws.com']);
const SOURCE_OF: Partial<Record<ApiFamily, string>> = { 'iam-write': 'iam.amazonaws.com', 'ec2-write': 'ec2.amazonaws.com' };
const AUTO_SCALING_APIS = new Set(['UpdateAutoScalingGroup']);

/** Who calls the simulated account: the service's remediation role unless a test says otherwise. */
export function serviceIdentity(accountId: string, partition: string, roleName = 'iam-autoheal-remediation', sessionName = 'iam-autoheal'): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `AROASIMULATEDSERVICE:${sessionName}`,
    arn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    accountId,
    sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROASIMULATEDSERVICE', arn: `arn:${partition}:iam::${accountId}:role/${roleName}`, accountId, userName: roleName } },
  };
}

/** An IAM user, e.g. a person changing the account by hand in a test or scenario. */
export function userIdentity(accountId: string, partition: string, userName: string): UserIdentity {
  return { type: 'IAMUser', principalId: `AIDASIMULATED${userName.toUpperCase()}`, arn: `arn:${partition}:iam::${accountId}:user/${userName}`, accountId, userName };
}

interface Entry {
  record: CloudTrailRecord;
  at: number;
}

export class SimulatedCloudTrail implements CloudTrailPort {
  private readonly entries: Entry[] = [];
  /** Who the next writes are recorded as. */
  caller: UserIdentity;

  constructor(
    private readonly gate: CallGate,
    private readonly clock: VirtualClock,
    private readonly account: { accountId: string; region: string; partition: string },
    private readonly delaySeconds: number,
    scenarioRecords: unknown[],
  ) {
    this.caller = serviceIdentity(account.accountId, account.partition);
    for (const record of scenarioRecords.flatMap((doc, i) => extractRecords(doc, `events[${i}]`))) {
      if (record.recipientAccountId && record.recipientAccountId !== account.accountId) continue;
      const at = Date.parse(String(record.eventTime ?? ''));
      if (Number.isFinite(at)) this.entries.push({ record, at });
    }
    gate.recorder = (api, family, entry) => this.record(api, family, entry);
  }

  /** A write AWS carried out, recorded as CloudTrail records it. */
  private record(api: string, family: ApiFamily, entry: TrailEntry): void {
    const eventSource = AUTO_SCALING_APIS.has(api) ? 'autoscaling.amazonaws.com' : SOURCE_OF[family];
    if (!eventSource) return;
    const at = this.clock.nowMs();
    const region = GLOBAL_SOURCES.has(eventSource) ? globalEventsRegion(this.account.region) : this.account.region;
    this.entries.push({
      at,
      record: {
        eventVersion: '1.10', userIdentity: structuredClone(this.caller), eventTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        eventSource, eventName: api, awsRegion: region, sourceIPAddress: '203.0.113.10', userAgent: 'aws-sdk-js/3 (simulated)',
        requestParameters: entry.request, responseElements: entry.response ?? null, requestID: randomUUID(), eventID: randomUUID(),
        readOnly: false, eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: this.account.accountId, eventCategory: 'Management',
      },
    });
  }

  lookupEvents(lookup: EventLookup): Promise<EventHistoryPage> {
    return this.pages(lookup);
  }

  private async pages(lookup: EventLookup): Promise<EventHistoryPage> {
    const events: HistoryEvent[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await this.gate.call('LookupEvents', 'cloudtrail', () => this.page(lookup, token));
      pages += 1;
      events.push(...page.events);
      token = page.nextToken;
    } while (token && pages < lookup.maxPages);
    return { events, pages, truncated: token !== undefined };
  }

  /** One LookupEvents request; `global` asks the partition's global region (where IAM's events are), as a client of that region does. */
  private page(lookup: EventLookup, token: string | undefined): { events: HistoryEvent[]; nextToken?: string } {
    const start = lookup.startTime.getTime();
    const end = lookup.endTime.getTime();
    if (start > end) throw awsError('InvalidTimeRangeException', 'Start time must be earlier than end time.');
    const now = this.clock.nowMs();
    const region = lookup.global ? globalEventsRegion(this.account.region) : this.account.region;
    // Newest first; of two events in the same instant, the one recorded later.
    const visible = this.entries
      .map((e, order) => ({ ...e, order }))
      .filter((e) => e.at >= start && e.at <= end && e.at >= now - RETENTION_MS && e.at + this.delaySeconds * 1000 <= now)
      .filter((e) => (e.record.awsRegion ?? this.account.region) === region)
      .sort((a, b) => b.at - a.at || b.order - a.order)
      .map((e) => historyEvent(e.record))
      .filter((e) => matches(e, lookup));
    const offset = token ? Number(token.split(':')[1]) : 0;
    if (token && !Number.isInteger(offset)) throw awsError('InvalidNextTokenException', 'Invalid NextToken.');
    const events = visible.slice(offset, offset + PAGE_SIZE);
    return offset + PAGE_SIZE < visible.length ? { events, nextToken: `page:${offset + PAGE_SIZE}` } : { events };
  }
}

function matches(e: HistoryEvent, lookup: EventLookup): boolean {
  const { key, value } = lookup.attribute;
  switch (key) {
    case 'ResourceName': return e.resources.some((r) => r.name === value);
    case 'ResourceType': return e.resources.some((r) => r.type === value);
    case 'EventName': return e.eventName === value;
    case 'EventSource': return e.eventSource === value;
    case 'Username': return e.username === value;
    case 'EventId': return e.eventId === value;
    case 'ReadOnly': return String(e.record?.readOnly ?? false) === value;
    case 'AccessKeyId': return (e.record?.userIdentity as UserIdentity | undefined)?.accessKeyId === value;
  }
}

const RESOURCE_TYPES: Record<string, string> = {
  'role-trust': 'AWS::IAM::Role', 'role-policy': 'AWS::IAM::Role', 'instance-profile': 'AWS::IAM::InstanceProfile', 'profile-association': 'AWS::EC2::Instance',
  'launch-template': 'AWS::EC2::LaunchTemplate', 'auto-scaling-group': 'AWS::AutoScaling::AutoScalingGroup', 'managed-policy': 'AWS::IAM::Policy',
};

/** An event as LookupEvents returns it: the resources it names (as the event history lists them), the user, the record. */
function historyEvent(record: CloudTrailRecord): HistoryEvent {
  const resources: HistoryEvent['resources'] = [];
  const change = changeOf(record);
  if (change?.resource) resources.push({ type: RESOURCE_TYPES[change.resourceType] ?? null, name: change.resource });
  if (change?.detail?.roleName) resources.push({ type: 'AWS::IAM::Role', name: change.detail.roleName });
  if (change?.detail?.policyArn) resources.push({ type: 'AWS::IAM::Policy', name: change.detail.policyArn });
  if (change?.detail?.instanceProfile) resources.push({ type: 'AWS::IAM::InstanceProfile', name: change.detail.instanceProfile.split('/').pop()! });
  for (const r of record.resources ?? []) if (r.ARN) resources.push({ type: r.type ?? null, name: r.ARN });
  const identity = record.userIdentity;
  // The event history's "user name": an IAM user's name, a role session's name.
  const username = identity?.type === 'AssumedRole' ? identity.arn?.split('/').pop() ?? null : identity?.userName ?? null;
  return {
    eventId: record.eventID ?? '', eventName: record.eventName, eventSource: record.eventSource ?? null,
    eventTime: new Date(Date.parse(String(record.eventTime))).toISOString(), username, resources,
    // LookupEvents hands the record over as a JSON string: a copy, never the history's own object.
    record: JSON.parse(JSON.stringify(record)) as Record<string, unknown>,
  };
}
