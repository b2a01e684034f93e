/**
 * Writes the built-in scenarios of the fixable causes (one incident each, a few events) into
 * scenarios/. Records come from the real CloudTrail records of test/fixtures/cloudtrail/ with only
 * ids, names and times changed (see cloudtrail-records.ts).
 * Run: npx tsx scripts/make-incident-scenarios.ts
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

import { forgedEventsRefused, launchWithoutProfile, network, serviceDeniedDescribeInstances } from './launch-scenarios.ts';

/** A trust policy rewritten for an audit account lost EC2; the next launch cannot get credentials. */
function trustPolicyLostEc2() {
  const accountId = '555566667777';
  const region = 'eu-west-1';
  const role = 'reports-api';
  const lt = `lt-0${hex('reports-lt', 16)}`;
  const auditStatement = {
    Sid: 'SecurityAuditReadOnly', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999900001111:role/security-audit' },
    Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'reports-audit-7731' } },
  };
  const brokenTrust = { Version: '2012-10-17', Statement: [auditStatement] };
  const oldIds = [instanceId('reports-old-0'), instanceId('reports-old-1')];
  const newId = instanceId('reports-new-0');
  const change = iamChange({
    operator: { accountId, userName: 'tf-deployer', sourceIPAddress: '203.0.113.90' }, eventName: 'UpdateAssumeRolePolicy',
    requestParameters: { policyDocument: JSON.stringify(brokenTrust, null, 2), roleName: role }, eventTime: '2026-10-20T10:02:11Z', seed: 'reports-trust',
  });
  const launch = autoScalingLaunch({
    accountId, region, availabilityZone: `${region}b`, ...network('reports'), instanceId: newId, instanceType: 'm7g.large', imageId: 'ami-0e4b2c6a8d0f1e3a5',
    autoScalingGroup: role, launchTemplate: { id: lt, version: '2' },
    instanceProfile: { arn: `arn:aws:iam::${accountId}:instance-profile/apps/${role}`, id: awsId('AIPA', `${accountId}:${role}`) },
    privateIp: '10.31.2.87', eventTime: '2026-10-20T10:09:30Z', seed: 'reports-launch',
  });
  return {
    name: 'trust policy of reports-api rewritten for an audit account: EC2 can no longer assume the role',
    description: 'A Terraform change replaced the trust policy with a statement for the security audit account and dropped ec2.amazonaws.com. The next instance of the group gets no credentials. The EC2 principal is merged back; the audit statement, with its ExternalId condition, stays as it was.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [{ name: role, path: '/apps/', trustPolicy: brokenTrust, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN, updatedAt: '2026-10-20T10:02:11Z' }],
      policies: [],
      instanceProfiles: [{ name: role, path: '/apps/', roles: [role] }],
      launchTemplates: [{ id: lt, name: role, defaultVersion: 2, versions: [{ number: 1, iamInstanceProfile: role }, { number: 2, iamInstanceProfile: role }], tags: OPT_IN }],
      autoScalingGroups: [{ name: role, launchTemplate: { id: lt, version: '$Default' }, tags: OPT_IN }],
      instances: [
        ...oldIds.map((id) => ({ id, state: 'running', instanceProfile: role, associatedAt: '2026-10-13T08:00:00Z', credentialsRole: role, launchTemplate: { id: lt, version: '2' }, autoScalingGroup: role, tags: { ...OPT_IN, Name: role } })),
        { id: newId, state: 'running', instanceProfile: role, associatedAt: '2026-10-20T10:09:30Z', launchTemplate: { id: lt, version: '2' }, autoScalingGroup: role, tags: { ...OPT_IN, Name: role } },
      ],
    },
    // The workflow runs once CloudTrail has delivered the launch (about half a minute later).
    physics: { propagationSeconds: 6, iamWritesPerSecond: 5, startTime: '2026-10-20T10:10:05Z', faults: [] },
    config: { modes: { 'trust-missing-ec2': 'auto' }, scope: scope(accountId, region), drift: DRIFT_OFF },
    expected: { incidents: 1, events: 1, ignoredEvents: 0, changeEvents: 1, cause: 'trust-missing-ec2', status: 'fixed', actions: ['merge-trust'], writes: { iam: 1, ec2: 0 }, keptStatement: auditStatement },
    events: [change, launch],
  };
}

