import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../handlers/adapters/simulated/index.ts';
import type { CloudTrailRecord } from '../../../handlers/core/events/records.ts';
import { verify } from '../../../handlers/core/verify.ts';
import { applyAll, diagnoseAndGuard, denialRecord, INSTANCE, launchRecord, OBJECT, OPT_IN, scenario, undoAll, verified, writesOf, EC2_TRUST, READ_CONFIG } from './harness.ts';

const EXAMPLE = 'test/fixtures/scenarios/example-launch-without-profile.json';

describe('no-instance-profile', () => {
  it('the example scenario: associate batch-worker, one EC2 write, no IAM write, verified, idempotent, undoable', async () => {
    const s = parseScenario(JSON.parse(readFileSync(EXAMPLE, 'utf8')), EXAMPLE);
    const run = await diagnoseAndGuard(s, s.events as CloudTrailRecord[]);
    expect(run.diagnosis.cause).toBe('no-instance-profile');
    expect(run.diagnosis.evidence.map((e) => e.summary).join('\n')).toMatch(/expected profile batch-worker, from the configuration baselineInstanceProfile/);
    expect(run.decision.verdict).toBe('apply');
    expect(run.decision.allowed.map((a) => `${a.type} ${a.target} ${String(a.params.profileName)}`)).toEqual(['associate-profile i-0c1d2e3f4a5b6c7d8 batch-worker']);

    expect(await verify(run.account.ports, run.diagnosis, run.incident)).toMatchObject({ verified: false, evidence: [{ summary: 'i-0c1d2e3f4a5b6c7d8 still has no instance profile' }] });
    const applied = await applyAll(run.account.ports, run.decision.allowed);
    expect(writesOf(applied)).toEqual({ iam: 0, ec2: 1 });
    expect(run.account.counters).toMatchObject({ iamWrites: 0, ec2Writes: 1 });
    // Not verified while EC2 is still associating.
    expect(await verified(run)).toBe(false);
    run.account.clock.advance(10);
    expect(await verified(run)).toBe(true);
    expect((await run.account.ports.ec2.describeInstance('i-0c1d2e3f4a5b6c7d8'))?.instanceProfileArn).toBe('arn:aws:iam::210987654321:instance-profile/workloads/batch-worker');
    expect((await run.account.instanceCanCall('i-0c1d2e3f4a5b6c7d8', 'ssm:UpdateInstanceInformation')).role).toBe('batch-worker');

    const again = await applyAll(run.account.ports, run.decision.allowed);
    expect(again.map((a) => a.outcome.result)).toEqual(['already-done']);
    expect(run.account.counters.ec2Writes).toBe(1);

    await undoAll(run.account.ports, applied);
    expect(await run.account.ports.ec2.describeProfileAssociations('i-0c1d2e3f4a5b6c7d8')).not.toContainEqual(expect.objectContaining({ state: 'associated' }));
  });
});

