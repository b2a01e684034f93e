/**
 * Writes the built-in scenarios where nothing may be granted automatically: policies only a person
 * may change (SCP, boundary, explicit, resource and VPC endpoint policies), an attacker's denial,
 * an undeclared permission, observe mode, a session EC2 did not deliver, a pod's role.
 * Records come from test/fixtures/cloudtrail/ with only ids, names and times changed.
 * Run: npx tsx scripts/make-escalation-scenarios.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { operatorLaunch } from './cloudtrail-launches.ts';
import { awsId, hex, instanceId, instanceRoleDenial, isoPlus, uuid, type DenialSpec, type InstanceRoleSession } from './cloudtrail-records.ts';
import { APP_AGENT, EC2_TRUST, OPT_IN, PY_AGENT, ROOT, SSM_CORE, instanceRoleSuccess, scope, writeScenarios } from './scenario-parts.ts';

interface Workload {
  accountId: string;
  region: string;
  role: string;
  instances: string[];
  sessionCreated: string;
  ec2RoleDelivery?: '1.0' | '2.0' | null;
}

function sessions(w: Workload): InstanceRoleSession[] {
  const roleId = awsId('AROA', `${w.accountId}:${w.role}`);
  return w.instances.map((id) => ({ accountId: w.accountId, region: w.region, roleName: w.role, rolePath: '/', roleId, instanceId: id, ec2RoleDelivery: w.ec2RoleDelivery === undefined ? '2.0' : w.ec2RoleDelivery, sessionCreated: w.sessionCreated }));
}

/** `count` denials of one call, spread over the workload's instances, `every` seconds apart. */
function denials(w: Workload, count: number, start: string, every: number, call: Omit<DenialSpec, 'session' | 'eventTime' | 'seed'>, seed: string) {
  const s = sessions(w);
  return Array.from({ length: count }, (_, n) => instanceRoleDenial({ ...call, session: s[n % s.length]!, eventTime: isoPlus(start, n * every), seed: `${seed}-${n}` }));
}

function account(w: Workload, role: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    accountId: w.accountId, region: w.region,
    roles: [{ name: w.role, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN, ...role }],
    policies: [], instanceProfiles: [{ name: w.role, path: '/', roles: [w.role] }], launchTemplates: [], autoScalingGroups: [],
    instances: w.instances.map((id) => ({ id, state: 'running', instanceProfile: w.role, associatedAt: '2026-09-01T08:00:00Z', launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: w.role } })),
    ...extra,
  };
}

const PHYSICS = { propagationSeconds: 5, iamWritesPerSecond: 5, faults: [] };
const NOTHING = { iam: 0, ec2: 0 };

/** An SCP protecting log retention denies the shipper's call: escalate to the organization's admins. */
function scpExplicitDeny() {
  const w: Workload = { accountId: '121212121212', region: 'eu-west-1', role: 'log-shipper', instances: [instanceId('log-shipper-0')], sessionCreated: '2026-10-25T05:00:12Z' };
  const scpArn = 'arn:aws:organizations::909090909090:policy/o-a1b2c3d4e5/service_control_policy/p-q7r8s9t0';
  const group = `arn:aws:logs:${w.region}:${w.accountId}:log-group:/app/log-shipper`;
  const scp = { Version: '2012-10-17', Id: 'p-q7r8s9t0', Statement: [{ Sid: 'ProtectLogRetention', Effect: 'Deny', Action: ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:DeleteLogGroup'], Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/security-logging-admin' } } }] };
  const manage = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutRetentionPolicy'], Resource: [`${group}:*`, group] }] };
  return {
    name: 'service control policy denies log retention changes: escalated with the SCP as evidence',
    description: 'The log shipper tries to shorten its log retention. Its own policy allows it, but an organization SCP denies it explicitly. No account-level change can help: the incident is escalated to the organization administrators with the SCP named.',
    approvals: 'none',
    account: account(w, { inlinePolicies: { 'manage-own-log-group': manage } }, { serviceControlPolicies: [scp] }),
    physics: PHYSICS,
    config: { modes: { 'missing-permission': 'auto' }, scope: scope(w.accountId, w.region) },
    expected: { incidents: 1, events: 3, ignoredEvents: 0, cause: 'organization-policy', status: 'escalated', actions: [], writes: NOTHING, evidenceMentions: 'p-q7r8s9t0' },
    events: denials(w, 3, '2026-10-25T05:01:00Z', 20, {
      eventSource: 'logs.amazonaws.com', eventName: 'PutRetentionPolicy', action: 'logs:PutRetentionPolicy', resource: `${group}:*`, errorCode: 'AccessDeniedException',
      reason: `with an explicit deny in a service control policy: ${scpArn}`, requestParameters: { logGroupName: '/app/log-shipper', retentionInDays: 1 }, readOnly: false,
      sourceIPAddress: '198.51.100.90', userAgent: PY_AGENT,
    }, 'scp'),
  };
}