/** A role removed from its profile by a cleanup script; instances launched with the empty profile. */
function profileWithoutRole() {
  const accountId = '666677778888';
  const region = 'us-west-2';
  const name = 'etl-runner';
  const lt = `lt-0${hex('etl-lt', 16)}`;
  const ids = [instanceId('etl-0'), instanceId('etl-1')];
  const change = iamChange({
    operator: { accountId, userName: 'cleanup-bot', sourceIPAddress: '203.0.113.150' }, eventName: 'RemoveRoleFromInstanceProfile',
    requestParameters: { instanceProfileName: name, roleName: name }, eventTime: '2026-10-21T13:40:05Z', seed: 'etl-remove',
  });
  const launches = ids.map((id, i) => autoScalingLaunch({
    accountId, region, availabilityZone: `${region}${'ab'[i]}`, ...network('etl'), instanceId: id, instanceType: 'c7i.2xlarge', imageId: 'ami-0d9e8f7a6b5c4d3e2',
    autoScalingGroup: name, launchTemplate: { id: lt, version: '5' },
    instanceProfile: { arn: `arn:aws:iam::${accountId}:instance-profile/${name}`, id: awsId('AIPA', `${accountId}:${name}`) },
    privateIp: `10.50.${i + 1}.14`, eventTime: isoPlus('2026-10-21T13:51:20Z', i * 4), seed: `etl-launch-${i}`,
  }));
  return {
    name: 'instance profile etl-runner emptied by a cleanup script: new instances get no role',
    description: 'A cleanup script removed the role from its instance profile. Instances launch with the profile but get no credentials. The role that was removed is added back, after approval.',
    approvals: 'approve',
    account: {
      accountId, region,
      roles: [{ name, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN }],
      policies: [],
      instanceProfiles: [{ name, path: '/', roles: [], updatedAt: '2026-10-21T13:40:05Z' }],
      launchTemplates: [{ id: lt, name, defaultVersion: 5, versions: [{ number: 5, iamInstanceProfile: name }], tags: OPT_IN }],
      autoScalingGroups: [{ name, launchTemplate: { id: lt, version: '5' }, tags: OPT_IN }],
      instances: ids.map((id, i) => ({ id, state: 'running', instanceProfile: name, associatedAt: isoPlus('2026-10-21T13:51:20Z', i * 4), launchTemplate: { id: lt, version: '5' }, autoScalingGroup: name, tags: { ...OPT_IN, Name: name } })),
    },
    physics: { propagationSeconds: 5, iamWritesPerSecond: 5, startTime: '2026-10-21T13:52:00Z', faults: [] },
    config: { modes: { 'profile-without-role': 'approve' }, scope: scope(accountId, region), drift: DRIFT_OFF },
    expected: { incidents: 1, events: 2, ignoredEvents: 0, changeEvents: 1, cause: 'profile-without-role', status: 'fixed', actions: ['add-role-to-profile'], writes: { iam: 1, ec2: 0 } },
    events: [change, ...launches],
  };
}

/**
 * The same profile emptied three days before the service ran: the removal is only in CloudTrail's event history,
 * and the role is not named like the profile, so only LookupEvents can tell which role to add back.
 */
