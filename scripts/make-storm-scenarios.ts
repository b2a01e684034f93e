/**
 * Writes the built-in scenarios whose events are too many to write by hand (storms and
 * scale-outs) into scenarios/. Every record is a real CloudTrail record of
 * test/fixtures/cloudtrail/ with only ids, names and times changed (see cloudtrail-records.ts).
 * Run: npx tsx scripts/make-storm-scenarios.ts
 */
import { autoScalingLaunch, operatorLaunch } from './cloudtrail-launches.ts';
import { awsId, hex, instanceId, instanceRoleDenial, isoPlus, type InstanceRoleSession } from './cloudtrail-records.ts';
import { APP_AGENT, EC2_TRUST, OPT_IN, SSM_CORE, instanceRoleSuccess, scope, writeScenarios } from './scenario-parts.ts';

/** 400 denials of secretsmanager:GetSecretValue from 40 scaled-out instances of a role that lost its declared policy. */
function scaleOutStorm() {
  const accountId = '111122223333';
  const region = 'eu-west-1';
  const role = 'orders-api';
  const roleId = awsId('AROA', `${accountId}:${role}`);
  const policyArn = `arn:aws:iam::${accountId}:policy/orders-api-secrets-read`;
  const secretArn = `arn:aws:secretsmanager:${region}:${accountId}:secret:orders/prod/db-credentials-Xk29Qa`;
  const lt = `lt-0${hex('orders-api-lt', 16)}`;
  const start = '2026-10-14T09:12:00Z';
  const ids = Array.from({ length: 40 }, (_, i) => instanceId(`orders-api-${i}`));
  const sessions: InstanceRoleSession[] = ids.map((id, i) => ({
    accountId, region, roleName: role, rolePath: '/services/', roleId, instanceId: id,
    ec2RoleDelivery: '2.0', sessionCreated: isoPlus(start, -240 + i * 3),
  }));
  const events: unknown[] = [];
  for (let n = 0; n < 400; n++) {
    const i = n % 40;
    const round = Math.floor(n / 40);
    events.push(instanceRoleDenial({
      session: sessions[i]!, eventTime: isoPlus(start, round * 12 + Math.floor(i / 4)),
      eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', action: 'secretsmanager:GetSecretValue',
      resource: secretArn, reason: 'because no identity-based policy allows the secretsmanager:GetSecretValue action',
      requestParameters: { secretId: 'orders/prod/db-credentials' }, readOnly: true,
      sourceIPAddress: `198.51.100.${24 + (i % 4)}`, userAgent: APP_AGENT, seed: `orders-storm-${n}`,
    }));
    if (n % 50 === 0) events.push(instanceRoleSuccess(sessions[i]!, isoPlus(start, round * 12), `orders-ok-${n}`));
  }
  return {
    name: 'scale-out storm: 40 new orders-api instances denied their database secret (declared policy detached)',
    description: 'A refactor detached the customer-managed policy that lets orders-api read its database secret. The next scale-out brings 40 instances that each fail 10 times: 400 denials must become one incident and one attach-policy.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [{
        name: role, path: '/services/', trustPolicy: EC2_TRUST, inlinePolicies: {},
        managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: { ...OPT_IN, team: 'orders' }, updatedAt: '2026-10-14T08:41:37Z',
      }],
      policies: [{
        arn: policyArn,
        document: { Version: '2012-10-17', Statement: [{ Sid: 'ReadOrdersDbSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:orders/prod/*` }] },
      }],
      instanceProfiles: [{ name: role, path: '/services/', roles: [role] }],
      launchTemplates: [{ id: lt, name: role, defaultVersion: 7, versions: [{ number: 7, iamInstanceProfile: role }], tags: OPT_IN }],
      autoScalingGroups: [{ name: role, launchTemplate: { id: lt, version: '$Default' }, tags: OPT_IN }],
      instances: ids.map((id, i) => ({
        id, state: 'running', instanceProfile: role, associatedAt: isoPlus(start, -250 + i * 3),
        launchTemplate: { id: lt, version: '7' }, autoScalingGroup: role, tags: { ...OPT_IN, Name: role },
      })),
    },
    physics: { propagationSeconds: 6, iamWritesPerSecond: 5, faults: [] },
    config: {
      modes: { 'missing-permission': 'auto' },
      expectedPermissions: [{ role, policyArns: [policyArn], statements: [] }],
      scope: scope(accountId, region),
    },
    expected: { incidents: 1, events: 400, ignoredEvents: 8, cause: 'missing-permission', status: 'fixed', actions: ['attach-policy'], writes: { iam: 1, ec2: 0 } },
    events,
  };
}

