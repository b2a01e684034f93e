/** Plain Facts for pure decide() tests: a healthy instance-role denial by default, changed per test. */
import type { Facts, InstanceFacts, RoleFacts } from '../../../handlers/core/diagnosis/facts.ts';
import { parseConfig, type Config, type ConfigInput } from '../../../handlers/core/config.ts';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const INSTANCE = 'i-0aaa1111bbbb2222c';
export const EC2_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

export function role(name = 'app', over: Partial<RoleFacts['info']> = {}): RoleFacts {
  return {
    info: { name, path: '/', arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, trustPolicy: EC2_TRUST, permissionsBoundaryArn: null, tags: {}, ...over },
    inlinePolicies: {},
    attachedPolicies: [],
  };
}

export function instance(id = INSTANCE, over: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    id,
    info: { id, state: 'running', instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/app`, launchTemplate: null, autoScalingGroup: null, tags: {} },
    association: { associationId: `iip-assoc-${id}`, instanceId: id, instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/app`, state: 'associated', associatedAt: '2026-10-01T00:00:00Z' },
    profile: { name: 'app', path: '/', arn: `arn:aws:iam::${ACCOUNT}:instance-profile/app`, roles: ['app'] },
    profileMissing: false,
    launchTemplate: null,
    autoScalingGroup: null,
    ...over,
  };
}

/** The baseline "app" as an instance's expected profile. */
export const BASELINE_APP: NonNullable<InstanceFacts['expected']> = { name: 'app', source: 'baseline', detail: 'configuration baselineInstanceProfile', exists: true, roles: ['app'] };

/** An instance launched without a profile (its expected profile: the baseline "app"). */
export function bareInstance(id = INSTANCE, over: Partial<InstanceFacts> = {}): InstanceFacts {
  const base = instance(id);
  return { ...base, info: { ...base.info!, instanceProfileArn: null }, association: null, profile: null, expected: BASELINE_APP, expectedSearch: ['configuration baselineInstanceProfile: app'], ...over };
}

export function facts(over: Partial<Facts> = {}): Facts {
  return {
    incident: { key: 'k1', kind: 'access-denied', accountId: ACCOUNT, region: REGION, eventCount: 1, firstSeen: '2026-10-02T08:00:00Z', lastSeen: '2026-10-02T08:00:00Z', instanceIds: [INSTANCE], actions: ['s3:GetObject'] },
    now: '2026-10-02T08:00:05Z',
    denied: {
      action: 's3:GetObject', resource: 'arn:aws:s3:::config-bucket/app.json', eventSource: 's3.amazonaws.com', roleName: 'app',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/app`, instanceId: INSTANCE, ec2RoleDelivery: '2.0',
      denial: { explicit: false, policyType: 'identity-based', encodedMessage: false },
    },
    launch: null,
    instances: [instance()],
    role: role(),
    roleSource: 'profile',
    roleMissing: null,
    declaredPolicies: {},
    simulation: { action: 's3:GetObject', resource: 'arn:aws:s3:::config-bucket/app.json', decision: 'implicitDeny', matchedStatements: [] },
    profiles: { app: { name: 'app', roles: ['app'], tags: {} } },
    handoutRoles: { app: { name: 'app', tags: {}, privileged: null } },
    decoded: { status: 'absent' },
    recentChanges: [],
    propagationWindowSeconds: 30,
    throttling: { count: 0, apis: [] },
    readErrors: [],
    ...over,
  };
}

export function config(input: ConfigInput = {}): Config {
  return parseConfig(input);
}
