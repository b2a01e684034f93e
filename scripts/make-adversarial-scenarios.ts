/**
 * Writes the built-in scenarios where someone tries to use the service against the account, or where the
 * service must respect what a person did: a profile suggested by an instance tag that names an administrator
 * role (the confused deputy), refused; a declared policy a responder detached, not re-attached. Records come from test/fixtures/cloudtrail/ with only ids, names and
 * times changed.
 * Run: npx tsx scripts/make-adversarial-scenarios.ts
 */
import { operatorLaunch } from './cloudtrail-launches.ts';
import { awsId, hex, iamChange, instanceId, instanceRoleDenial, isoPlus, type InstanceRoleSession } from './cloudtrail-records.ts';
import { APP_AGENT, EC2_TRUST, OPT_IN, SSM_CORE, scope, writeScenarios, DRIFT_OFF } from './scenario-parts.ts';

const PHYSICS = { propagationSeconds: 5, iamWritesPerSecond: 5, faults: [] };
const NOTHING = { iam: 0, ec2: 0 };
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

function network(seed: string) {
  return { subnetId: `subnet-0${hex(`${seed}-subnet`, 16)}`, vpcId: `vpc-0${hex(`${seed}-vpc`, 16)}`, securityGroupId: `sg-0${hex(`${seed}-sg`, 16)}` };
}

/**
 * A developer who may launch and tag instances, but may pass only the build-agent role, launches an instance
 * without a profile and tags it to ask for the administrator profile. The service must not pass it for them.
 */
function confusedDeputyAdminProfile() {
  const accountId = '616161616161';
  const region = 'eu-west-1';
  const id = instanceId('deputy-0');
  const tags = { ...OPT_IN, 'iam-autoheal:profile': 'ops-admin', Name: 'build-agent' };
  return {
    name: 'an instance tag asks for the administrator profile: refused, never associated',
    description:
      'A developer allowed to launch and tag instances (iam:PassRole only on build-agent) launches one without a profile and tags it iam-autoheal:profile=ops-admin. ' +
      'The ops-admin role carries AdministratorAccess (and, by mistake, the opt-in tag). An instance tag only suggests a profile; a privileged role is never handed out, in any mode: ' +
      'the incident is escalated with the tag and the statement that makes the role privileged as evidence, and nothing is changed.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [
        { name: 'build-agent', path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN },
        { name: 'ops-admin', path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [ADMIN], permissionsBoundary: null, tags: OPT_IN },
      ],
      policies: [],
      instanceProfiles: [{ name: 'build-agent', path: '/', roles: ['build-agent'] }, { name: 'ops-admin', path: '/', roles: ['ops-admin'] }],
      launchTemplates: [], autoScalingGroups: [],
      instances: [{ id, state: 'running', instanceProfile: null, launchTemplate: null, autoScalingGroup: null, tags }],
    },
    physics: PHYSICS,
    config: { modes: { 'no-instance-profile': 'auto' }, baselineInstanceProfile: 'build-agent', scope: scope(accountId, region) },
    expected: { incidents: 1, events: 1, ignoredEvents: 0, cause: 'no-instance-profile', status: 'escalated', actions: [], writes: NOTHING },
    events: [operatorLaunch({
      operator: { accountId, userName: 'dev.kowalski', sourceIPAddress: '203.0.113.77' }, region, availabilityZone: `${region}b`, ...network('deputy'),
      imageId: 'ami-0a9b8c7d6e5f40312', instanceType: 't3.large', instanceIds: [id], tags, instanceProfile: null,
      eventTime: '2026-11-03T16:20:41Z', seed: 'deputy-launch',
    })],
  };
}

/**
 * During an incident a responder detaches the payments worker's declared secrets policy; the workers' denials
 * that follow must not make the service attach it again.
 */
function responderDetachRespected() {
  const accountId = '717171717171';
  const region = 'us-east-2';
  const role = 'payments-worker';
  const policyArn = `arn:aws:iam::${accountId}:policy/payments-secrets-read`;
  const secret = `arn:aws:secretsmanager:${region}:${accountId}:secret:payments/processor-key-Xy12Ab`;
  const ids = [instanceId('payments-0'), instanceId('payments-1')];
  const roleId = awsId('AROA', `${accountId}:${role}`);
  const detach = iamChange({
    operator: { accountId, userName: 'responder.ana', sourceIPAddress: '203.0.113.12' }, eventName: 'DetachRolePolicy',
    requestParameters: { policyArn, roleName: role }, eventTime: '2026-11-04T02:10:03Z', seed: 'payments-detach',
  });
  const denials = Array.from({ length: 6 }, (_, n) => {
    const session: InstanceRoleSession = { accountId, region, roleName: role, rolePath: '/', roleId, instanceId: ids[n % 2]!, ec2RoleDelivery: '2.0', sessionCreated: '2026-11-04T01:30:00Z' };
    return instanceRoleDenial({
      session, eventTime: isoPlus('2026-11-04T02:10:40Z', n * 15), eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', action: 'secretsmanager:GetSecretValue',
      resource: secret, reason: 'because no identity-based policy allows the secretsmanager:GetSecretValue action', errorCode: 'AccessDenied',
      requestParameters: { secretId: 'payments/processor-key' }, readOnly: true, sourceIPAddress: `198.51.100.${60 + (n % 2)}`, userAgent: APP_AGENT, seed: `payments-${n}`,
    });
  });
  const read = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:payments/*` }] };
  return {
    name: 'a responder detached the declared secrets policy: the denials that follow are escalated, the policy is not re-attached',
    description:
      'A suspected key leak: the responder responder.ana detaches payments-secrets-read from payments-worker. The workers are then denied their secret. ' +
      'The policy is declared in expectedPermissions and missing-permission is in auto mode, but a detach by a person moments ago is a decision: escalated as an incident response, nothing changed.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [{ name: role, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN }],
      policies: [{ arn: policyArn, document: read }],
      instanceProfiles: [{ name: role, path: '/', roles: [role] }], launchTemplates: [], autoScalingGroups: [],
      instances: ids.map((id) => ({ id, state: 'running', instanceProfile: role, associatedAt: '2026-11-04T01:30:00Z', launchTemplate: null, autoScalingGroup: null, tags: { ...OPT_IN, Name: role } })),
    },
    physics: { ...PHYSICS, startTime: '2026-11-04T02:12:00Z' },
    config: { modes: { 'missing-permission': 'auto' }, expectedPermissions: [{ role, policyArns: [policyArn], statements: [] }], scope: scope(accountId, region), drift: DRIFT_OFF },
    expected: { incidents: 1, events: 6, ignoredEvents: 0, changeEvents: 1, cause: 'incident-response', status: 'escalated', actions: [], writes: NOTHING },
    events: [detach, ...denials],
  };
}

writeScenarios({ 'confused-deputy-admin-profile.json': confusedDeputyAdminProfile, 'responder-detach-respected.json': responderDetachRespected }, 'pretty');