/** A compromised web instance tries to create an IAM user: never granted, whatever the mode. */
function attackerCreateUser() {
  const w: Workload = { accountId: '343434343434', region: 'us-east-1', role: 'web-public', instances: [instanceId('web-public-0')], sessionCreated: '2026-10-26T02:10:44Z' };
  const [session] = sessions(w);
  const call = (eventName: string, resource: string, requestParameters: Record<string, unknown>) => ({
    eventSource: 'iam.amazonaws.com', eventName, action: `iam:${eventName}`, resource, reason: `because no identity-based policy allows the iam:${eventName} action`,
    requestParameters, readOnly: false, sourceIPAddress: '198.51.100.66', userAgent: 'aws-cli/2.17.51 md/awscrt#0.21.2 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2023 md/prompt#off md/command#iam.create-user',
  });
  const userArn = `arn:aws:iam::${w.accountId}:user/backup-admin`;
  const events = [
    instanceRoleSuccess(session!, '2026-10-26T02:14:01Z', 'attacker-whoami'),
    ...denials(w, 2, '2026-10-26T02:14:09Z', 7, call('CreateUser', userArn, { userName: 'backup-admin' }), 'attacker-create'),
    ...denials(w, 1, '2026-10-26T02:14:30Z', 1, call('AttachUserPolicy', userArn, { userName: 'backup-admin', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }), 'attacker-attach'),
  ];
  for (const e of events) (e as { tlsDetails: { clientProvidedHostHeader: string } }).tlsDetails.clientProvidedHostHeader = 'iam.amazonaws.com';
  return {
    name: 'attacker on a web instance tries iam:CreateUser and AttachUserPolicy: nothing is granted',
    description: 'Whoever controls an instance can produce denials on purpose. Even with missing-permission in auto mode, a denied iam:CreateUser is never turned into a grant: it is reported as suspicious, with the evidence.',
    approvals: 'approve',
    account: account(w, { inlinePolicies: { 'read-static-assets': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::web-public-assets/*' }] } } }),
    physics: PHYSICS,
    config: {
      modes: { 'missing-permission': 'auto' },
      expectedPermissions: [{ role: 'web-public', policyArns: [], statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::web-public-assets/*' }] }],
      scope: scope(w.accountId, w.region),
    },
    expected: { incidents: 1, events: 3, ignoredEvents: 1, cause: 'missing-permission', status: 'escalated', actions: [], writes: NOTHING, neverAllowed: ['iam:CreateUser', 'iam:AttachUserPolicy'] },
    events,
  };
}

/** A permission nobody declared: a least-privilege proposal for a human, nothing applied. */
function undeclaredPermission() {
  const w: Workload = { accountId: '454545454545', region: 'eu-west-1', role: 'thumbnailer', instances: [instanceId('thumb-0'), instanceId('thumb-1')], sessionCreated: '2026-10-27T09:00:03Z' };
  const topic = `arn:aws:sns:${w.region}:${w.accountId}:thumbnails-ready`;
  const s = sessions(w);
  const events = s.flatMap((session, i) => [0, 1].map((k) => instanceRoleDenial({
    session, eventTime: isoPlus('2026-10-27T09:04:00Z', i * 3 + k * 30), eventSource: 'sns.amazonaws.com', eventName: 'Publish', action: 'sns:Publish', resource: topic, reason: '',
    errorCode: 'AuthorizationError',
    message: `User: arn:aws:sts::${w.accountId}:assumed-role/${w.role}/${session.instanceId} is not authorized to perform: SNS:Publish on resource: ${topic} because no identity-based policy allows the SNS:Publish action`,
    requestParameters: { topicArn: topic, message: 'HIDDEN_DUE_TO_SECURITY_REASONS' }, readOnly: false, sourceIPAddress: `198.51.100.${140 + i}`, userAgent: PY_AGENT, seed: `thumb-${i}-${k}`,
  })));
  return {
    name: 'new code path publishes to SNS, which nobody declared: a least-privilege proposal',
    description: 'A release makes the thumbnailer publish to an SNS topic. Nothing in the configuration declares that permission, so nothing is granted: the incident carries a least-privilege statement (this action on this topic) for a human to review.',
    approvals: 'none',
    account: account(w, { inlinePolicies: { 'thumbnails-bucket': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::media-thumbnails-eu/*' }] } } }),
    physics: PHYSICS,
    config: {
      modes: { 'missing-permission': 'approve' },
      expectedPermissions: [{ role: 'thumbnailer', policyArns: [], statements: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::media-thumbnails-eu/*' }] }],
      scope: scope(w.accountId, w.region),
    },
    expected: { incidents: 1, events: 4, ignoredEvents: 0, cause: 'missing-permission', status: 'escalated', actions: [], writes: NOTHING, proposal: { action: 'sns:Publish', resource: topic } },
    events,
  };
}

/** Observe mode everywhere: diagnose and report, change nothing (dry run). */
function observeMode() {
  const accountId = '232323232323';
  const region = 'eu-south-1';
  const id = instanceId('kiosk-0');
  return {
    name: 'observe mode: an instance without a profile is reported, not fixed',
    description: 'The same launch as launch-without-profile, in an account that runs iam-autoheal as a dry run (every cause in observe mode). The diagnosis and the plan are reported; nothing is changed.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [{ name: 'kiosk-renderer', path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN }],
      policies: [], instanceProfiles: [{ name: 'kiosk-renderer', path: '/', roles: ['kiosk-renderer'] }], launchTemplates: [], autoScalingGroups: [],
      instances: [{ id, state: 'running', instanceProfile: null, launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: 'kiosk-renderer' } }],
    },
    physics: PHYSICS,
    config: {
      modes: Object.fromEntries(['no-instance-profile', 'profile-without-role', 'trust-missing-ec2', 'missing-permission', 'stale-credentials', 'propagation-delay', 'throttling', 'stale-launch-template'].map((c) => [c, 'observe'])),
      baselineInstanceProfile: 'kiosk-renderer', scope: scope(accountId, region),
    },
    expected: { incidents: 1, events: 1, ignoredEvents: 0, cause: 'no-instance-profile', status: 'observed', actions: [], writes: NOTHING },
    events: [operatorLaunch({
      operator: { accountId, userName: 'luca.bianchi', sourceIPAddress: '203.0.113.201' }, region, availabilityZone: `${region}a`,
      subnetId: `subnet-0${hex('kiosk-subnet', 16)}`, vpcId: `vpc-0${hex('kiosk-vpc', 16)}`, securityGroupId: `sg-0${hex('kiosk-sg', 16)}`,
      imageId: 'ami-0b1c2d3e4f5a6b7c8', instanceType: 't4g.medium', instanceIds: [id], tags: { ...OPT_IN, Name: 'kiosk-renderer' }, instanceProfile: null,
      eventTime: '2026-10-28T08:15:33Z', seed: 'kiosk-launch',
    })],
  };
}

/** Escalated causes named by the message and confirmed by policy evaluation. */
function escalation(file: string, w: Workload, spec: { name: string; description: string; cause: string; role?: Record<string, unknown>; extraAccount?: Record<string, unknown>; policies?: unknown[]; call: Omit<DenialSpec, 'session' | 'eventTime' | 'seed'>; count: number; start: string }) {
  return () => {
    const acc = account(w, spec.role ?? {}, spec.extraAccount);
    if (spec.policies) acc.policies = spec.policies as never[];
    return {
      name: spec.name, description: spec.description, approvals: 'approve', account: acc, physics: PHYSICS,
      config: { modes: { 'missing-permission': 'auto' }, scope: scope(w.accountId, w.region) },
      expected: { incidents: 1, events: spec.count, ignoredEvents: 0, cause: spec.cause, status: 'escalated', actions: [], writes: NOTHING },
      events: denials(w, spec.count, spec.start, 10, spec.call, file),
    };
  };
}

const boundaryWorkload: Workload = { accountId: '676767676767', region: 'eu-west-1', role: 'ci-runner', instances: [instanceId('ci-0')], sessionCreated: '2026-10-29T12:30:10Z' };
const denyWorkload: Workload = { accountId: '787878787878', region: 'us-west-2', role: 'batch-etl', instances: [instanceId('etl-prod-0')], sessionCreated: '2026-10-29T03:00:05Z' };
const secretWorkload: Workload = { accountId: '898989898989', region: 'ap-northeast-1', role: 'billing-api', instances: [instanceId('billing-0'), instanceId('billing-1')], sessionCreated: '2026-10-30T00:10:00Z' };
const vpceWorkload: Workload = { accountId: '919191919191', region: 'eu-central-1', role: 'private-api', instances: [instanceId('private-0')], sessionCreated: '2026-10-30T15:20:30Z' };
const billingSecret = `arn:aws:secretsmanager:ap-northeast-1:898989898989:secret:billing/stripe-key-7Hq2Lp`;

/**
 * A CloudTrail network activity event (AWS's documented VpceAccessDenied record) of an instance-role session:
 * the documented record with its userIdentity replaced by the workload's instance session (the shape of the
 * instance-role denial record), delivered as EventBridge delivers network activity events.
 */
function vpcEndpointNetworkActivity() {
  const documented = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/cloudtrail/ignored--aws-account--kms-listkeys--vpce-denied-network-activity.json'), 'utf8'));
  const w: Workload = { accountId: '929292929292', region: 'eu-central-1', role: 'ledger-worker', instances: [instanceId('ledger-0'), instanceId('ledger-1')], sessionCreated: '2026-10-30T16:00:10Z' };
  const endpoint = `vpce-0${hex('ledger-kms-vpce', 16)}`;
  const events = sessions(w).flatMap((session, n) => [0, 1].map((k) => {
    const seed = `ledger-vpce-${n}-${k}`;
    const identity = instanceRoleDenial({
      session, eventTime: '2026-10-30T16:05:00Z', eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', action: 'kms:Decrypt', resource: '', reason: '',
      requestParameters: null, readOnly: true, sourceIPAddress: '10.91.2.14', userAgent: APP_AGENT, seed,
    });
    const record = {
      ...documented,
      userIdentity: identity.userIdentity,
      eventTime: isoPlus('2026-10-30T16:05:00Z', n * 20 + k * 7),
      eventName: 'Decrypt',
      awsRegion: w.region,
      sourceIPAddress: `10.91.2.${14 + n}`,
      requestID: uuid(`${seed}:request`),
      eventID: identity.eventID,
      recipientAccountId: w.accountId,
      sharedEventID: uuid(`${seed}:shared`),
      vpcEndpointId: endpoint,
      vpcEndpointAccountId: w.accountId,
    };
    return { version: '0', id: uuid(`${seed}:envelope`), 'detail-type': 'AWS Network Activity Event via CloudTrail', source: 'aws.kms', account: w.accountId, time: record.eventTime, region: w.region, resources: [], detail: record };
  }));
  return {
    name: 'VPC endpoint denial from a network activity event: escalated to the network owner',
    description: 'A trail logs network activity events for KMS. The ledger workers call kms:Decrypt through an interface endpoint whose policy does not allow it; CloudTrail records VpceAccessDenied with a fixed message that names no action (the action comes from eventSource and eventName). The role is fine; the endpoint policy belongs to the network team.',
    approvals: 'approve',
    account: account(w, { inlinePolicies: { 'decrypt-ledger': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:${w.region}:${w.accountId}:key/*` }] } } }),
    physics: PHYSICS,
    config: { modes: { 'missing-permission': 'auto' }, scope: scope(w.accountId, w.region) },
    expected: { incidents: 1, events: events.length, ignoredEvents: 0, cause: 'vpc-endpoint-policy', status: 'escalated', actions: [], writes: NOTHING },
    events,
  };
}

/** The real EKS node record: the node's session was denied because of the pod's role, not its own. */
function podIdentityNotInstanceRole() {
  const record = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/cloudtrail/denied--instance-role--eks-auth-assumeroleforpodidentity.json'), 'utf8'));
  const accountId = '101010101010';
  const region = 'us-west-2';
  const role = 'eks-shop-nodegroup-NodeInstanceRole';
  const [session] = sessions({ accountId, region, role, instances: [instanceId('eks-node-0')], sessionCreated: '2026-10-31T06:57:57Z' });
  const event = instanceRoleDenial({
    session: session!, eventTime: '2026-10-31T07:52:08Z', eventSource: 'eks-auth.amazonaws.com', eventName: 'AssumeRoleForPodIdentity', action: 'eks-auth:AssumeRoleForPodIdentity', resource: '',
    reason: '', message: record.errorMessage, requestParameters: { clusterName: 'shop', token: 'HIDDEN_DUE_TO_SECURITY_REASONS' }, readOnly: true,
    sourceIPAddress: '198.51.100.250', userAgent: record.userAgent, seed: 'eks-pod-identity',
  });
  (event as { tlsDetails: { clientProvidedHostHeader: string } }).tlsDetails.clientProvidedHostHeader = `eks-auth.${region}.api.aws`;
  const w: Workload = { accountId, region, role, instances: [session!.instanceId], sessionCreated: session!.sessionCreated };
  return {
    name: 'EKS node denied AssumeRoleForPodIdentity: the pod role is at fault, not the instance role',
    description: 'An EKS node asks for a pod\'s credentials and EKS cannot assume the pod\'s role (its trust policy lacks pods.eks.amazonaws.com). The node\'s own role must not be granted anything: the incident says where the problem is.',
    approvals: 'approve',
    account: account(w, { managedPolicies: [SSM_CORE, 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy'] }),
    physics: PHYSICS,
    config: { modes: { 'missing-permission': 'auto' }, scope: scope(accountId, region) },
    expected: { incidents: 1, events: 1, ignoredEvents: 0, cause: 'not-instance-role', status: 'escalated', actions: [], writes: NOTHING },
    events: [event],
  };
}

/** A session named like an instance but not delivered by EC2 (no ec2RoleDelivery): diagnosed, never acted on alone. */
function sessionNotDeliveredByEc2() {
  const w: Workload = { accountId: '131313131313', region: 'eu-west-3', role: 'inventory-sync', instances: [instanceId('inventory-0')], sessionCreated: '2026-11-01T10:00:00Z', ec2RoleDelivery: null };
  const policyArn = `arn:aws:iam::${w.accountId}:policy/inventory-sync-tables`;
  return {
    name: 'denial from a session named like an instance but not delivered by EC2: reported, nothing changed',
    description: 'Anyone allowed to assume a role can name the session i-…. Without sessionContext.ec2RoleDelivery the denial is diagnosed (the declared policy is indeed detached) but never leads to an automatic change.',
    approvals: 'none',
    account: { ...account(w, {}), policies: [{ arn: policyArn, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:DescribeTable', 'dynamodb:Query'], Resource: `arn:aws:dynamodb:${w.region}:${w.accountId}:table/inventory*` }] } }] },
    physics: PHYSICS,
    config: { modes: { 'missing-permission': 'auto' }, expectedPermissions: [{ role: w.role, policyArns: [policyArn], statements: [] }], scope: scope(w.accountId, w.region) },
    expected: { incidents: 1, events: 2, ignoredEvents: 0, cause: 'missing-permission', status: 'observed', actions: [], writes: NOTHING },
    events: denials(w, 2, '2026-11-01T10:03:00Z', 30, {
      eventSource: 'dynamodb.amazonaws.com', eventName: 'DescribeTable', action: 'dynamodb:DescribeTable', resource: `arn:aws:dynamodb:${w.region}:${w.accountId}:table/inventory`,
      reason: 'because no identity-based policy allows the dynamodb:DescribeTable action', errorCode: 'AccessDenied', requestParameters: { tableName: 'inventory' }, readOnly: true,
      sourceIPAddress: '203.0.113.222', userAgent: PY_AGENT,
    }, 'not-delivered'),
  };
}

writeScenarios(
  {
    'scp-explicit-deny.json': scpExplicitDeny,
    'attacker-create-user.json': attackerCreateUser,
    'undeclared-permission-proposal.json': undeclaredPermission,
    'observe-mode.json': observeMode,
    'permissions-boundary.json': escalation('permissions-boundary', boundaryWorkload, {
      name: 'permissions boundary does not allow pushing images: escalated to the boundary owner',
      description: 'The CI runner\'s own policy allows ecr:PutImage, but its permissions boundary does not. A boundary is a guardrail set by someone else: escalated, never widened.',
      cause: 'permissions-boundary', count: 2, start: '2026-10-29T12:31:02Z',
      role: { inlinePolicies: { 'push-images': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchCheckLayerAvailability'], Resource: 'arn:aws:ecr:eu-west-1:676767676767:repository/shop/*' }] } }, permissionsBoundary: 'arn:aws:iam::676767676767:policy/ci-boundary' },
      policies: [{ arn: 'arn:aws:iam::676767676767:policy/ci-boundary', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 's3:GetObject', 'ssm:*', 'ec2messages:*', 'ssmmessages:*'], Resource: '*' }] } }],
      call: { eventSource: 'ecr.amazonaws.com', eventName: 'PutImage', action: 'ecr:PutImage', resource: 'arn:aws:ecr:eu-west-1:676767676767:repository/shop/cart', errorCode: 'AccessDeniedException', reason: 'because no permissions boundary allows the ecr:PutImage action', requestParameters: { repositoryName: 'shop/cart', imageTag: '2026.10.29-1' }, readOnly: false, sourceIPAddress: '198.51.100.33', userAgent: APP_AGENT },
    }),
    'explicit-deny-identity-policy.json': escalation('explicit-deny', denyWorkload, {
      name: 'explicit deny in the role\'s own policy blocks deleting a production table: escalated',
      description: 'A deny statement protects production tables from the ETL role. An explicit deny is a decision someone made: it is never removed automatically.',
      cause: 'explicit-deny', count: 1, start: '2026-10-29T03:04:41Z',
      role: { inlinePolicies: {
        'etl-tables': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:us-west-2:787878787878:table/*' }] },
        'protect-prod-tables': { Version: '2012-10-17', Statement: [{ Sid: 'NoProdDeletes', Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: 'arn:aws:dynamodb:us-west-2:787878787878:table/prod-*' }] },
      } },
      call: { eventSource: 'dynamodb.amazonaws.com', eventName: 'DeleteTable', action: 'dynamodb:DeleteTable', resource: 'arn:aws:dynamodb:us-west-2:787878787878:table/prod-orders', errorCode: 'AccessDenied', reason: 'with an explicit deny in an identity-based policy', requestParameters: { tableName: 'prod-orders' }, readOnly: false, sourceIPAddress: '198.51.100.45', userAgent: PY_AGENT },
    }),
    'resource-policy-deny.json': escalation('resource-policy', secretWorkload, {
      name: 'secret\'s resource policy denies the billing API: escalated to the secret\'s owner',
      description: 'The billing API may read secrets by its own policy, but the secret\'s resource policy denies every principal but the payments role. Only the secret\'s owner can change that.',
      cause: 'resource-policy', count: 4, start: '2026-10-30T00:12:20Z',
      role: { inlinePolicies: { 'read-billing-secrets': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:ap-northeast-1:898989898989:secret:billing/*' }] } } },
      extraAccount: { resourcePolicies: { [billingSecret]: { Version: '2012-10-17', Statement: [{ Sid: 'OnlyPayments', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::898989898989:role/payments' } } }] } } },
      call: { eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', action: 'secretsmanager:GetSecretValue', resource: billingSecret, errorCode: 'AccessDenied', reason: 'with an explicit deny in a resource-based policy', requestParameters: { secretId: 'billing/stripe-key' }, readOnly: true, sourceIPAddress: '10.12.4.18', userAgent: APP_AGENT },
    }),
    'vpc-endpoint-policy.json': escalation('vpc-endpoint', vpceWorkload, {
      name: 'VPC endpoint policy does not allow the call: escalated to the network owner',
      description: 'The private API reaches Secrets Manager through an interface endpoint whose policy lists only other secrets. The role is fine; the endpoint policy is owned by the network team.',
      cause: 'vpc-endpoint-policy', count: 2, start: '2026-10-30T15:21:05Z',
      role: { inlinePolicies: { 'read-api-secrets': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:eu-central-1:919191919191:secret:private-api/*' }] } } },
      call: { eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:eu-central-1:919191919191:secret:private-api/db-Qm81xZ', errorCode: 'AccessDenied', reason: 'because no VPC endpoint policy allows the secretsmanager:GetSecretValue action', requestParameters: { secretId: 'private-api/db' }, readOnly: true, sourceIPAddress: '10.80.3.27', userAgent: APP_AGENT, extra: { vpcEndpointId: `vpce-0${hex('private-vpce', 16)}`, vpcEndpointAccountId: '919191919191' } },
    }),
    'vpc-endpoint-network-activity.json': vpcEndpointNetworkActivity,
    'eks-pod-identity-not-instance-role.json': podIdentityNotInstanceRole,
    'session-not-delivered-by-ec2.json': sessionNotDeliveredByEc2,
  },
  'pretty',
);