function profileEmptiedSeenInEventHistory() {
  const base = profileWithoutRole();
  const role = 'etl-worker';
  const [change, ...launches] = base.events;
  const removal = { ...change!, eventTime: '2026-10-18T09:12:44Z', requestParameters: { ...change!.requestParameters, roleName: role } };
  const { updatedAt: _emptiedAt, ...profile } = base.account.instanceProfiles[0]!;
  return {
    ...base,
    name: 'instance profile etl-runner emptied days ago, seen only in the CloudTrail event history',
    description: 'A cleanup script removed the role etl-worker from the instance profile etl-runner three days before; that change never reached the service. New instances launch with the empty profile. The diagnosis reads CloudTrail\'s event history (LookupEvents on the profile\'s name), finds which role was removed and by whom (the role is not named like the profile: nothing else could tell), and adds it back after approval. The history only suggests the role; the opt-in tag on the role authorizes it.',
    account: { ...base.account, roles: [{ ...base.account.roles[0]!, name: role }], instanceProfiles: [profile], eventHistory: [removal] },
    expected: { ...base.expected, changeEvents: 0 },
    events: launches,
  };
}

/** The profile's role was swapped; running instances still hold the old role's credentials. */
function staleCredentials() {
  const accountId = '888899990000';
  const region = 'eu-north-1';
  const profile = 'analytics-worker';
  const oldRole = 'analytics-worker-v1';
  const newRole = 'analytics-worker-v2';
  const oldRoleId = awsId('AROA', `${accountId}:${oldRole}`);
  const ids = [instanceId('analytics-0'), instanceId('analytics-1'), instanceId('analytics-2')];
  const table = `arn:aws:glue:${region}:${accountId}:table/analytics/events_daily`;
  const events = Array.from({ length: 12 }, (_, n) => {
    const session: InstanceRoleSession = { accountId, region, roleName: oldRole, rolePath: '/', roleId: oldRoleId, instanceId: ids[n % 3]!, ec2RoleDelivery: '2.0', sessionCreated: '2026-10-22T06:14:40Z' };
    return instanceRoleDenial({
      session, eventTime: isoPlus('2026-10-22T09:05:00Z', n * 50), eventSource: 'glue.amazonaws.com', eventName: 'GetTable', action: 'glue:GetTable', resource: table,
      reason: 'because no identity-based policy allows the glue:GetTable action', errorCode: 'AccessDenied',
      requestParameters: { databaseName: 'analytics', name: 'events_daily' }, readOnly: true, sourceIPAddress: `198.51.100.${130 + (n % 3)}`, userAgent: PY_AGENT, seed: `analytics-${n}`,
    });
  });
  const glueRead = { Version: '2012-10-17', Statement: [{ Sid: 'ReadAnalyticsCatalog', Effect: 'Allow', Action: ['glue:GetTable', 'glue:GetTables', 'glue:GetDatabase', 'glue:GetPartitions'], Resource: [`arn:aws:glue:${region}:${accountId}:catalog`, `arn:aws:glue:${region}:${accountId}:database/analytics`, `arn:aws:glue:${region}:${accountId}:table/analytics/*`] }] };
  return {
    name: 'role swapped inside the analytics-worker profile: running instances keep the old credentials',
    description: 'The profile now holds analytics-worker-v2, which allows the Glue reads, but the running instances still use analytics-worker-v1 credentials and keep failing for ten minutes. Replacing each association refreshes the credentials now, with no disassociation gap.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [
        { name: oldRole, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN },
        { name: newRole, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: { 'read-analytics-catalog': glueRead }, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN, updatedAt: '2026-10-22T06:58:00Z' },
      ],
      policies: [],
      instanceProfiles: [{ name: profile, path: '/', roles: [newRole], updatedAt: '2026-10-22T07:01:30Z' }],
      launchTemplates: [], autoScalingGroups: [],
      instances: ids.map((id) => ({ id, state: 'running', instanceProfile: profile, associatedAt: '2026-10-13T11:20:00Z', credentialsRole: oldRole, launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: profile } })),
    },
    physics: { propagationSeconds: 6, iamWritesPerSecond: 5, credentialRefreshSeconds: 21600, faults: [] },
    config: { modes: { 'stale-credentials': 'auto' }, scope: scope(accountId, region) },
    expected: { incidents: 1, events: 12, ignoredEvents: 0, cause: 'stale-credentials', status: 'fixed', actions: ['replace-association'], writes: { iam: 0, ec2: 3 } },
    events,
  };
}