describe('stale-launch-template', () => {
  const template = { id: 'lt-0123', name: 'web', defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }], tags: OPT_IN };
  const instances = [
    { id: INSTANCE, state: 'running', instanceProfile: null, launchTemplate: { id: 'lt-0123', version: '1' }, autoScalingGroup: 'web', tags: OPT_IN },
    { id: 'i-0bbb2222cccc3333d', state: 'running', instanceProfile: null, launchTemplate: { id: 'lt-0123', version: '1' }, autoScalingGroup: 'web', tags: OPT_IN },
  ];
  const records = () => [denialRecord({ errorMessage: null }), denialRecord({ instanceId: 'i-0bbb2222cccc3333d', errorMessage: null })];

  it('fixes the template first (new version, default), then associates the running instances; undo restores the default', async () => {
    const s = scenario({ launchTemplates: [template], autoScalingGroups: [{ name: 'web', launchTemplate: { id: 'lt-0123', version: '$Default' }, tags: OPT_IN }], instances }, { baselineInstanceProfile: 'app' });
    const run = await diagnoseAndGuard(s, records());
    expect(run.diagnosis.cause).toBe('stale-launch-template');
    expect(run.decision.verdict).toBe('await-approval');
    expect(run.diagnosis.plan.map((a) => `${a.type} ${a.target}`)).toEqual([
      'create-launch-template-version lt-0123',
      'set-default-launch-template-version lt-0123',
      `associate-profile ${INSTANCE}`,
      'associate-profile i-0bbb2222cccc3333d',
    ]);

    const applied = await applyAll(run.account.ports, run.decision.allowed);
    const lt = run.account.snapshot().launchTemplates![0]!;
    expect(lt.defaultVersion).toBe(2);
    expect(lt.versions.map((v) => v.number)).toEqual([1, 2]);
    expect(await run.account.ports.ec2.describeLaunchTemplateVersion('lt-0123', '$Default')).toMatchObject({ versionNumber: 2, iamInstanceProfile: { name: 'app' } });
    run.account.clock.advance(10);
    expect(await verified(run)).toBe(true);
    expect((await run.account.instanceCanCall('i-0bbb2222cccc3333d', 's3:GetObject', OBJECT)).allowed).toBe(true);

    const again = await applyAll(run.account.ports, run.decision.allowed);
    expect(again.every((a) => a.outcome.result === 'already-done')).toBe(true);
    expect(writesOf(again)).toEqual({ iam: 0, ec2: 0 });

    await undoAll(run.account.ports, applied);
    expect(await run.account.ports.ec2.describeLaunchTemplateVersion('lt-0123', '$Default')).toMatchObject({ versionNumber: 1, iamInstanceProfile: null });
  });

  it('a group pinned to version 1 is left for a person: the version with the profile is made and the instances fixed, the group untouched', async () => {
    const s = scenario({ launchTemplates: [template], autoScalingGroups: [{ name: 'web', launchTemplate: { id: 'lt-0123', version: '1' }, tags: OPT_IN }], instances }, { baselineInstanceProfile: 'app' });
    const run = await diagnoseAndGuard(s, records());
    expect(run.diagnosis.plan.map((a) => a.type)).toEqual(['create-launch-template-version', 'update-auto-scaling-group', 'associate-profile', 'associate-profile']);
    expect(run.decision.deferred.map((d) => [d.action.type, d.action.target])).toEqual([['update-auto-scaling-group', 'web']]);
    const applied = await applyAll(run.account.ports, run.decision.allowed);
    expect(applied.map((a) => a.action.type)).toEqual(['create-launch-template-version', 'associate-profile', 'associate-profile']);
    expect(await run.account.ports.ec2.describeLaunchTemplateVersion('lt-0123', '$Latest')).toMatchObject({ versionNumber: 2, iamInstanceProfile: { name: 'app' } });
    expect(await run.account.ports.autoScaling.describeGroup('web')).toMatchObject({ launchTemplate: { id: 'lt-0123', version: '1' } });
    await undoAll(run.account.ports, applied);
    expect(run.account.snapshot().launchTemplates![0]!.versions.map((v) => v.number)).toEqual([1]);
  });
});

describe('profile-without-role', () => {
  it('adds the role of the denied session back to the empty profile; undo empties it again', async () => {
    const s = scenario({ instanceProfiles: [{ name: 'app', roles: [] }] }, { modes: { 'profile-without-role': 'auto' } });
    const run = await diagnoseAndGuard(s, [denialRecord()]);
    expect(run.diagnosis.cause).toBe('profile-without-role');
    expect(run.decision.verdict).toBe('apply');
    const applied = await applyAll(run.account.ports, run.decision.allowed);
    expect(await run.account.ports.iam.getInstanceProfile('app')).toMatchObject({ roles: ['app'] });
    expect(await verified(run)).toBe(true);
    expect((await applyAll(run.account.ports, run.decision.allowed))[0]!.outcome.result).toBe('already-done');
    await undoAll(run.account.ports, applied);
    expect(await run.account.ports.iam.getInstanceProfile('app')).toMatchObject({ roles: [] });
  });
});

