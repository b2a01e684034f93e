import { describe, expect, it } from 'vitest';
import { decide } from '../../../handlers/core/diagnosis/decide.ts';
import type { Facts, LaunchTemplateFacts } from '../../../handlers/core/diagnosis/facts.ts';
import type { Denial } from '../../../handlers/core/events/model.ts';
import { ACCOUNT, BASELINE_APP, bareInstance, config, facts, instance, INSTANCE, role } from './build-facts.ts';

const S3 = 's3:GetObject';
const OBJECT = 'arn:aws:s3:::config-bucket/app.json';
const READ_STATEMENT = { Effect: 'Allow' as const, Action: 's3:GetObject', Resource: 'arn:aws:s3:::config-bucket/*' };

function template(version: number, profile: string | null, over: Partial<LaunchTemplateFacts> = {}): LaunchTemplateFacts {
  return {
    version: { launchTemplateId: 'lt-0123', launchTemplateName: 'web', versionNumber: version, defaultVersion: true, iamInstanceProfile: profile ? { name: profile } : null },
    reference: '$Default',
    defaultVersion: version,
    ...over,
  };
}

function denialOf(denial: Partial<Denial>): Facts['denied'] {
  return { ...facts().denied, denial: { explicit: false, policyType: 'identity-based', encodedMessage: false, ...denial } };
}

function evidenceText(f: Facts): string {
  return decide(f, config()).evidence.map((e) => e.summary).join('\n');
}