/** A policy attached seconds before the agent starts: wait for propagation, change nothing. */
function propagationDelay() {
  const accountId = '999900001111';
  const region = 'ca-central-1';
  const role = 'metrics-collector';
  const roleId = awsId('AROA', `${accountId}:${role}`);
  const policyArn = `arn:aws:iam::${accountId}:policy/metrics-collector-ec2-read`;
  const ids = [instanceId('metrics-0'), instanceId('metrics-1')];
  const attachedAt = '2026-10-23T16:20:01Z';
  const encoded: Record<string, unknown> = {};
  const events = Array.from({ length: 6 }, (_, n) => {
    const session: InstanceRoleSession = { accountId, region, roleName: role, rolePath: '/', roleId, instanceId: ids[n % 2]!, ec2RoleDelivery: '2.0', sessionCreated: '2026-10-23T16:19:40Z' };
    const blob = encodedBlob(`metrics-${n}`);
    encoded[blob] = {
      allowed: false, explicitDeny: false, matchedStatements: { items: [] }, failures: { items: [] },
      context: { principal: { id: `${roleId}:${session.instanceId}`, arn: sessionArnOf(session) }, action: 'ec2:DescribeTags', resource: '*', conditions: { items: [{ key: 'aws:Region', values: { items: [{ value: region }] } }] } },
    };
    return instanceRoleDenial({
      session, eventTime: isoPlus('2026-10-23T16:20:03Z', n), eventSource: 'ec2.amazonaws.com', eventName: 'DescribeTags', action: 'ec2:DescribeTags', resource: '*',
      reason: '', errorCode: 'Client.UnauthorizedOperation',
      message: `You are not authorized to perform this operation. User: ${sessionArnOf(session)} is not authorized to perform: ec2:DescribeTags because no identity-based policy allows the ec2:DescribeTags action. Encoded authorization failure message: ${blob}`,
      requestParameters: { filterSet: { items: [{ name: 'resource-id', valueSet: { items: [{ value: session.instanceId }] } }] } }, readOnly: true,
      sourceIPAddress: `198.51.100.${200 + (n % 2)}`, userAgent: 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-cloudwatch-agent/1.300049.1', seed: `metrics-${n}`,
    });
  });
  const change = iamChange({
    operator: { accountId, userName: 'platform-pipeline', sourceIPAddress: '203.0.113.12' }, eventName: 'AttachRolePolicy',
    requestParameters: { policyArn, roleName: role }, eventTime: attachedAt, seed: 'metrics-attach',
  });
  return {
    name: 'agent started two seconds after its policy was attached: propagation, not a missing permission',
    description: 'The pipeline attaches the EC2 read policy and starts the metrics agent at once. IAM has not propagated the attachment yet: the denials stop on their own. Nothing is changed; the workflow waits and verifies.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [{ name: role, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE, { arn: policyArn, updatedAt: attachedAt }], permissionsBoundary: null, tags: OPT_IN }],
      policies: [{ arn: policyArn, document: { Version: '2012-10-17', Statement: [{ Sid: 'DescribeForMetricLabels', Effect: 'Allow', Action: ['ec2:DescribeTags', 'ec2:DescribeInstances', 'ec2:DescribeVolumes'], Resource: '*' }] }, updatedAt: attachedAt }],
      instanceProfiles: [{ name: role, path: '/', roles: [role] }],
      launchTemplates: [], autoScalingGroups: [],
      instances: ids.map((id) => ({ id, state: 'running', instanceProfile: role, associatedAt: '2026-10-23T16:18:50Z', launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: role } })),
      encodedAuthorizationMessages: encoded,
    },
    physics: { propagationSeconds: 8, iamWritesPerSecond: 5, faults: [] },
    config: { modes: { 'propagation-delay': 'auto' }, scope: scope(accountId, region) },
    expected: { incidents: 1, events: 6, ignoredEvents: 0, changeEvents: 1, cause: 'propagation-delay', status: 'verified-no-change', actions: [], writes: { iam: 0, ec2: 0 } },
    events: [change, ...events],
  };
}

