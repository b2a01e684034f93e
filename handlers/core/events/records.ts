/** CloudTrail records as they arrive: alone, in an EventBridge envelope, in a log file, or in lists of these. */

export interface SessionIssuer {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
}

export interface UserIdentity {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  sessionContext?: {
    sessionIssuer?: SessionIssuer;
    ec2RoleDelivery?: string;
    attributes?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One CloudTrail record. Loose on purpose: real exports add, drop and rename fields. */
export interface CloudTrailRecord {
  eventVersion?: string;
  eventID?: string;
  eventTime?: string | number;
  eventSource: string;
  eventName: string;
  awsRegion?: string;
  recipientAccountId?: string;
  errorCode?: string;
  errorMessage?: string;
  userIdentity?: UserIdentity;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: Array<{ ARN?: string; type?: string; accountId?: string }>;
  readOnly?: boolean;
  [key: string]: unknown;
}

/** The input holds no usable CloudTrail record; the message starts with the input's name. */
export class EventInputError extends Error {
  override readonly name = 'EventInputError' as const;
}

/**
 * The detail-types under which CloudTrail delivers a call to EventBridge: management and data events, and
 * network activity events (calls through a VPC endpoint, e.g. `VpceAccessDenied`) of a trail that logs them.
 */
export const CLOUDTRAIL_DETAIL_TYPES = ['AWS API Call via CloudTrail', 'AWS Network Activity Event via CloudTrail'] as const;

/** The EventBridge envelope a record arrived in: what EventBridge itself says about where it came from. */
export interface Envelope {
  source: unknown;
  account: unknown;
  region: unknown;
  detailType: string;
}

/** A record and the envelope it arrived in (null when it came without one: a file, a scenario, an SQS message sent by hand). */
export interface DeliveredRecord {
  record: CloudTrailRecord;
  envelope: Envelope | null;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRecord(value: Json): boolean {
  return typeof value.eventName === 'string' && typeof value.eventSource === 'string';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The record of an EventBridge event; region and account come from the envelope when the record lacks them. */
function fromEnvelope(event: Json, where: string): DeliveredRecord {
  const detailType = event['detail-type'];
  if (!CLOUDTRAIL_DETAIL_TYPES.includes(detailType as never)) {
    throw new EventInputError(`${where}: EventBridge event of detail-type "${String(detailType)}", not ${CLOUDTRAIL_DETAIL_TYPES.map((t) => `"${t}"`).join(' or ')}`);
  }
  const detail = event.detail;
  if (!isObject(detail) || !isRecord(detail)) {
    throw new EventInputError(`${where}: EventBridge event without a CloudTrail record in detail (no eventName/eventSource)`);
  }
  const record = detail as CloudTrailRecord;
  const envelope: Envelope = { source: event.source, account: event.account, region: event.region, detailType: detailType as string };
  const region = record.awsRegion ?? (typeof event.region === 'string' ? event.region : undefined);
  const account = record.recipientAccountId ?? (typeof event.account === 'string' ? event.account : undefined);
  if (region === record.awsRegion && account === record.recipientAccountId) return { record, envelope };
  return { record: { ...record, awsRegion: region, recipientAccountId: account }, envelope };
}

function collect(doc: unknown, where: string, out: DeliveredRecord[]): void {
  if (Array.isArray(doc)) {
    for (let i = 0; i < doc.length; i++) collect(doc[i], `${where}[${i}]`, out);
    return;
  }
  if (!isObject(doc)) {
    throw new EventInputError(`${where}: not a CloudTrail record: expected an object, got ${describe(doc)}`);
  }
  if (isRecord(doc)) {
    out.push({ record: doc as CloudTrailRecord, envelope: null });
  } else if ('detail-type' in doc || 'detail' in doc) {
    out.push(fromEnvelope(doc, where));
  } else if (Array.isArray(doc.Records)) {
    collect(doc.Records, `${where}: Records`, out);
  } else if (Array.isArray(doc.Events)) {
    // `aws cloudtrail lookup-events` output: each event carries the record as a JSON string.
    collect(doc.Events, `${where}: Events`, out);
  } else if (typeof doc.CloudTrailEvent === 'string') {
    let inner: unknown;
    try {
      inner = JSON.parse(doc.CloudTrailEvent);
    } catch {
      throw new EventInputError(`${where}: CloudTrailEvent is not valid JSON`);
    }
    collect(inner, `${where}: CloudTrailEvent`, out);
  } else {
    throw new EventInputError(`${where}: not a CloudTrail record: no eventName/eventSource`);
  }
}

/**
 * Every CloudTrail record in a parsed document, with the EventBridge envelope it came in: a record, an
 * EventBridge event (CLOUDTRAIL_DETAIL_TYPES), a log file {"Records": [...]}, `lookup-events` output, or an
 * array of any of these. Throws EventInputError naming `source` (and where inside it) when something is not a record.
 */
export function extractDelivered(doc: unknown, source: string): DeliveredRecord[] {
  const out: DeliveredRecord[] = [];
  collect(doc, source, out);
  return out;
}

/** The records of `extractDelivered`, without their envelopes. */
export function extractRecords(doc: unknown, source: string): CloudTrailRecord[] {
  return extractDelivered(doc, source).map((delivered) => delivered.record);
}