/** An Auto Scaling scale-out from a template version that lost its profile. */
function launchTemplateScaleOut(templateInScope = true) {
  const accountId = '444455556666';
  const region = 'us-east-1';
  const app = 'web-frontend';
  const lt = `lt-0${hex('web-frontend-lt', 16)}`;
  const start = '2026-10-15T14:02:10Z';
  const profileArn = `arn:aws:iam::${accountId}:instance-profile/${app}`;
  const oldIds = Array.from({ length: 4 }, (_, i) => instanceId(`web-old-${i}`));
  const newIds = Array.from({ length: 8 }, (_, i) => instanceId(`web-new-${i}`));
  // The group propagates the profile its instances must have: the template lost it, the tag did not.
  const profileTag = { 'iam-autoheal:profile': app };
  const events = newIds.map((id, i) => autoScalingLaunch({
    accountId, region, availabilityZone: `${region}${'abc'[i % 3]}`, subnetId: `subnet-0${hex(`web-subnet-${i % 3}`, 16)}`,
    vpcId: `vpc-0${hex('web-vpc', 16)}`, securityGroupId: `sg-0${hex('web-sg', 16)}`, instanceId: id, instanceType: 'm7i.large',
    imageId: 'ami-0f3c9a8e2d7b61a45', autoScalingGroup: app, launchTemplate: { id: lt, version: '3' }, instanceProfile: null,
    privateIp: `10.20.${1 + (i % 3)}.${40 + i}`, eventTime: isoPlus(start, i * 9), seed: `web-launch-${i}`, groupTags: profileTag,
  }));
  const story = templateInScope ? {
    name: 'launch template version 3 of web-frontend has no instance profile: 8 scaled-out instances without a role',
    description: 'An AMI bump created launch template version 3 from scratch and forgot the instance profile (the iam-autoheal:profile tag of the group still names it; allowedInstanceProfiles authorizes it). The Auto Scaling group uses $Default, so every new instance starts without credentials. The template is the root cause: fix it first, then the running instances.',
  } : {
    name: 'scale-out from an untagged launch template: the 8 tagged instances fixed, the template fix left for a person',
    description: 'The same AMI bump, but the launch template itself lacks the opt-in tag (scope.tag), so IAM lets the service write the tagged instances and not the template. The instances get their profile now; the new template version and the default switch are proposed to a person: partially-fixed, nothing outside scope written.',
  };
  return {
    ...story,
    approvals: 'approve',
    account: {
      accountId, region,
      roles: [{ name: app, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN }],
      policies: [],
      instanceProfiles: [{ name: app, path: '/', roles: [app] }],
      launchTemplates: [{
        id: lt, name: app, defaultVersion: 3,
        versions: [
          { number: 1, iamInstanceProfile: app, updatedAt: '2026-06-02T10:00:00Z' },
          { number: 2, iamInstanceProfile: app, updatedAt: '2026-08-19T09:30:00Z' },
          { number: 3, iamInstanceProfile: null, updatedAt: '2026-10-15T13:55:02Z' },
        ],
        // IAM lets the fix write the template only when the template itself carries the opt-in tag.
        tags: templateInScope ? OPT_IN : { team: 'web' },
      }],
      autoScalingGroups: [{ name: app, launchTemplate: { id: lt, version: '$Default' }, tags: { ...OPT_IN, ...profileTag } }],
      instances: [
        ...oldIds.map((id) => ({ id, state: 'running', instanceProfile: app, associatedAt: '2026-09-30T07:12:00Z', launchTemplate: { id: lt, version: '2' }, autoScalingGroup: app, tags: { ...OPT_IN, ...profileTag, Name: app } })),
        ...newIds.map((id) => ({ id, state: 'running', instanceProfile: null, launchTemplate: { id: lt, version: '3' }, autoScalingGroup: app, tags: { ...OPT_IN, ...profileTag, Name: app } })),
      ],
    },
    physics: { propagationSeconds: 5, iamWritesPerSecond: 5, faults: [] },
    // The tag only suggests web-frontend; the configuration is what authorizes handing it out (docs/SECURITY.md).
    config: { modes: { 'stale-launch-template': 'approve' }, baselineInstanceProfile: null, allowedInstanceProfiles: [app], scope: scope(accountId, region) },
    expected: {
      incidents: 1, events: 8, ignoredEvents: 0, cause: 'stale-launch-template',
      ...(templateInScope
        ? { status: 'fixed', actions: ['create-launch-template-version', 'set-default-launch-template-version', 'associate-profile'], writes: { iam: 0, ec2: 10 } }
        : { status: 'partially-fixed', actions: ['associate-profile'], deferred: ['create-launch-template-version', 'set-default-launch-template-version'], writes: { iam: 0, ec2: 8 } }),
      profileArn,
    },
    events,
  };
}