/** The declared policy is detached, the fix needs approval, and the approver says no. */
function approvalRejected() {
  const accountId = '565656565656';
  const region = 'us-east-2';
  const role = 'log-forwarder';
  const roleId = awsId('AROA', `${accountId}:${role}`);
  const agentPolicy = `arn:aws:iam::${accountId}:policy/log-forwarder-write-logs`;
  const logGroup = `arn:aws:logs:${region}:${accountId}:log-group:/app/payments`;
  const id = instanceId('log-forwarder-0');
  const session: InstanceRoleSession = { accountId, region, roleName: role, rolePath: '/', roleId, instanceId: id, ec2RoleDelivery: '2.0', sessionCreated: '2026-10-24T11:02:17Z' };
  const events = Array.from({ length: 4 }, (_, n) => instanceRoleDenial({
    session, eventTime: isoPlus('2026-10-24T11:30:00Z', n * 15), eventSource: 'logs.amazonaws.com', eventName: 'CreateLogStream', action: 'logs:CreateLogStream',
    resource: `arn:aws:logs:${region}:${accountId}:log-group:/app/payments:log-stream:${id}`,
    reason: 'because no identity-based policy allows the logs:CreateLogStream action', errorCode: 'AccessDenied',
    requestParameters: { logGroupName: '/app/payments', logStreamName: id }, readOnly: false,
    sourceIPAddress: '198.51.100.77', userAgent: 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-cloudwatch-agent/1.300049.1', seed: `logfwd-${n}`,
  }));
  return {
    name: 'declared log-writing policy detached; the approver rejects re-attaching it',
    description: 'The log forwarder lost its log-writing policy, which the operator declared for it. Re-attaching needs approval; the approver rejects it (a change freeze). Nothing is changed and the rejection is recorded.',
    approvals: 'reject',
    account: {
      accountId, region,
      roles: [{ name: role, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN, updatedAt: '2026-10-24T09:12:44Z' }],
      policies: [{ arn: agentPolicy, document: { Version: '2012-10-17', Statement: [{ Sid: 'WritePaymentsLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], Resource: [logGroup, `${logGroup}:log-stream:*`] }] } }],
      instanceProfiles: [{ name: role, path: '/', roles: [role] }],
      launchTemplates: [], autoScalingGroups: [],
      instances: [{ id, state: 'running', instanceProfile: role, associatedAt: '2026-10-02T08:00:00Z', launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: role } }],
    },
    physics: { propagationSeconds: 5, iamWritesPerSecond: 5, faults: [] },
    config: { modes: { 'missing-permission': 'approve' }, expectedPermissions: [{ role, policyArns: [agentPolicy], statements: [] }], scope: scope(accountId, region) },
    expected: { incidents: 1, events: 4, ignoredEvents: 0, cause: 'missing-permission', status: 'rejected', actions: [], writes: { iam: 0, ec2: 0 } },
    events,
  };
}

/**
 * The same detached log-writing policy, in an account where the service may not call the policy simulator (an SCP, a
 * member role without iam:SimulatePrincipalPolicy, an emulator that does not implement it): the role's documents decide
 * the cause, the evidence says the simulation was unavailable and why, and a person approves although the mode is auto.
 */
function diagnosisWithoutSimulator() {
  const base = approvalRejected();
  const role = base.account.roles[0]!.name;
  return {
    ...base,
    name: 'declared policy detached, the policy simulator refused: decided from the role\'s documents, approved by a person',
    description: 'The log forwarder lost its log-writing policy, which the operator declared for it, and the service\'s role is refused iam:SimulatePrincipalPolicy. The diagnosis reads the role\'s own policies (nothing allows logs:CreateLogStream), plans the declared policy back, and says the simulation was unavailable. Decided without the simulator, the fix waits for a person even in auto mode; Verify checks the documents instead.',
    approvals: 'approve',
    physics: {
      ...base.physics,
      faults: [{ api: 'SimulatePrincipalPolicy', error: 'AccessDenied', message: `User: arn:aws:sts::${base.account.accountId}:assumed-role/iam-autoheal-member/diagnose is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::${base.account.accountId}:role/${role} with an explicit deny in a service control policy`, times: 100 }],
    },
    config: { ...base.config, modes: { 'missing-permission': 'auto' } },
    expected: { ...base.expected, status: 'fixed', actions: ['attach-policy'], writes: { iam: 1, ec2: 0 } },
  };
}

/**
 * Decided again after the wait: the same emptied profile, approved half an hour later. Meanwhile a person attached
 * AdministratorAccess to the role: the approval was for a role that is no longer the one it would hand out, so
 * nothing is applied and a person looks again.
 */
function approvalRoleMadePrivilegedMeanwhile() {
  const base = profileWithoutRole();
  const role = base.account.roles[0]!.name;
  return {
    ...base,
    name: 'approved after the role was made an administrator: decided again, nothing applied',
    description: 'The cleanup script emptied the instance profile etl-runner and the fix waits for approval. While it waits, a person attaches AdministratorAccess to the role etl-runner; the approval comes 30 minutes later. Before any change the workflow diagnoses and guards again: the role is now privileged, so adding it back would hand out an administrator. The incident is escalated with what changed; nothing is written.',
    approvals: [{ action: 'approve', afterSeconds: 1800, meanwhile: [{ by: 'jo', call: 'iam.attachRolePolicy', args: [role, 'arn:aws:iam::aws:policy/AdministratorAccess'] }] }],
    expected: { ...base.expected, status: 'escalated', actions: [], writes: { iam: 0, ec2: 0 } },
  };
}

/** The same incident fixed by a person while the approval waited: nothing is left to do, nothing is written. */
function approvalFixedMeanwhile() {
  const base = profileWithoutRole();
  const role = base.account.roles[0]!.name;
  return {
    ...base,
    name: 'fixed by a person while the approval waited: decided again, nothing applied',
    description: 'The cleanup script emptied the instance profile etl-runner and the fix waits for approval. While it waits, a person adds the role back by hand; the approval comes 20 minutes later. The workflow diagnoses again before any change, finds nothing broken, verifies and writes nothing.',
    approvals: [{ action: 'approve', afterSeconds: 1200, meanwhile: [{ by: 'jo', call: 'iam.addRoleToInstanceProfile', args: [base.account.instanceProfiles[0]!.name, role] }] }],
    expected: { ...base.expected, status: 'verified-no-change', actions: [], writes: { iam: 0, ec2: 0 } },
  };
}

writeScenarios(
  {
    'launch-without-profile.json': launchWithoutProfile,
    'service-denied-describe-instances.json': serviceDeniedDescribeInstances,
    'forged-events-refused.json': forgedEventsRefused,
    'trust-policy-lost-ec2.json': trustPolicyLostEc2,
    'profile-without-role.json': profileWithoutRole,
    'profile-emptied-seen-in-event-history.json': profileEmptiedSeenInEventHistory,
    'stale-credentials.json': staleCredentials,
    'propagation-delay.json': propagationDelay,
    'approval-rejected.json': approvalRejected,
    'diagnosis-without-simulator.json': diagnosisWithoutSimulator,
    'approval-role-made-privileged-meanwhile.json': approvalRoleMadePrivilegedMeanwhile,
    'approval-fixed-meanwhile.json': approvalFixedMeanwhile,
  },
  'pretty',
);