describe('profile-without-role: verified only when EC2 may assume the role added', () => {
  it('a role added to the profile whose trust does not let EC2 assume it is not "fixed": verify says why', async () => {
    const lambdaOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const s = scenario({ roles: [{ name: 'app', trustPolicy: lambdaOnly, tags: OPT_IN }], instanceProfiles: [{ name: 'app', roles: [] }] }, { modes: { 'profile-without-role': 'auto' } });
    const run = await diagnoseAndGuard(s, [denialRecord()]);
    expect(run.diagnosis.plan.map((a) => a.type)).toEqual(['add-role-to-profile']);
    await applyAll(run.account.ports, run.decision.allowed);
    run.account.clock.advance(30);
    const result = await verify(run.account.ports, run.diagnosis, run.incident);
    expect(result.verified).toBe(false);
    expect(result.evidence.map((e) => e.summary)).toContain('profile app holds app, whose trust policy does not let ec2.amazonaws.com assume it');
    // Once EC2 may assume it, the same check passes.
    await run.account.ports.iam.updateAssumeRolePolicy('app', EC2_TRUST);
    run.account.clock.advance(30);
    expect((await verify(run.account.ports, run.diagnosis, run.incident)).evidence.map((e) => e.summary)).toContain('profile app holds app, whose trust policy lets ec2.amazonaws.com assume it');
  });
});

describe('launch incidents never take the launcher for the instance role', () => {
  it("an empty profile gets the role named like it, not the operator's role that ran RunInstances", async () => {
    const doc = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    doc.account.roles.push({ name: 'operators', trustPolicy: EC2_TRUST, tags: OPT_IN });
    doc.account.instanceProfiles[0].roles = [];
    doc.account.instances[0].instanceProfile = 'batch-worker';
    doc.config.modes['profile-without-role'] = 'auto';
    const s = parseScenario(doc, EXAMPLE);
    const run = await diagnoseAndGuard(s, s.events as CloudTrailRecord[]);
    expect(run.diagnosis.cause).toBe('profile-without-role');
    expect(run.diagnosis.plan).toEqual([expect.objectContaining({ type: 'add-role-to-profile', target: 'batch-worker', params: { roleName: 'batch-worker' } })]);
    expect(run.diagnosis.subject.roleName).not.toBe('operators');
  });
});

describe('stale-credentials', () => {
  it('denied as the old role while the profile now holds an allowed one: replace the association in place, never disassociate', async () => {
    const s = scenario({
      roles: [
        { name: 'old-app', trustPolicy: EC2_TRUST, tags: OPT_IN },
        { name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { 'read-config': READ_CONFIG }, tags: OPT_IN },
      ],
      instances: [{ id: INSTANCE, state: 'running', instanceProfile: 'app', credentialsRole: 'old-app', tags: OPT_IN }],
    });
    const run = await diagnoseAndGuard(s, [denialRecord({ role: 'old-app' })]);
    expect(run.diagnosis.cause).toBe('stale-credentials');
    expect(run.decision.verdict).toBe('apply');
    expect((await run.account.instanceCanCall(INSTANCE, 's3:GetObject', OBJECT)).role).toBe('old-app');

    const applied = await applyAll(run.account.ports, run.decision.allowed);
    expect(run.account.calls.map((c) => c.api)).not.toContain('DisassociateIamInstanceProfile');
    run.account.clock.advance(10);
    expect(await run.account.instanceCanCall(INSTANCE, 's3:GetObject', OBJECT)).toMatchObject({ allowed: true, role: 'app' });
    expect(await verified(run)).toBe(true);

    const again = await applyAll(run.account.ports, run.decision.allowed);
    expect(again[0]!.outcome.result).toBe('already-done');
    expect(run.account.counters.ec2Writes).toBe(1);
    expect(await undoAll(run.account.ports, applied)).toEqual([expect.stringMatching(/already has app; nothing to restore/)]);
  });
});

