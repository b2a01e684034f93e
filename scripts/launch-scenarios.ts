/**
 * Scenario builders of launches without a profile: by hand, with the service refused DescribeInstances, and beside
 * forged and foreign events (used by make-incident-scenarios.ts).
 */
import { autoScalingLaunch, operatorLaunch } from './cloudtrail-launches.ts';
import {
  awsId,
  encodedBlob,
  hex,
  iamChange,
  instanceId,
  instanceRoleDenial,
  isoPlus,
  sessionArnOf,
  uuid,
  type InstanceRoleSession,
} from './cloudtrail-records.ts';
import { APP_AGENT, DRIFT_OFF, EC2_TRUST, OPT_IN, PY_AGENT, SSM_CORE, scope, writeScenarios } from './scenario-parts.ts';

export function network(seed: string) {
  return { subnetId: `subnet-0${hex(`${seed}-subnet`, 16)}`, vpcId: `vpc-0${hex(`${seed}-vpc`, 16)}`, securityGroupId: `sg-0${hex(`${seed}-sg`, 16)}` };
}

/** Two reporting workers launched by hand without a profile; the baseline profile is associated. */
export function launchWithoutProfile() {
  const accountId = '333344445555';
  const region = 'eu-west-2';
  const ids = [instanceId('reporting-0'), instanceId('reporting-1')];
  return {
    name: 'two reporting workers launched by hand without an instance profile',
    description: 'An operator launches two workers with the CLI and forgets --iam-instance-profile. The configured baseline profile is associated to each running instance.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [{ name: 'reporting-worker', path: '/workloads/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN }],
      policies: [],
      instanceProfiles: [{ name: 'reporting-worker', path: '/workloads/', roles: ['reporting-worker'] }],
      launchTemplates: [], autoScalingGroups: [],
      instances: ids.map((id) => ({ id, state: 'running', instanceProfile: null, launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: 'reporting-worker' } })),
    },
    physics: { propagationSeconds: 4, iamWritesPerSecond: 5, faults: [] },
    config: { modes: { 'no-instance-profile': 'auto' }, baselineInstanceProfile: 'reporting-worker', scope: scope(accountId, region) },
    expected: { incidents: 1, events: 1, ignoredEvents: 0, cause: 'no-instance-profile', status: 'fixed', actions: ['associate-profile'], writes: { iam: 0, ec2: 2 } },
    events: [operatorLaunch({
      operator: { accountId, userName: 'priya.natarajan', sourceIPAddress: '203.0.113.41' }, region, availabilityZone: `${region}a`, ...network('reporting'),
      imageId: 'ami-0c7d3e9f1a2b4c6d8', instanceType: 'r7i.large', instanceIds: ids, tags: { ...OPT_IN, Name: 'reporting-worker' },
      instanceProfile: null, eventTime: '2026-10-19T07:45:12Z', seed: 'reporting-launch',
    })],
  };
}

/** The same launch, but the service's role may not call DescribeInstances: unknown, escalated with the permission named, never "nothing to fix". */
export function serviceDeniedDescribeInstances() {
  const base = launchWithoutProfile();
  const message = `You are not authorized to perform this operation. User: arn:aws:sts::${base.account.accountId}:assumed-role/iam-autoheal-member/diagnose is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action`;
  return {
    ...base,
    name: 'EC2 refuses DescribeInstances to the service: it cannot see, so it says so and changes nothing',
    description: 'Two workers launched without an instance profile, but the service role in the account lacks ec2:DescribeInstances (UnauthorizedOperation). A fact that could not be read is unknown, never healthy: the incident is escalated to the service operators naming the missing permission, and nothing is written.',
    physics: { ...base.physics, faults: [{ api: 'DescribeInstances', error: 'UnauthorizedOperation', times: 20, message }] },
    expected: { incidents: 1, events: 1, ignoredEvents: 0, cause: 'unknown', status: 'escalated', actions: [], writes: { iam: 0, ec2: 0 } },
  };
}

/** The EventBridge envelope a record arrives in: `source` and `account` are what EventBridge says, or what a forger writes. */
function envelope(record: Record<string, any>, source: string, account: string, seed: string) {
  return { version: '0', id: uuid(`${seed}:envelope`), 'detail-type': 'AWS API Call via CloudTrail', source, account, time: record.eventTime, region: record.awsRegion, resources: [], detail: record };
}

/**
 * The launch of launchWithoutProfile, and three events that try to steer the service: all refused at intake.
 * The forged denial is the instance-role denial record with another account's role, ec2RoleDelivery included.
 */
export function forgedEventsRefused() {
  const real = launchWithoutProfile();
  const { accountId, region } = real.account;
  const other = '999988887777';
  const session: InstanceRoleSession = {
    accountId: other, region, roleName: 'admin-node', rolePath: '/', roleId: awsId('AROA', 'forged-admin-node', 21),
    instanceId: instanceId('forged-0'), ec2RoleDelivery: '2.0', sessionCreated: '2026-10-19T07:40:00Z',
  };
  const forgedDenial = instanceRoleDenial({
    session, eventTime: '2026-10-19T07:45:10Z', eventSource: 'iam.amazonaws.com', eventName: 'AttachRolePolicy', action: 'iam:AttachRolePolicy',
    resource: `arn:aws:iam::${other}:role/admin-node`, reason: 'because no identity-based policy allows the iam:AttachRolePolicy action',
    requestParameters: null, readOnly: false, sourceIPAddress: '198.51.100.7', userAgent: PY_AGENT, seed: 'forged-denial',
  });
  // The same denial, recorded in this account: a session of the other account's role, never an instance here.
  const foreignDenial = { ...structuredClone(forgedDenial), recipientAccountId: accountId, eventID: uuid('foreign-denial:event') };
  const launch = real.events[0] as Record<string, any>;
  const relayed = { ...structuredClone(launch), eventID: uuid('relayed-launch:event') };
  return {
    ...real,
    name: 'forged and foreign events around a real launch: only the real one is acted on',
    description:
      `Besides a real launch without a profile, three events try to steer the service: a custom event (source attacker.cloudtrail) shaped like an EC2 instance-role denial with a forged ec2RoleDelivery for account ${other}, ` +
      `an envelope that says account ${other} around a launch this account recorded, and a denial recorded here for a session of ${other}'s role. ` +
      'All three are refused at intake with the reason; only the real launch is fixed.',
    events: [
      envelope(forgedDenial, 'attacker.cloudtrail', other, 'forged-denial'),
      envelope(relayed, 'aws.ec2', other, 'relayed-launch'),
      launch,
      envelope(foreignDenial, 'aws.iam', accountId, 'foreign-denial'),
    ],
    expected: { ...real.expected, refusedEvents: 3 },
  };
}
