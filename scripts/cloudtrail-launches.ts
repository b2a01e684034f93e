/** Launch records (RunInstances) for the built-in scenarios, from the real records of test/fixtures/cloudtrail/. */
import { awsId, fixture, hex, isoPlus, operatorIdentity, uuid, type Json, type Operator } from './cloudtrail-ids.ts';

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
    userIdentity: operatorIdentity(spec.operator),
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