describe('per instance: unrelated instances of one incident each get their own profile and template repair', () => {
  const SECOND = 'i-0bbb2222cccc3333d';
  const roles = [
    { name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN },
    { name: 'reports', trustPolicy: EC2_TRUST, tags: OPT_IN },
  ];
  const profiles = [{ name: 'app', roles: ['app'] }, { name: 'reports', roles: ['reports'] }];
  const template = (id: string) => ({ id, name: id, defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }], tags: OPT_IN });

  it('two instances launched together, tagged for different profiles: each is associated with its own, never the first one\'s', async () => {
    const instances = [
      { id: INSTANCE, state: 'running', instanceProfile: null, tags: { ...OPT_IN, 'iam-autoheal:profile': 'app' } },
      { id: SECOND, state: 'running', instanceProfile: null, tags: { ...OPT_IN, 'iam-autoheal:profile': 'reports' } },
    ];
    const s = scenario({ roles, instanceProfiles: profiles, instances }, { allowedInstanceProfiles: ['app', 'reports'] });
    const run = await diagnoseAndGuard(s, [launchRecord([INSTANCE, SECOND])]);
    expect(run.incident.instanceIds).toEqual([INSTANCE, SECOND]);
    expect(run.diagnosis.plan.map((a) => `${a.type} ${a.target} ${String(a.params.profileName)}`)).toEqual([`associate-profile ${INSTANCE} app`, `associate-profile ${SECOND} reports`]);
    expect(run.decision.verdict).toBe('apply');
    await applyAll(run.account.ports, run.decision.allowed);
    run.account.clock.advance(10);
    expect(await verified(run)).toBe(true);
    expect((await run.account.instanceCanCall(SECOND, 'sts:GetCallerIdentity')).role).toBe('reports');
    expect((await run.account.instanceCanCall(INSTANCE, 'sts:GetCallerIdentity')).role).toBe('app');
  });

  it('two instances holding different broken profiles: each profile is repaired from its own chain, never the first one\'s', async () => {
    const LOST_EC2 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const account = {
      roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN }, { name: 'reports', trustPolicy: LOST_EC2, tags: OPT_IN }],
      // app is empty (its role is named like it); reports holds a role that no longer lets EC2 assume it.
      instanceProfiles: [{ name: 'app', roles: [] }, { name: 'reports', roles: ['reports'] }],
      instances: [
        { id: INSTANCE, state: 'running', instanceProfile: 'app', associatedAt: '2026-10-01T00:00:00Z', tags: OPT_IN },
        { id: SECOND, state: 'running', instanceProfile: 'reports', associatedAt: '2026-10-01T00:00:00Z', tags: OPT_IN },
      ],
    };
    const s = scenario(account, { allowedInstanceProfiles: ['app', 'reports'], modes: { 'profile-without-role': 'auto', 'trust-missing-ec2': 'auto' } });
    const run = await diagnoseAndGuard(s, [launchRecord([INSTANCE, SECOND])]);
    expect(run.diagnosis.cause).toBe('profile-without-role');
    expect(run.diagnosis.alsoCauses).toEqual(['trust-missing-ec2']);
    expect(run.diagnosis.plan.map((a) => `${a.type} ${a.target} ${String(a.params.roleName ?? '')}`)).toEqual(['add-role-to-profile app app', 'merge-trust reports ']);
    expect(run.diagnosis.summary).toMatch(/profile app of i-0aaa1111bbbb2222c holds no role: add app \(the role named like the profile\)/);
    expect(run.diagnosis.summary).toMatch(/the trust policy of reports does not let ec2\.amazonaws\.com assume it.*\(profile reports of i-0bbb2222cccc3333d\)/);
    // Each handout carries its own evidence of what suggested and what authorizes it.
    const authorizations = run.diagnosis.evidence.filter((e) => e.kind === 'authorization').map((e) => e.summary);
    expect(authorizations).toEqual([expect.stringMatching(/^profile app \(role app\): suggested by a role named like the profile/), expect.stringMatching(/^profile reports \(role reports\): suggested by profile reports, which i-0bbb2222cccc3333d uses/)]);
    expect(run.decision.verdict).toBe('apply');
    await applyAll(run.account.ports, run.decision.allowed);
    run.account.clock.advance(10);
    expect(await verified(run)).toBe(true);
    expect((await run.account.instanceCanCall(INSTANCE, 'sts:GetCallerIdentity')).role).toBe('app');
    expect((await run.account.instanceCanCall(SECOND, 'sts:GetCallerIdentity')).role).toBe('reports');
  });

  it('a plan repairing two causes runs in the stricter of their modes', async () => {
    const account = {
      roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN }, { name: 'reports', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, tags: OPT_IN }],
      instanceProfiles: [{ name: 'app', roles: [] }, { name: 'reports', roles: ['reports'] }],
      instances: [
        { id: INSTANCE, state: 'running', instanceProfile: 'app', associatedAt: '2026-10-01T00:00:00Z', tags: OPT_IN },
        { id: SECOND, state: 'running', instanceProfile: 'reports', associatedAt: '2026-10-01T00:00:00Z', tags: OPT_IN },
      ],
    };
    const s = scenario(account, { allowedInstanceProfiles: ['app', 'reports'], modes: { 'profile-without-role': 'auto', 'trust-missing-ec2': 'approve' } });
    const run = await diagnoseAndGuard(s, [launchRecord([INSTANCE, SECOND])]);
    expect(run.decision).toMatchObject({ verdict: 'await-approval', mode: 'approve' });
    expect(run.decision.reason).toMatch(/Mode for profile-without-role and trust-missing-ec2 \(the strictest of their modes\) is approve/);
  });

  it('two empty profiles: each gets its own role back', async () => {
    const account = {
      roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN }, { name: 'reports', trustPolicy: EC2_TRUST, tags: OPT_IN }],
      instanceProfiles: [{ name: 'app', roles: [] }, { name: 'reports', roles: [] }],
      instances: [
        { id: INSTANCE, state: 'running', instanceProfile: 'app', associatedAt: '2026-10-01T00:00:00Z', tags: OPT_IN },
        { id: SECOND, state: 'running', instanceProfile: 'reports', associatedAt: '2026-10-01T00:00:00Z', tags: OPT_IN },
      ],
    };
    const s = scenario(account, { allowedInstanceProfiles: ['app', 'reports'], modes: { 'profile-without-role': 'auto' } });
    const run = await diagnoseAndGuard(s, [launchRecord([INSTANCE, SECOND])]);
    expect(run.diagnosis.plan.map((a) => `${a.type} ${a.target} ${String(a.params.roleName)}`)).toEqual(['add-role-to-profile app app', 'add-role-to-profile reports reports']);
    expect(run.diagnosis.alsoCauses).toBeUndefined();
    await applyAll(run.account.ports, run.decision.allowed);
    run.account.clock.advance(10);
    expect(await verified(run)).toBe(true);
    expect(run.account.snapshot().instanceProfiles!.map((p) => [p.name, p.roles])).toEqual([['app', ['app']], ['reports', ['reports']]]);
  });

  it('every broken launch template of the incident is repaired, each with its instances\' profile', async () => {
    const instances = [
      { id: INSTANCE, state: 'running', instanceProfile: null, launchTemplate: { id: 'lt-0aaa', version: '1' }, tags: { ...OPT_IN, 'iam-autoheal:profile': 'app' } },
      { id: SECOND, state: 'running', instanceProfile: null, launchTemplate: { id: 'lt-0bbb', version: '1' }, tags: { ...OPT_IN, 'iam-autoheal:profile': 'reports' } },
    ];
    const s = scenario({ roles, instanceProfiles: profiles, instances, launchTemplates: [template('lt-0aaa'), template('lt-0bbb')] }, { allowedInstanceProfiles: ['app', 'reports'], modes: { 'stale-launch-template': 'auto' } });
    const run = await diagnoseAndGuard(s, [launchRecord([INSTANCE, SECOND])]);
    expect(run.diagnosis.cause).toBe('stale-launch-template');
    expect(run.diagnosis.plan.map((a) => `${a.type} ${a.target} ${String(a.params.profileName)}`)).toEqual([
      'create-launch-template-version lt-0aaa app', 'set-default-launch-template-version lt-0aaa app',
      'create-launch-template-version lt-0bbb reports', 'set-default-launch-template-version lt-0bbb reports',
      `associate-profile ${INSTANCE} app`, `associate-profile ${SECOND} reports`,
    ]);
    await applyAll(run.account.ports, run.decision.allowed);
    const defaults = Object.fromEntries(run.account.snapshot().launchTemplates!.map((t) => [t.id, t.versions.find((v) => v.number === t.defaultVersion)!.iamInstanceProfile]));
    expect(defaults).toEqual({ 'lt-0aaa': 'app', 'lt-0bbb': 'reports' });
  });
});
