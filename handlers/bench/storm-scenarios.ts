/**
 * Scenarios the benchmark generates in code from real CloudTrail records (test/fixtures/cloudtrail):
 * a denial storm of one role that lost a declared policy, and an Auto Scaling scale-out from a
 * launch template without a profile. Only identifiers, times and actions vary; the shape is the record's.
 */
import { loadCloudTrailFixture } from './project.ts';

export const DENIAL_TEMPLATE = 'denied--instance-role--ec2-describeinstances--legacy-message.json';
export const LAUNCH_TEMPLATE = 'launch--runinstances--autoscaling-service-linked-role.json';

/** Read-only EC2 calls an instance makes in a loop; the declared policy allows all of them. */
const STORM_EVENT_NAMES = ['DescribeInstances', 'DescribeTags', 'DescribeVolumes', 'DescribeNetworkInterfaces'];
const START = Date.parse('2026-10-05T09:00:00Z');
const OPT_IN_TAG = { key: 'iam-autoheal', value: 'on' };

export interface StormSpec {
  events: number;
  instances: number;
  /** Denials spread evenly over this many seconds. */
  windowSeconds: number;
  propagationSeconds: number;
  /** Configuration overrides (e.g. propagation waits), merged over the storm's own config. */
  config?: Record<string, unknown>;
}

export interface ScaleOutSpec {
  instances: number;
  windowSeconds: number;
  propagationSeconds: number;
}

type Json = Record<string, any>;

const clone = <T>(value: T): T => structuredClone(value);

/** Deterministic instance id: i- + 17 hex digits. */
export function instanceIdFor(index: number, prefix = 'b'): string {
  return `i-0${prefix}${index.toString(16).padStart(15, '0')}`;
}

