/**
 * Builds CloudTrail records for the built-in scenarios from the real records in
 * test/fixtures/cloudtrail/: the record's shape is kept as published (sessionContext,
 * ec2RoleDelivery, message forms, response items); only ids, names and times change.
 */
import { awsId, fixture, hex, operatorIdentity, uuid, type Json, type Operator } from './cloudtrail-ids.ts';

// One import for the scenario scripts (and the benchmark's storms): ids, launches and the records here.
export * from './cloudtrail-ids.ts';
export * from './cloudtrail-launches.ts';

export interface InstanceRoleSession {
  accountId: string;
  region: string;
  roleName: string;
  /** Role path, e.g. "/" or "/workloads/"; the session ARN never shows it, the issuer ARN does. */
  rolePath: string;
  roleId: string;
  instanceId: string;
  /** When EC2 delivered the credentials; null for a session EC2 did not deliver (no ec2RoleDelivery). */
  ec2RoleDelivery: '1.0' | '2.0' | null;
  sessionCreated: string;
}

export interface DenialSpec {
  session: InstanceRoleSession;
  eventTime: string;
  eventSource: string;
  eventName: string;
  action: string;
  resource: string;
  /** The reason clause, e.g. "because no identity-based policy allows the ssm:GetParameter action". */
  reason: string;
  errorCode?: string;
  requestParameters: Json | null;
  readOnly: boolean;
  sourceIPAddress: string;
  userAgent: string;
  seed: string;
  /** The whole errorMessage when the service words it differently (EC2's encoded form, SNS's "SNS:Publish"). */
  message?: string;
  /** Fields a record carries on that path, e.g. vpcEndpointId for a call through an interface endpoint. */
  extra?: Json;
}

/**
 * An instance-role denial: the record of an EKS node's instance-role session denied by
 * eks-auth (ec2RoleDelivery 2.0), with the new-style IAM message of the Organizations record.
 */
export function instanceRoleDenial(spec: DenialSpec): Json {
  const record = fixture('denied--instance-role--eks-auth-assumeroleforpodidentity.json');
  const s = spec.session;
  const sessionArn = `arn:aws:sts::${s.accountId}:assumed-role/${s.roleName}/${s.instanceId}`;
  record.userIdentity.principalId = `${s.roleId}:${s.instanceId}`;
  record.userIdentity.arn = sessionArn;
  record.userIdentity.accountId = s.accountId;
  record.userIdentity.accessKeyId = awsId('ASIA', `${spec.seed}:${s.instanceId}:key`, 20);
  const ctx = record.userIdentity.sessionContext;
  Object.assign(ctx.sessionIssuer, {
    principalId: s.roleId,
    arn: `arn:aws:iam::${s.accountId}:role${s.rolePath}${s.roleName}`,
    accountId: s.accountId,
    userName: s.roleName,
  });
  ctx.attributes.creationDate = s.sessionCreated;
  if (s.ec2RoleDelivery) ctx.ec2RoleDelivery = s.ec2RoleDelivery;
  else delete ctx.ec2RoleDelivery;
  record.eventTime = spec.eventTime;
  record.eventSource = spec.eventSource;
  record.eventName = spec.eventName;
  record.awsRegion = s.region;
  record.sourceIPAddress = spec.sourceIPAddress;
  record.userAgent = spec.userAgent;
  record.errorCode = spec.errorCode ?? 'AccessDenied';
  record.errorMessage = spec.message ?? `User: ${sessionArn} is not authorized to perform: ${spec.action} on resource: ${spec.resource} ${spec.reason}`;
  record.requestParameters = spec.requestParameters;
  record.requestID = uuid(`${spec.seed}:request`);
  record.eventID = uuid(`${spec.seed}:event`);
  record.readOnly = spec.readOnly;
  record.recipientAccountId = s.accountId;
  record.tlsDetails.clientProvidedHostHeader = `${spec.eventSource.split('.')[0]}.${s.region}.amazonaws.com`;
  Object.assign(record, spec.extra ?? {});
  return record;
}

export interface IamChangeSpec {
  operator: Operator;
  eventName: 'AttachRolePolicy' | 'DetachRolePolicy' | 'UpdateAssumeRolePolicy' | 'RemoveRoleFromInstanceProfile' | 'PutRolePolicy';
  requestParameters: Json;
  eventTime: string;
  seed: string;
}

/** An IAM change by a person with the CLI (the AttachRolePolicy record, other IAM change names). */
export function iamChange(spec: IamChangeSpec): Json {
  const record = fixture('change--attach-role-policy--iam-user-2.json');
  const command = spec.eventName.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  Object.assign(record, {
    eventID: uuid(`${spec.seed}:event`),
    eventName: spec.eventName,
    eventTime: spec.eventTime,
    recipientAccountId: spec.operator.accountId,
    requestID: uuid(`${spec.seed}:request`),
    requestParameters: spec.requestParameters,
    sourceIPAddress: spec.operator.sourceIPAddress,
    userAgent: record.userAgent.replace('iam.attach-role-policy', `iam.${command}`),
    userIdentity: operatorIdentity(spec.operator),
  });
  return record;
}

/** An opaque blob shaped like EC2's "Encoded authorization failure message" (base64url alphabet). */
export function encodedBlob(seed: string, length = 560): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const h = hex(`blob:${seed}`, length * 2);
  let out = '';
  for (let i = 0; out.length < length; i += 2) out += alphabet[parseInt(h.slice(i, i + 2), 16) % 64];
  return out;
}

export function sessionArnOf(s: InstanceRoleSession): string {
  return `arn:aws:sts::${s.accountId}:assumed-role/${s.roleName}/${s.instanceId}`;
}
