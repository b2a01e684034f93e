/**
 * Writes the built-in scenarios where someone tries to use the service against the account, or where the
 * service must respect what a person did: a profile suggested by an instance tag that names an administrator
 * role (the confused deputy), refused. Records come from test/fixtures/cloudtrail/ with only ids, names and
 * times changed.
 * Run: npx tsx scripts/make-adversarial-scenarios.ts
 */
import { operatorLaunch } from './cloudtrail-launches.ts';
import { hex, instanceId } from './cloudtrail-records.ts';
import { EC2_TRUST, OPT_IN, SSM_CORE, scope, writeScenarios } from './scenario-parts.ts';

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
    expected: { incidents: 1, events: 1, ignoredEvents: 0, cause: 'no-instance-profile', status: 'escalated', actions: [], writes: NOTHING, reasonMentions: 'AdministratorAccess' },
    events: [operatorLaunch({
      operator: { accountId, userName: 'dev.kowalski', sourceIPAddress: '203.0.113.77' }, region, availabilityZone: `${region}b`, ...network('deputy'),
      imageId: 'ami-0a9b8c7d6e5f40312', instanceType: 't3.large', instanceIds: [id], tags, instanceProfile: null,
      eventTime: '2026-11-03T16:20:41Z', seed: 'deputy-launch',
    })],
  };
}

writeScenarios({ 'confused-deputy-admin-profile.json': confusedDeputyAdminProfile }, 'pretty');