/**
 * The launch-template scale-out in auto mode, while the group scales back in: three of the new instances are
 * terminated once the diagnosis has planned their association (EC2 throttles the fix, so Apply reaches them later).
 */
function scaleOutInstancesGone() {
  const base = launchTemplateScaleOut();
  const start = (base.events[0] as { eventTime: string }).eventTime;
  const scaledIn = base.account.instances.filter((i) => i.instanceProfile === null).slice(-3).map((i) => i.id);
  return {
    ...base,
    name: 'scale-out without a profile while the group scales back in: 3 instances terminate mid-fix, the rest fixed',
    description: 'The web-frontend scale-out of launch-template-without-profile, repaired in auto mode while EC2 throttles the writes (1 per second). '
      + 'The queue drains and the group scales in: three of the eight new instances are terminated 4 s after the diagnosis planned their association. '
      + 'EC2 refuses those associations (IncorrectInstanceState); each is audited as skipped ("no longer exists"), counted as no write, and the rest of the plan goes on. '
      + 'Verify does not count a terminated instance as broken: fixed, with the 3 gone instances reported.',
    approvals: 'none',
    account: {
      ...base.account,
      instances: base.account.instances.map((i) => (scaledIn.includes(i.id) ? { ...i, terminatesAt: isoPlus(start, 4) } : i)),
    },
    physics: { ...base.physics, apiRates: { 'ec2-write': 1 } },
    config: { ...base.config, modes: { 'stale-launch-template': 'auto' } },
    expected: {
      incidents: 1, events: 8, ignoredEvents: 0, cause: 'stale-launch-template', status: 'fixed',
      actions: ['create-launch-template-version', 'set-default-launch-template-version', 'associate-profile'], skipped: 3, writes: { iam: 0, ec2: 7 },
    },
  };
}

/** Twelve batch workers launched without a profile while EC2 answers IncorrectState and throttles writes. */
function throttlingAndFaults() {
  const accountId = '210987654321';
  const region = 'eu-central-1';
  const ids = Array.from({ length: 12 }, (_, i) => instanceId(`batch-${i}`));
  const launch = operatorLaunch({
    operator: { accountId, userName: 'mara.keller', sourceIPAddress: '203.0.113.77' }, region, availabilityZone: `${region}b`,
    subnetId: `subnet-0${hex('batch-subnet', 16)}`, vpcId: `vpc-0${hex('batch-vpc', 16)}`, securityGroupId: `sg-0${hex('batch-sg', 16)}`,
    imageId: 'ami-0a1b2c3d4e5f67890', instanceType: 'c7g.xlarge', instanceIds: ids, tags: { ...OPT_IN, Name: 'nightly-batch' },
    instanceProfile: null, eventTime: '2026-10-16T01:30:04Z', seed: 'batch-launch',
  });
  return {
    name: 'twelve batch workers launched without a profile while EC2 fails and throttles the fixes',
    description: 'A nightly job launches 12 workers by hand without an instance profile. EC2 answers IncorrectState to the first associations, then throttles them (5 writes per second): every retry must end in exactly one association per instance.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [{ name: 'batch-worker', path: '/workloads/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN }],
      policies: [],
      instanceProfiles: [{ name: 'batch-worker', path: '/workloads/', roles: ['batch-worker'] }],
      launchTemplates: [], autoScalingGroups: [],
      instances: ids.map((id) => ({ id, state: 'running', instanceProfile: null, launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: 'nightly-batch' } })),
    },
    physics: {
      propagationSeconds: 4, iamWritesPerSecond: 5,
      apiRates: { 'ec2-write': 5 },
      faults: [
        { api: 'AssociateIamInstanceProfile', error: 'IncorrectState', times: 2 },
        { api: 'AssociateIamInstanceProfile', error: 'Throttling', times: 1 },
      ],
    },
    config: { modes: { 'no-instance-profile': 'auto' }, baselineInstanceProfile: 'batch-worker', scope: scope(accountId, region) },
    expected: { incidents: 1, events: 1, ignoredEvents: 0, cause: 'no-instance-profile', status: 'fixed', actions: ['associate-profile'], writes: { iam: 0, ec2: 12 } },
    events: [launch],
  };
}

