/**
 * Writes the built-in scenario where several root causes arrive in one stream of events: intake must
 * split them into one incident each and handle each on its own terms. Records come from
 * test/fixtures/cloudtrail/ with only ids, names and times changed (see cloudtrail-records.ts).
 * Run: npx tsx scripts/make-mixed-scenarios.ts
 */
import { operatorLaunch } from './cloudtrail-launches.ts';
import { awsId, hex, instanceId, instanceRoleDenial, isoPlus, type InstanceRoleSession } from './cloudtrail-records.ts';
import { APP_AGENT, EC2_TRUST, OPT_IN, PY_AGENT, SSM_CORE, instanceRoleSuccess, scope, writeScenarios } from './scenario-parts.ts';

/** A busy hour: a policy storm, a launch without profile and an attacker, mixed with successful calls. */
function busyHour() {
  const accountId = '242424242424';
  const region = 'eu-west-1';
  const start = '2026-11-02T09:00:00Z';
  const checkout = 'checkout';
  const checkoutIds = Array.from({ length: 12 }, (_, i) => instanceId(`checkout-${i}`));
  const indexerIds = Array.from({ length: 3 }, (_, i) => instanceId(`indexer-${i}`));
  const marketingId = instanceId('marketing-0');
  const policyArn = `arn:aws:iam::${accountId}:policy/checkout-config-read`;
  const session = (role: string, id: string): InstanceRoleSession => ({
    accountId, region, roleName: role, rolePath: '/', roleId: awsId('AROA', `${accountId}:${role}`), instanceId: id, ec2RoleDelivery: '2.0', sessionCreated: '2026-11-02T08:30:00Z',
  });
  const paramArn = `arn:aws:ssm:${region}:${accountId}:parameter/checkout/prod`;
  const storm = Array.from({ length: 120 }, (_, n) => instanceRoleDenial({
    session: session(checkout, checkoutIds[n % 12]!), eventTime: isoPlus(start, 20 + n), eventSource: 'ssm.amazonaws.com', eventName: 'GetParametersByPath',
    action: 'ssm:GetParametersByPath', resource: paramArn, reason: 'because no identity-based policy allows the ssm:GetParametersByPath action',
    requestParameters: { path: '/checkout/prod', recursive: true, withDecryption: true }, readOnly: true, sourceIPAddress: `198.51.100.${10 + (n % 4)}`, userAgent: APP_AGENT, seed: `busy-checkout-${n}`,
  }));
  const noise = checkoutIds.slice(0, 6).map((id, i) => instanceRoleSuccess(session(checkout, id), isoPlus(start, 5 + i * 20), `busy-ok-${i}`));
  const launch = operatorLaunch({
    operator: { accountId, userName: 'sam.okafor', sourceIPAddress: '203.0.113.60' }, region, availabilityZone: `${region}c`,
    subnetId: `subnet-0${hex('busy-subnet', 16)}`, vpcId: `vpc-0${hex('busy-vpc', 16)}`, securityGroupId: `sg-0${hex('busy-sg', 16)}`,
    imageId: 'ami-0d4c3b2a1f0e9d8c7', instanceType: 'r7g.xlarge', instanceIds: indexerIds,
    tags: { ...OPT_IN, 'iam-autoheal:profile': 'search-indexer', Name: 'search-indexer' }, instanceProfile: null, eventTime: isoPlus(start, 75), seed: 'busy-launch',
  });
  const userArn = `arn:aws:iam::${accountId}:user/svc-sync`;
  const attacker = [0, 1].map((n) => instanceRoleDenial({
    session: session('marketing-site', marketingId), eventTime: isoPlus(start, 90 + n * 9), eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', action: 'iam:CreateUser', resource: userArn,
    reason: 'because no identity-based policy allows the iam:CreateUser action', requestParameters: { userName: 'svc-sync' }, readOnly: false,
    sourceIPAddress: '198.51.100.201', userAgent: PY_AGENT, seed: `busy-attacker-${n}`,
  }));
  const events = [...storm, ...noise, launch, ...attacker].sort((a, b) => String(a['eventTime']).localeCompare(String(b['eventTime'])));
  const instance = (id: string, profile: string | null, name: string, tags: Record<string, string> = {}) => ({
    id, state: 'running', instanceProfile: profile, ...(profile ? { associatedAt: '2026-10-30T07:00:00Z' } : {}), launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, ...tags, Name: name },
  });
  const role = (name: string, extra: Record<string, unknown> = {}) => ({ name, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN, ...extra });
  return {
    name: 'a busy hour: a policy storm, a launch without profile and an attacker in one stream of 129 events',
    description: 'Three root causes arrive mixed with successful calls: checkout lost its declared config policy (120 denials from 12 instances), an operator launched 3 indexers without a profile, and a marketing instance tries iam:CreateUser. Intake makes one incident of each; each is handled on its own terms.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [role(checkout, { updatedAt: '2026-11-02T08:12:40Z' }), role('search-indexer'), role('marketing-site')],
      policies: [{ arn: policyArn, document: { Version: '2012-10-17', Statement: [{ Sid: 'ReadCheckoutConfig', Effect: 'Allow', Action: ['ssm:GetParametersByPath', 'ssm:GetParameter'], Resource: `arn:aws:ssm:${region}:${accountId}:parameter/checkout/*` }] } }],
      instanceProfiles: ['checkout', 'search-indexer', 'marketing-site'].map((name) => ({ name, path: '/', roles: [name] })),
      launchTemplates: [], autoScalingGroups: [],
      instances: [
        ...checkoutIds.map((id) => instance(id, checkout, checkout)),
        ...indexerIds.map((id) => instance(id, null, 'search-indexer', { 'iam-autoheal:profile': 'search-indexer' })),
        instance(marketingId, 'marketing-site', 'marketing-site'),
      ],
    },
    physics: { propagationSeconds: 6, iamWritesPerSecond: 5, faults: [] },
    config: {
      modes: { 'missing-permission': 'auto', 'no-instance-profile': 'auto' },
      expectedPermissions: [{ role: checkout, policyArns: [policyArn], statements: [] }],
      // The launch's iam-autoheal:profile tag only suggests search-indexer; this authorizes it (docs/SECURITY.md).
      allowedInstanceProfiles: ['search-indexer'],
      scope: scope(accountId, region),
    },
    expected: {
      incidents: 3, ignoredEvents: 6, writes: { iam: 1, ec2: 3 },
      byIncident: [
        { events: 120, cause: 'missing-permission', status: 'fixed', actions: ['attach-policy'] },
        { events: 1, cause: 'no-instance-profile', status: 'fixed', actions: ['associate-profile'] },
        { events: 2, cause: 'missing-permission', status: 'escalated', actions: [] },
      ],
    },
    events,
  };
}

writeScenarios({ 'busy-hour-three-root-causes.json': busyHour }, 'one-event-per-line');
