/**
 * Scenarios the benchmark generates in code from real CloudTrail records, with the builders the
 * built-in scenarios use (scripts/cloudtrail-records.ts: a record's shape is kept, only ids, names,
 * times and actions change): a denial storm of one role that lost a declared policy, and an Auto
 * Scaling scale-out from a launch template version without a profile.
 */
import { autoScalingLaunch, awsId, instanceId, instanceRoleDenial, isoPlus, type InstanceRoleSession } from '../../scripts/cloudtrail-records.ts';

export const DENIAL_TEMPLATE = 'denied--instance-role--eks-auth-assumeroleforpodidentity.json';
export const LAUNCH_TEMPLATE = 'launch--runinstances--autoscaling-service-linked-role.json';

const START = '2026-10-05T09:00:00Z';
const OPT_IN = { 'iam-autoheal': 'on' };
const EC2_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const SSM_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
const APP_AGENT = 'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.112-124.190.amzn2023.x86_64 lang/python#3.12.6 Botocore/1.35.36';

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
/** A scenario document as parseScenario takes it, with its events. */
export type GeneratedScenario = Json & { events: Json[] };

/** The calls an instance's app makes in a loop; the declared policy allows each of them. */
function stormCalls(accountId: string, region: string) {
  const table = `arn:aws:dynamodb:${region}:${accountId}:table/checkout-orders`;
  return [
    { eventName: 'GetItem', resource: table, requestParameters: { tableName: 'checkout-orders', key: { orderId: 'redacted' }, consistentRead: false } },
    { eventName: 'Query', resource: table, requestParameters: { tableName: 'checkout-orders', keyConditionExpression: 'customerId = :c' } },
    { eventName: 'PutItem', resource: table, requestParameters: { tableName: 'checkout-orders', item: { orderId: 'redacted' } } },
  ];
}

/** Instances of one role are denied their DynamoDB table because the policy the configuration declares was detached. */
export function denialStormScenario(spec: StormSpec): GeneratedScenario {
  const accountId = '210987654321';
  const region = 'eu-west-1';
  const role = 'checkout';
  const roleId = awsId('AROA', `${accountId}:${role}`);
  const declaredPolicyArn = `arn:aws:iam::${accountId}:policy/checkout-orders-table`;
  const ids = Array.from({ length: spec.instances }, (_, i) => instanceId(`bench-storm-${i}`));
  const sessions: InstanceRoleSession[] = ids.map((id) => ({
    accountId, region, roleName: role, rolePath: '/', roleId, instanceId: id, ec2RoleDelivery: '2.0', sessionCreated: isoPlus(START, -600),
  }));
  const calls = stormCalls(accountId, region);
  const events = Array.from({ length: spec.events }, (_, n) => {
    const call = calls[n % calls.length]!;
    const action = `dynamodb:${call.eventName}`;
    return instanceRoleDenial({
      session: sessions[n % sessions.length]!,
      // Whole seconds, as CloudTrail writes them.
      eventTime: isoPlus(START, Math.floor((n * spec.windowSeconds) / spec.events)),
      eventSource: 'dynamodb.amazonaws.com', eventName: call.eventName, action, resource: call.resource,
      reason: `because no identity-based policy allows the ${action} action`, errorCode: 'AccessDeniedException',
      requestParameters: call.requestParameters, readOnly: call.eventName !== 'PutItem',
      sourceIPAddress: `10.20.${Math.floor((n % sessions.length) / 250)}.${(n % sessions.length) % 250}`, userAgent: APP_AGENT, seed: `bench-storm-${n}`,
    });
  });

  return {
    name: `denial storm: ${spec.events} denials from ${spec.instances} instances of ${role} (declared policy detached)`,
    approvals: 'none',
    account: {
      accountId,
      region,
      roles: [{ name: role, path: '/', roleId, trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN, updatedAt: isoPlus(START, -3600) }],
      policies: [{
        arn: declaredPolicyArn,
        document: { Version: '2012-10-17', Statement: [{ Sid: 'CheckoutOrdersTable', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: `arn:aws:dynamodb:${region}:${accountId}:table/checkout-orders` }] },
      }],
      instanceProfiles: [{ name: role, path: '/', roles: [role] }],
      launchTemplates: [],
      autoScalingGroups: [],
      instances: ids.map((id) => ({ id, state: 'running', instanceProfile: role, launchTemplate: null, autoScalingGroup: null, tags: OPT_IN, associatedAt: isoPlus(START, -86_400) })),
    },
    physics: { propagationSeconds: spec.propagationSeconds, iamWritesPerSecond: 5, faults: [] },
    config: {
      modes: { 'missing-permission': 'auto' },
      expectedPermissions: [{ role, policyArns: [declaredPolicyArn] }],
      scope: { tag: { key: 'iam-autoheal', value: 'on' }, accounts: [accountId], regions: [region] },
      ...spec.config,
    },
    events,
  };
}

/** An Auto Scaling group scales out from a launch template version that has no instance profile. */
export function scaleOutScenario(spec: ScaleOutSpec): GeneratedScenario {
  const accountId = '111122223333';
  const region = 'us-west-2';
  const group = 'batch-workers';
  const profile = 'batch-worker';
  const launchTemplate = { id: 'lt-07a0b5cea4ece8ffd', version: '1' };
  const ids = Array.from({ length: spec.instances }, (_, i) => instanceId(`bench-scale-out-${i}`));
  const launchedAt = (i: number) => isoPlus(START, Math.floor((i * spec.windowSeconds) / spec.instances));
  const events = ids.map((id, i) =>
    autoScalingLaunch({
      accountId, region, availabilityZone: `${region}${'abc'[i % 3]}`, subnetId: `subnet-0${(i % 3).toString().repeat(16)}`,
      vpcId: 'vpc-0330bfd33da75b36e', securityGroupId: 'sg-03d704b35372e74e8', instanceId: id, instanceType: 'm7g.large',
      imageId: 'ami-013e7d3a6659f358d', autoScalingGroup: group, launchTemplate, instanceProfile: null,
      privateIp: `10.30.${Math.floor(i / 250)}.${(i % 250) + 4}`, eventTime: launchedAt(i), seed: `bench-scale-out-${i}`,
    }),
  );

  return {
    name: `scale-out: ${spec.instances} instances of ${group} from a launch template version without a profile`,
    approvals: 'none',
    account: {
      accountId,
      region,
      roles: [{ name: profile, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN }],
      policies: [],
      instanceProfiles: [{ name: profile, path: '/', roles: [profile] }],
      // Opted in where IAM checks the tag: the template and the group (EC2 and Auto Scaling writes), the instances, the role.
      launchTemplates: [{ id: launchTemplate.id, name: group, defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }], tags: OPT_IN }],
      autoScalingGroups: [{ name: group, launchTemplate: { id: launchTemplate.id, version: '$Default' }, tags: OPT_IN }],
      instances: ids.map((id, i) => ({
        id, state: 'running', instanceProfile: null, launchTemplate, autoScalingGroup: group, tags: { ...OPT_IN, 'aws:autoscaling:groupName': group }, launchTime: launchedAt(i),
      })),
    },
    physics: { propagationSeconds: spec.propagationSeconds, iamWritesPerSecond: 5, faults: [] },
    config: {
      modes: { 'no-instance-profile': 'auto', 'stale-launch-template': 'auto' },
      baselineInstanceProfile: profile,
      scope: { tag: { key: 'iam-autoheal', value: 'on' }, accounts: [accountId], regions: [region] },
    },
    events,
  };
}
