/**
 * Builds CloudTrail records for the built-in scenarios from the real records in
 * test/fixtures/cloudtrail/: the record's shape is kept as published (sessionContext,
 * ec2RoleDelivery, message forms, response items); only ids, names and times change.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'cloudtrail');

type Json = Record<string, any>;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json;
}

/** Deterministic hex from a seed, so that regenerating a scenario gives the same file. */
export function hex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}#${i}`).digest('hex');
  return out.slice(0, length);
}

export function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function instanceId(seed: string): string {
  return `i-0${hex(`instance:${seed}`, 16)}`;
}

/** Upper-case base32-ish id of AWS principals (AROA…, ASIA…). */
export function awsId(prefix: string, seed: string, length = 21): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const h = hex(`${prefix}:${seed}`, length * 2);
  let id = prefix;
  for (let i = 0; id.length < length; i += 2) id += alphabet[parseInt(h.slice(i, i + 2), 16) % 32];
  return id;
}

export function isoPlus(start: string, seconds: number): string {
  return new Date(Date.parse(start) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

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

export interface AutoScalingLaunchSpec {
  accountId: string;
  region: string;
  availabilityZone: string;
  subnetId: string;
  vpcId: string;
  securityGroupId: string;
  instanceId: string;
  instanceType: string;
  imageId: string;
  autoScalingGroup: string;
  launchTemplate: { id: string; version: string };
  /** The profile of the template version, or null when the version has none. */
  instanceProfile: { arn: string; id: string } | null;
  privateIp: string;
  eventTime: string;
  seed: string;
  /** Tags the group propagates to its instances at launch. */
  groupTags?: Record<string, string>;
}

/** A RunInstances by the Auto Scaling service-linked role (profile only in the response items). */
export function autoScalingLaunch(spec: AutoScalingLaunchSpec): Json {
  const record = fixture('launch--runinstances--autoscaling-service-linked-role.json');
  const fleet = `fleet-${uuid(`${spec.seed}:fleet`)}`;
  const dns = `ip-${spec.privateIp.replaceAll('.', '-')}.${spec.region}.compute.internal`;
  const launchMs = Date.parse(spec.eventTime);
  Object.assign(record, {
    awsRegion: spec.region,
    eventID: uuid(`${spec.seed}:event`),
    eventTime: spec.eventTime,
    recipientAccountId: spec.accountId,
    requestID: uuid(`${spec.seed}:request`),
  });
  Object.assign(record.requestParameters, {
    availabilityZone: spec.availabilityZone,
    clientToken: `${fleet}-0`,
    instanceType: spec.instanceType,
    subnetId: spec.subnetId,
  });
  const item = record.responseElements.instancesSet.items[0];
  Object.assign(item, {
    clientToken: `${fleet}-0`,
    imageId: spec.imageId,
    instanceId: spec.instanceId,
    instanceType: spec.instanceType,
    launchTime: launchMs,
    privateDnsName: dns,
    privateIpAddress: spec.privateIp,
    subnetId: spec.subnetId,
    vpcId: spec.vpcId,
  });
  if (spec.instanceProfile) item.iamInstanceProfile = spec.instanceProfile;
  else delete item.iamInstanceProfile;
  item.groupSet.items[0] = { groupId: spec.securityGroupId, groupName: `${spec.autoScalingGroup}-instances` };
  item.placement.availabilityZone = spec.availabilityZone;
  item.privateDnsNameOptions.hostnameType = 'ip-name';
  const eni = item.networkInterfaceSet.items[0];
  Object.assign(eni, {
    macAddress: `02:${hex(`${spec.seed}:mac`, 10).match(/../g)!.join(':')}`,
    networkInterfaceId: `eni-0${hex(`${spec.seed}:eni`, 16)}`,
    ownerId: spec.accountId,
    privateDnsName: dns,
    privateIpAddress: spec.privateIp,
    subnetId: spec.subnetId,
    vpcId: spec.vpcId,
  });
  eni.attachment.attachTime = launchMs;
  eni.attachment.attachmentId = `eni-attach-0${hex(`${spec.seed}:attach`, 16)}`;
  eni.groupSet.items[0] = { groupId: spec.securityGroupId, groupName: `${spec.autoScalingGroup}-instances` };
  eni.privateIpAddressesSet.item[0] = { primary: true, privateDnsName: dns, privateIpAddress: spec.privateIp };
  item.tagSet.items = [
    { key: 'aws:autoscaling:groupName', value: spec.autoScalingGroup },
    { key: 'aws:ec2:fleet-id', value: fleet },
    { key: 'aws:ec2launchtemplate:id', value: spec.launchTemplate.id },
    { key: 'aws:ec2launchtemplate:version', value: spec.launchTemplate.version },
    { key: 'iam-autoheal', value: 'on' },
    ...Object.entries(spec.groupTags ?? {}).map(([key, value]) => ({ key, value })),
    { key: 'Name', value: spec.autoScalingGroup },
  ];
  Object.assign(record.responseElements, {
    ownerId: spec.accountId,
    requestId: record.requestID,
    reservationId: `r-0${hex(`${spec.seed}:reservation`, 16)}`,
  });
  record.userIdentity.accountId = spec.accountId;
  record.userIdentity.arn = `arn:aws:sts::${spec.accountId}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling`;
  const slrId = awsId('AROA', `${spec.accountId}:autoscaling-slr`);
  record.userIdentity.principalId = `${slrId}:AutoScaling`;
  record.userIdentity.sessionContext.attributes.creationDate = isoPlus(spec.eventTime, -2);
  Object.assign(record.userIdentity.sessionContext.sessionIssuer, {
    accountId: spec.accountId,
    arn: `arn:aws:iam::${spec.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    principalId: slrId,
  });
  return record;
}

export interface Operator {
  accountId: string;
  userName: string;
  sourceIPAddress: string;
}

function operatorIdentity(op: Operator, seed: string): Json {
  return {
    accessKeyId: awsId('AKIA', `${op.accountId}:${op.userName}:key`, 20),
    accountId: op.accountId,
    arn: `arn:aws:iam::${op.accountId}:user/${op.userName}`,
    principalId: awsId('AIDA', `${op.accountId}:${op.userName}`),
    type: 'IAMUser',
    userName: op.userName,
  };
}

export interface OperatorLaunchSpec {
  operator: Operator;
  region: string;
  availabilityZone: string;
  subnetId: string;
  vpcId: string;
  securityGroupId: string;
  imageId: string;
  instanceType: string;
  instanceIds: string[];
  tags: Record<string, string>;
  /** Profile name given in the request, or null for a launch without one. */
  instanceProfile: string | null;
  eventTime: string;
  seed: string;
}

/** A RunInstances by a person with the CLI (one record, one response item per instance). */
export function operatorLaunch(spec: OperatorLaunchSpec): Json {
  const record = fixture('launch--runinstances--iam-user--no-profile.json');
  const token = uuid(`${spec.seed}:token`);
  const launchMs = Date.parse(spec.eventTime);
  const tags = Object.entries(spec.tags).map(([key, value]) => ({ key, value }));
  Object.assign(record, {
    awsRegion: spec.region,
    eventID: uuid(`${spec.seed}:event`),
    eventTime: spec.eventTime,
    recipientAccountId: spec.operator.accountId,
    requestID: uuid(`${spec.seed}:request`),
    sourceIPAddress: spec.operator.sourceIPAddress,
    userIdentity: operatorIdentity(spec.operator, spec.seed),
  });
  const req = record.requestParameters;
  req.clientToken = token;
  req.instanceType = spec.instanceType;
  req.instancesSet.items[0] = { imageId: spec.imageId, maxCount: spec.instanceIds.length, minCount: spec.instanceIds.length };
  req.tagSpecificationSet.items[0].tags = tags;
  if (spec.instanceProfile) req.iamInstanceProfile = { name: spec.instanceProfile };
  const template = record.responseElements.instancesSet.items[0];
  record.responseElements.instancesSet.items = spec.instanceIds.map((id, index) => {
    const item = structuredClone(template);
    const ip = `10.40.${10 + Math.floor(index / 200)}.${20 + (index % 200)}`;
    const dns = `ip-${ip.replaceAll('.', '-')}.${spec.region}.compute.internal`;
    Object.assign(item, {
      amiLaunchIndex: index,
      clientToken: token,
      imageId: spec.imageId,
      instanceId: id,
      instanceType: spec.instanceType,
      launchTime: launchMs,
      privateDnsName: dns,
      privateIpAddress: ip,
      subnetId: spec.subnetId,
      vpcId: spec.vpcId,
    });
    if (spec.instanceProfile) {
      item.iamInstanceProfile = {
        arn: `arn:aws:iam::${spec.operator.accountId}:instance-profile/${spec.instanceProfile}`,
        id: awsId('AIPA', `${spec.operator.accountId}:${spec.instanceProfile}`),
      };
    }
    item.groupSet.items[0] = { groupId: spec.securityGroupId, groupName: 'default' };
    item.placement.availabilityZone = spec.availabilityZone;
    const eni = item.networkInterfaceSet.items[0];
    Object.assign(eni, {
      macAddress: `0e:${hex(`${spec.seed}:${id}:mac`, 10).match(/../g)!.join(':')}`,
      networkInterfaceId: `eni-0${hex(`${spec.seed}:${id}:eni`, 16)}`,
      ownerId: spec.operator.accountId,
      privateDnsName: dns,
      privateIpAddress: ip,
      subnetId: spec.subnetId,
      vpcId: spec.vpcId,
    });
    eni.attachment.attachTime = launchMs;
    eni.attachment.attachmentId = `eni-attach-0${hex(`${spec.seed}:${id}:attach`, 16)}`;
    eni.groupSet.items[0] = { groupId: spec.securityGroupId, groupName: 'default' };
    eni.privateIpAddressesSet.item[0] = { primary: true, privateDnsName: dns, privateIpAddress: ip };
    item.tagSet.items = tags;
    return item;
  });
  Object.assign(record.responseElements, {
    ownerId: spec.operator.accountId,
    requestId: record.requestID,
    reservationId: `r-0${hex(`${spec.seed}:reservation`, 16)}`,
  });
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
    userIdentity: operatorIdentity(spec.operator, spec.seed),
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