/**
 * A storm of bare denials (the legacy message, no policy type) that IAM's policies allow: throttling surfaced as
 * AccessDenied. IAM throttles the diagnosis's own reads too; those are retried with backoff and are not the cause.
 */
function iamThrottlingStorm() {
  const accountId = '777788889999';
  const region = 'ap-southeast-2';
  const role = 'ledger-sync';
  const roleId = awsId('AROA', `${accountId}:${role}`);
  const start = '2026-10-17T22:40:00Z';
  const ids = Array.from({ length: 6 }, (_, i) => instanceId(`ledger-${i}`));
  const paramArn = `arn:aws:ssm:${region}:${accountId}:parameter/ledger/prod`;
  const events = Array.from({ length: 120 }, (_, n) => {
    const i = n % 6;
    return instanceRoleDenial({
      session: { accountId, region, roleName: role, rolePath: '/', roleId, instanceId: ids[i]!, ec2RoleDelivery: '2.0', sessionCreated: '2026-10-17T21:58:12Z' },
      eventTime: isoPlus(start, Math.floor(n / 2)), eventSource: 'ssm.amazonaws.com', eventName: 'GetParametersByPath',
      action: 'ssm:GetParametersByPath', resource: paramArn,
      reason: '', message: `User: arn:aws:sts::${accountId}:assumed-role/${role}/${ids[i]} is not authorized to perform: ssm:GetParametersByPath on resource: ${paramArn}`,
      requestParameters: { path: '/ledger/prod', recursive: true, withDecryption: true }, readOnly: true,
      sourceIPAddress: `198.51.100.${60 + i}`, userAgent: APP_AGENT, seed: `ledger-storm-${n}`,
    });
  });
  return {
    name: 'IAM throttling during a burst: 120 bare denials that policy evaluation allows',
    description: 'A burst of 120 denied reads of the ledger parameters, each with the bare legacy message (no policy type), while IAM throttles the account: the policies allow the call and nothing changed recently, so the denials are throttling surfaced as AccessDenied. The diagnosis\'s own throttled reads (SimulatePrincipalPolicy, GetRole) are retried with backoff, not taken for the cause. The answer is to back off and verify, never to grant anything.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [{
        name: role, path: '/', trustPolicy: EC2_TRUST, permissionsBoundary: null, tags: OPT_IN, managedPolicies: [SSM_CORE], updatedAt: '2026-07-01T08:00:00Z',
        inlinePolicies: { 'read-ledger-params': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ssm:GetParametersByPath', 'ssm:GetParameter'], Resource: `arn:aws:ssm:${region}:${accountId}:parameter/ledger/*` }] } },
      }],
      policies: [],
      instanceProfiles: [{ name: role, path: '/', roles: [role] }],
      launchTemplates: [], autoScalingGroups: [],
      instances: ids.map((id) => ({ id, state: 'running', instanceProfile: role, associatedAt: '2026-10-17T21:58:00Z', launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: role } })),
    },
    physics: {
      propagationSeconds: 5, iamWritesPerSecond: 5,
      faults: [
        { api: 'SimulatePrincipalPolicy', error: 'Throttling', times: 3 },
        { api: 'GetRole', error: 'Throttling', times: 2 },
      ],
    },
    config: { scope: scope(accountId, region) },
    expected: { incidents: 1, events: 120, ignoredEvents: 0, cause: 'throttling', status: 'verified-no-change', actions: [], writes: { iam: 0, ec2: 0 } },
    events,
  };
}

const SCENARIOS = {
  'scale-out-storm-policy-detached.json': scaleOutStorm,
  'launch-template-without-profile.json': () => launchTemplateScaleOut(),
  'launch-template-untagged-partially-fixed.json': () => launchTemplateScaleOut(false),
  'scale-out-instances-gone-mid-fix.json': scaleOutInstancesGone,
  'throttling-and-faults.json': throttlingAndFaults,
  'iam-throttling-storm.json': iamThrottlingStorm,
};

writeScenarios(SCENARIOS, 'one-event-per-line');