/** Deterministic UUID-shaped id (event ids must differ or intake would see duplicates). */
function uuidFor(kind: number, index: number): string {
  const h = kind.toString(16).padStart(8, '0') + index.toString(16).padStart(24, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const trustEc2 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

/** One role's instances are denied Describe* calls because its declared policy was detached. */
export function denialStormScenario(spec: StormSpec): Json {
  const template = loadCloudTrailFixture(DENIAL_TEMPLATE) as Json;
  const issuer = template.userIdentity.sessionContext.sessionIssuer;
  const accountId: string = template.recipientAccountId;
  const region: string = template.awsRegion;
  const roleName: string = issuer.userName;
  const roleId: string = issuer.principalId;
  const declaredPolicyArn = `arn:aws:iam::${accountId}:policy/${roleName}-describe`;
  const instanceIds = Array.from({ length: spec.instances }, (_, i) => instanceIdFor(i));
  const stepMs = (spec.windowSeconds * 1000) / spec.events;

  const events = Array.from({ length: spec.events }, (_, i) => {
    const record = clone(template);
    const instanceId = instanceIds[i % instanceIds.length]!;
    const at = START + Math.floor(i * stepMs);
    record.eventName = STORM_EVENT_NAMES[i % STORM_EVENT_NAMES.length];
    record.eventTime = iso(at);
    record.eventID = uuidFor(1, i);
    record.requestID = uuidFor(2, i);
    record.userIdentity.principalId = `${roleId}:${instanceId}`;
    record.userIdentity.arn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${instanceId}`;
    record.userIdentity.sessionContext.attributes.creationDate = iso(START - 600_000);
    // The 2020 record predates ec2RoleDelivery; today's instance credentials carry it, and without it nothing is changed.
    record.userIdentity.sessionContext.ec2RoleDelivery = '2.0';
    return record;
  });

  return {
    name: `denial storm: ${spec.events} denials from ${spec.instances} instances of ${roleName} (declared policy detached)`,
    approvals: 'none',
    account: {
      accountId,
      region,
      roles: [
        {
          name: roleName,
          path: '/',
          roleId,
          trustPolicy: trustEc2,
          inlinePolicies: {},
          managedPolicies: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
          permissionsBoundary: null,
          tags: { [OPT_IN_TAG.key]: OPT_IN_TAG.value },
          updatedAt: iso(START - 3_600_000),
        },
      ],
      policies: [
        {
          arn: declaredPolicyArn,
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] },
        },
      ],
      instanceProfiles: [{ name: roleName, path: '/', roles: [roleName] }],
      launchTemplates: [],
      autoScalingGroups: [],
      instances: instanceIds.map((id) => ({
        id,
        state: 'running',
        instanceProfile: roleName,
        launchTemplate: null,
        autoScalingGroup: null,
        tags: { [OPT_IN_TAG.key]: OPT_IN_TAG.value },
        associatedAt: iso(START - 86_400_000),
      })),
    },
    physics: { propagationSeconds: spec.propagationSeconds, iamWritesPerSecond: 5, faults: [] },
    config: {
      modes: { 'missing-permission': 'auto' },
      expectedPermissions: [{ role: roleName, policyArns: [declaredPolicyArn] }],
      scope: { tag: OPT_IN_TAG, accounts: [accountId], regions: [region] },
      ...spec.config,
    },
    events,
  };
}

/** An Auto Scaling group scales out from a launch template version that has no instance profile. */
export function scaleOutScenario(spec: ScaleOutSpec): Json {
  const template = loadCloudTrailFixture(LAUNCH_TEMPLATE) as Json;
  const accountId: string = template.recipientAccountId;
  const region: string = template.awsRegion;
  const item = template.responseElements.instancesSet.items[0];
  const tag = (key: string) => item.tagSet.items.find((t: { key: string }) => t.key === key)?.value as string;
  const groupName = tag('aws:autoscaling:groupName');
  const launchTemplateId = tag('aws:ec2launchtemplate:id');
  const profileName = 'eks-node';
  const instanceIds = Array.from({ length: spec.instances }, (_, i) => instanceIdFor(i, 'c'));
  const stepMs = (spec.windowSeconds * 1000) / spec.instances;

  const events = instanceIds.map((instanceId, i) => {
    const record = clone(template);
    const at = START + Math.floor(i * stepMs);
    const launched = record.responseElements.instancesSet.items[0];
    // The template's version has no profile: the response carries none.
    delete launched.iamInstanceProfile;
    launched.instanceId = instanceId;
    launched.launchTime = at;
    launched.tagSet.items.push({ key: OPT_IN_TAG.key, value: OPT_IN_TAG.value });
    record.eventTime = iso(at);
    record.eventID = uuidFor(3, i);
    record.requestID = uuidFor(4, i);
    record.responseElements.requestId = record.requestID;
    record.userIdentity.sessionContext.attributes.creationDate = iso(at - 2000);
    return record;
  });

  return {
    name: `scale-out: ${spec.instances} instances of ${groupName} from a launch template without a profile`,
    approvals: 'none',
    account: {
      accountId,
      region,
      roles: [{ name: profileName, path: '/', trustPolicy: trustEc2, inlinePolicies: {}, managedPolicies: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'], permissionsBoundary: null, tags: { [OPT_IN_TAG.key]: OPT_IN_TAG.value } }],
      policies: [],
      instanceProfiles: [{ name: profileName, path: '/', roles: [profileName] }],
      launchTemplates: [{ id: launchTemplateId, name: tag('eks:nodegroup-name'), defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }] }],
      autoScalingGroups: [{ name: groupName, launchTemplate: { id: launchTemplateId, version: '$Default' } }],
      instances: instanceIds.map((id, i) => ({
        id,
        state: 'running',
        instanceProfile: null,
        launchTemplate: { id: launchTemplateId, version: '1' },
        autoScalingGroup: groupName,
        tags: { [OPT_IN_TAG.key]: OPT_IN_TAG.value, 'aws:autoscaling:groupName': groupName },
        launchTime: iso(START + Math.floor(i * stepMs)),
      })),
    },
    physics: { propagationSeconds: spec.propagationSeconds, iamWritesPerSecond: 5, faults: [] },
    config: {
      modes: { 'no-instance-profile': 'auto', 'stale-launch-template': 'auto' },
      baselineInstanceProfile: profileName,
      scope: { tag: OPT_IN_TAG, accounts: [accountId], regions: [region] },
    },
    events,
  };
}