describe('decide: instance → profile → role chain', () => {
  it('no-instance-profile: associates the baseline profile, and says where the expected profile came from', () => {
    const d = decide(facts({ instances: [bareInstance()], role: null, roleSource: null, simulation: null }), config());
    expect(d.cause).toBe('no-instance-profile');
    expect(d.plan).toEqual([expect.objectContaining({ type: 'associate-profile', target: INSTANCE, params: { profileName: 'app' } })]);
    expect(d.evidence.map((e) => e.summary).join('\n')).toMatch(/expected profile app, from the configuration baselineInstanceProfile/);
  });

  it('no-instance-profile with no expected profile known: plan is empty and the summary says what to set', () => {
    const d = decide(facts({ instances: [bareInstance(INSTANCE, { expected: null, expectedSearch: ['configuration baselineInstanceProfile: none'] })], role: null, simulation: null }), config());
    expect(d.cause).toBe('no-instance-profile');
    expect(d.plan).toEqual([]);
    expect(d.summary).toMatch(/no expected profile is known/);
  });

  it('stale-launch-template: template first (new version + default), then the running instances', () => {
    const bare = bareInstance(INSTANCE, { launchTemplate: template(1, null), autoScalingGroup: { name: 'web', launchTemplate: { id: 'lt-0123', version: '$Default' }, template: template(1, null), tags: {} } });
    const second = bareInstance('i-0bbb2222cccc3333d', { launchTemplate: template(1, null) });
    const d = decide(facts({ incident: { ...facts().incident, kind: 'launch' }, instances: [bare, second], role: null, simulation: null }), config());
    expect(d.cause).toBe('stale-launch-template');
    expect(d.plan.map((a) => `${a.type} ${a.target}`)).toEqual([
      'create-launch-template-version lt-0123',
      'set-default-launch-template-version lt-0123',
      `associate-profile ${INSTANCE}`,
      'associate-profile i-0bbb2222cccc3333d',
    ]);
    expect(d.plan[0]!.params).toEqual({ sourceVersion: 1, profileName: 'app' });
  });

  it('stale-launch-template with a group pinned to a version: points the group at the new version', () => {
    const pinned = { name: 'web', launchTemplate: { id: 'lt-0123', version: '1' }, template: template(1, null, { reference: '1' }), tags: {} };
    const d = decide(facts({ instances: [bareInstance(INSTANCE, { autoScalingGroup: pinned })], role: null, simulation: null }), config());
    expect(d.plan.map((a) => a.type)).toEqual(['create-launch-template-version', 'update-auto-scaling-group', 'associate-profile']);
    expect(d.plan[1]).toMatchObject({ target: 'web', params: { launchTemplateId: 'lt-0123', profileName: 'app' } });
  });

  it('an instance without a profile whose group template already carries one is no-instance-profile, not a stale template', () => {
    const group = { name: 'web', launchTemplate: { id: 'lt-0123', version: '$Default' }, template: template(2, 'web-role'), tags: {} };
    const d = decide(facts({ instances: [bareInstance(INSTANCE, { launchTemplate: template(1, null), autoScalingGroup: group, expected: { name: 'web-role', source: 'auto-scaling-group', detail: 'Auto Scaling group web → lt-0123', exists: true, roles: ['web'] } })], role: null, simulation: null }), config());
    expect(d.cause).toBe('no-instance-profile');
    expect(d.plan).toEqual([expect.objectContaining({ type: 'associate-profile', params: { profileName: 'web-role' } })]);
  });

  it('profile-without-role: adds the role of the denied session back to the empty profile', () => {
    const empty = instance(INSTANCE, { profile: { name: 'app', path: '/', arn: `arn:aws:iam::${ACCOUNT}:instance-profile/app`, roles: [] } });
    const d = decide(facts({ instances: [empty], roleSource: 'denied-session' }), config());
    expect(d.cause).toBe('profile-without-role');
    expect(d.plan).toEqual([expect.objectContaining({ type: 'add-role-to-profile', target: 'app', params: { roleName: 'app' } })]);
  });

  it('trust-missing-ec2: merges EC2 into the trust of the role the profile holds', () => {
    const lambdaOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const d = decide(facts({ role: role('app', { trustPolicy: lambdaOnly }) }), config());
    expect(d.cause).toBe('trust-missing-ec2');
    expect(d.plan).toEqual([expect.objectContaining({ type: 'merge-trust', target: 'app' })]);
  });

  it('an association to a deleted profile is replaced with the expected one (no disassociate gap)', () => {
    const gone = instance(INSTANCE, { profile: null, profileMissing: true, association: { ...instance().association!, instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/deleted` }, expected: BASELINE_APP });
    const d = decide(facts({ instances: [gone], role: null, roleSource: null }), config());
    expect(d.cause).toBe('no-instance-profile');
    expect(d.plan).toEqual([expect.objectContaining({ type: 'replace-association', target: INSTANCE, params: { profileName: 'app' } })]);
  });

  it('an association still being made is propagation: wait, change nothing', () => {
    const associating = instance(INSTANCE, { association: { ...instance().association!, state: 'associating' } });
    const d = decide(facts({ instances: [associating] }), config());
    expect(d.cause).toBe('propagation-delay');
    expect(d.plan.map((a) => a.type)).toEqual(['wait']);
  });
});

describe('decide: permissions', () => {
  it('missing-permission with nothing declared: a least-privilege proposal of the exact action and resource', () => {
    const d = decide(facts(), config());
    expect(d.cause).toBe('missing-permission');
    expect(d.plan).toEqual([expect.objectContaining({ type: 'propose-policy', target: 'app', params: { statement: { Effect: 'Allow', Action: S3, Resource: OBJECT } } })]);
  });

  it('missing-permission restores a declared managed policy that was detached and covers the call', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/app-read`;
    const d = decide(facts({ declaredPolicies: { [arn]: { Version: '2012-10-17', Statement: [READ_STATEMENT] } } }), config({ expectedPermissions: [{ role: 'app*', policyArns: [arn] }] }));
    expect(d.plan).toEqual([expect.objectContaining({ type: 'attach-policy', target: 'app', params: expect.objectContaining({ policyArn: arn }) })]);
  });

  it('missing-permission puts back a declared statement that covers the call, keeping the ones already there', () => {
    const kept = { Effect: 'Allow' as const, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:111122223333:jobs' };
    const withInline = { ...role(), inlinePolicies: { 'iam-autoheal-expected': { Version: '2012-10-17', Statement: [kept] } } };
    const d = decide(facts({ role: withInline }), config({ expectedPermissions: [{ role: 'app', statements: [kept, READ_STATEMENT] }] }));
    expect(d.plan).toHaveLength(1);
    expect(d.plan[0]).toMatchObject({ type: 'put-inline-policy', params: { policyName: 'iam-autoheal-expected', document: { Statement: [kept, READ_STATEMENT] } } });
  });

  it('a declaration for another role is not used', () => {
    const d = decide(facts(), config({ expectedPermissions: [{ role: 'batch-*', statements: [READ_STATEMENT] }] }));
    expect(d.plan.map((a) => a.type)).toEqual(['propose-policy']);
  });

  it('stale-credentials: denied as one role while the profile now holds another that is allowed', () => {
    const f = facts({ denied: { ...facts().denied, roleName: 'old-app' }, simulation: { action: S3, resource: OBJECT, decision: 'allowed', matchedStatements: [{ sourcePolicyId: 'read' }] } });
    const d = decide(f, config());
    expect(d.cause).toBe('stale-credentials');
    expect(d.plan).toEqual([expect.objectContaining({ type: 'replace-association', target: INSTANCE, params: { profileName: 'app', associationId: `iip-assoc-${INSTANCE}` } })]);
  });

  it('stale-credentials across a storm: every instance of the incident gets a fresh association', () => {
    const f = facts({ instances: [instance(), instance('i-0bbb2222cccc3333d')], denied: { ...facts().denied, roleName: 'old-app' }, simulation: { action: S3, resource: OBJECT, decision: 'allowed', matchedStatements: [] } });
    expect(decide(f, config()).plan.map((a) => `${a.type} ${a.target}`)).toEqual([`replace-association ${INSTANCE}`, 'replace-association i-0bbb2222cccc3333d']);
  });

  it('stale-credentials: policies allow now, association is old, no recent change', () => {
    const d = decide(facts({ simulation: { action: S3, resource: OBJECT, decision: 'allowed', matchedStatements: [] } }), config());
    expect(d.cause).toBe('stale-credentials');
    expect(d.summary).toMatch(/past the 30s propagation window/);
  });

  it('propagation-delay: policies allow and the association is only seconds old', () => {
    const young = instance(INSTANCE, { association: { ...instance().association!, associatedAt: '2026-10-02T08:00:01Z' } });
    const d = decide(facts({ instances: [young], simulation: { action: S3, resource: OBJECT, decision: 'allowed', matchedStatements: [] } }), config());
    expect(d.cause).toBe('propagation-delay');
    expect(d.plan.map((a) => a.type)).toEqual(['wait']);
  });

  it('propagation-delay: the role policy changed seconds ago → wait only, even though the simulation still denies', () => {
    const change = { what: 'AttachRolePolicy', resourceType: 'role-policy', resource: 'app', at: '2026-10-02T08:00:02Z', secondsAgo: 3, breaking: false, origin: 'event' as const };
    const d = decide(facts({ recentChanges: [change] }), config());
    expect(d.cause).toBe('propagation-delay');
    expect(d.plan.map((a) => a.type)).toEqual(['wait']);
  });

  it('a policy detached seconds ago is not propagation: the missing permission is restored from the declaration', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/app-read`;
    const detach = { what: 'DetachRolePolicy', resourceType: 'role-policy', resource: 'app', at: '2026-10-02T08:00:02Z', secondsAgo: 3, breaking: true, origin: 'event' as const };
    const d = decide(facts({ recentChanges: [detach], declaredPolicies: { [arn]: { Version: '2012-10-17', Statement: [READ_STATEMENT] } } }), config({ expectedPermissions: [{ role: 'app', policyArns: [arn] }] }));
    expect(d.cause).toBe('missing-permission');
    expect(d.plan.map((a) => a.type)).toEqual(['attach-policy']);
  });

  it('a change older than the propagation window is evidence, not propagation', () => {
    const old = { what: 'AttachRolePolicy', resourceType: 'role-policy', resource: 'app', at: '2026-10-02T07:50:00Z', secondsAgo: 605, breaking: false, origin: 'event' as const };
    const d = decide(facts({ recentChanges: [old] }), config());
    expect(d.cause).toBe('missing-permission');
    expect(d.evidence.map((e) => e.summary)).toContain('AttachRolePolicy on app 605s ago');
  });

  it('our own throttled reads are never the cause: the evidence names them, the rest decides', () => {
    const f = facts({ throttling: { count: 3, apis: ['iam:SimulatePrincipalPolicy'] } });
    expect(decide(f, config()).cause).toBe(decide(facts(), config()).cause);
    expect(decide(f, config()).cause).not.toBe('throttling');
    expect(evidenceText(f)).toMatch(/3 throttled call\(s\) while diagnosing: iam:SimulatePrincipalPolicy/);
  });

  it('throttling: a storm of bare AccessDenied while the policies allow', () => {
    const f = facts({ incident: { ...facts().incident, eventCount: 1000 }, denied: denialOf({ explicit: null, policyType: null }), simulation: { action: S3, resource: OBJECT, decision: 'allowed', matchedStatements: [] } });
    expect(decide(f, config()).cause).toBe('throttling');
  });
});

describe('decide: never changed automatically', () => {
  const cases: Array<[string, Partial<Denial>, string]> = [
    ['organization-policy', { policyType: 'service-control', explicit: true }, 'Organizations administrators'],
    ['organization-policy', { policyType: 'resource-control', explicit: false }, 'Organizations administrators'],
    ['resource-policy', { policyType: 'resource-based', explicit: true }, `owner of ${OBJECT}`],
    ['permissions-boundary', { policyType: 'permissions-boundary', explicit: false }, 'permissions boundaries'],
    ['session-policy', { policyType: 'session', explicit: false }, 'session policy'],
    ['vpc-endpoint-policy', { policyType: 'vpc-endpoint', explicit: true }, 'VPC endpoint'],
    ['explicit-deny', { policyType: 'identity-based', explicit: true, policyArn: 'arn:aws:iam::111122223333:policy/deny-s3' }, 'deny-s3'],
  ];
  for (const [cause, denial, owner] of cases) {
    it(`${cause} from the message (${denial.policyType}, explicit ${denial.explicit}): no plan, an owner`, () => {
      const d = decide(facts({ denied: denialOf(denial) }), config());
      expect(d.cause).toBe(cause);
      expect(d.plan).toEqual([]);
      expect(d.owner).toContain(owner);
    });
  }

  it('explicit-deny from the simulation names the deciding policy', () => {
    const d = decide(facts({ denied: denialOf({ explicit: null, policyType: null }), simulation: { action: S3, resource: OBJECT, decision: 'explicitDeny', matchedStatements: [{ sourcePolicyId: 'deny-all-s3' }] } }), config());
    expect(d.cause).toBe('explicit-deny');
    expect(d.summary).toMatch(/deny-all-s3/);
  });

  it('permissions-boundary from the simulation', () => {
    const d = decide(facts({ role: role('app', { permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary' }), simulation: { action: S3, resource: OBJECT, decision: 'implicitDeny', matchedStatements: [], permissionsBoundaryAllowed: false } }), config());
    expect(d.cause).toBe('permissions-boundary');
    expect(d.plan).toEqual([]);
    expect(d.owner).toMatch(/boundary arn:aws:iam::111122223333:policy\/boundary/);
  });

  it('organization-policy from the simulation', () => {
    expect(decide(facts({ simulation: { action: S3, resource: OBJECT, decision: 'implicitDeny', matchedStatements: [], organizationsAllowed: false } }), config()).cause).toBe('organization-policy');
  });

  it("not-instance-role: a pod identity denial says so and never plans anything for the node's role", () => {
    const f = facts({ denied: { ...facts().denied, action: 'eks-auth:AssumeRoleForPodIdentity', resource: null, denial: { explicit: null, policyType: null, encodedMessage: false } } });
    const d = decide(f, config({ expectedPermissions: [{ role: '*', statements: [{ Effect: 'Allow', Action: 'eks-auth:*', Resource: '*' }] }] }));
    expect(d.cause).toBe('not-instance-role');
    expect(d.plan).toEqual([]);
    expect(d.summary).toMatch(/not this node's instance role/);
  });

  it('unknown when the role of the denied session is gone, with everything gathered', () => {
    const d = decide(facts({ instances: [], role: null, roleMissing: 'app', simulation: null }), config());
    expect(d.cause).toBe('unknown');
    expect(d.evidence.map((e) => e.summary)).toContain('role app does not exist');
  });

  it('a truncated encoded message is said so, and the diagnosis carries on from the simulation', () => {
    const f = facts({ denied: denialOf({ explicit: false, policyType: 'identity-based', encodedMessage: true, encodedTruncated: true }), decoded: { status: 'truncated' } });
    const d = decide(f, config());
    expect(d.cause).toBe('missing-permission');
    expect(evidenceText(f)).toMatch(/cut by CloudTrail.*cannot be decoded/);
  });
});

describe('decide: subject', () => {
  it('carries ec2Delivered from the session and merges role and instance tags for the opt-in check', () => {
    const tagged = instance(INSTANCE, { info: { ...instance().info!, tags: { team: 'web' } } });
    const d = decide(facts({ instances: [tagged], role: role('app', { tags: { 'iam-autoheal': 'on' } }), denied: { ...facts().denied, ec2RoleDelivery: null } }), config());
    expect(d.subject).toMatchObject({ ec2Delivered: false, roleName: 'app', action: S3, tags: { team: 'web', 'iam-autoheal': 'on' } });
  });

  it('a launch whose instances all have a working profile is healthy: nothing to fix', () => {
    const d = decide(facts({ incident: { ...facts().incident, kind: 'launch' }, denied: { ...facts().denied, action: null, resource: null, denial: null }, simulation: null }), config());
    expect(d.healthy).toBe(true);
    expect(d.subject.ec2Delivered).toBe(true);
  });
});
