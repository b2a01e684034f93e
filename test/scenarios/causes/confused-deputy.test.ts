/**
 * Never the confused deputy: values a less-privileged principal controls (instance tags, launch template data,
 * group settings, event fields, session names) may suggest a profile or role, never authorize one; a
 * privileged role is never handed out. Each attacker-controllable source, against the simulated account.
 */
import { describe, expect, it } from 'vitest';
import { applyAll, denialRecord, diagnoseAndGuard, EC2_TRUST, INSTANCE, launchRecord, OPT_IN, scenario, type Run } from './harness.ts';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const SSM_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
const AUTO = { 'no-instance-profile': 'auto', 'stale-launch-template': 'auto', 'trust-missing-ec2': 'auto', 'profile-without-role': 'auto', 'stale-credentials': 'auto' };

/** "app" (opt-in tagged, ordinary), "ops-admin" (AdministratorAccess, even opt-in tagged), "reports" (ordinary, not authorized). */
const ROLES = [
  { name: 'app', trustPolicy: EC2_TRUST, managedPolicies: [SSM_CORE], tags: OPT_IN },
  { name: 'ops-admin', trustPolicy: EC2_TRUST, managedPolicies: [ADMIN], tags: OPT_IN },
  { name: 'reports', trustPolicy: EC2_TRUST, managedPolicies: [SSM_CORE], tags: {} },
];
const PROFILES = [{ name: 'app', roles: ['app'] }, { name: 'ops-admin', roles: ['ops-admin'] }, { name: 'reports', roles: ['reports'] }];

function bare(tags: Record<string, string>, over: Record<string, unknown> = {}) {
  return { id: INSTANCE, state: 'running', instanceProfile: null, tags: { ...OPT_IN, ...tags }, ...over };
}

async function launched(instances: unknown[], account: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<Run> {
  const s = scenario({ roles: ROLES, instanceProfiles: PROFILES, instances, ...account }, { modes: AUTO, ...config });
  return diagnoseAndGuard(s, [launchRecord([INSTANCE])]);
}

/** Nothing the guard let through may change the account: apply it and compare. */
async function expectNoChange(run: Run): Promise<void> {
  const before = run.account.snapshot();
  await applyAll(run.account.ports, run.decision.allowed);
  expect(run.account.snapshot()).toEqual(before);
  expect(run.account.counters).toMatchObject({ iamWrites: 0, ec2Writes: 0 });
}

const evidence = (run: Run) => run.diagnosis.evidence.map((e) => e.summary).join('\n');

describe('instance tag iam-autoheal:profile (set by whoever launches or tags the instance)', () => {
  it('naming an admin profile: refused in auto mode, the statement that makes it privileged named, nothing changed', async () => {
    const run = await launched([bare({ 'iam-autoheal:profile': 'ops-admin' })]);
    expect(run.diagnosis.plan).toEqual([expect.objectContaining({ type: 'associate-profile', params: { profileName: 'ops-admin' } })]);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.reason).toMatch(/profile ops-admin \(role ops-admin\) is privileged — arn:aws:iam::aws:policy\/AdministratorAccess is an AWS managed administrator policy/);
    expect(evidence(run)).toMatch(/profile ops-admin \(role ops-admin\): suggested by tag iam-autoheal:profile on i-0aaa1111bbbb2222c; authorized by tag iam-autoheal=on on role ops-admin; privileged/);
    await expectNoChange(run);
  });

  it('naming an ordinary profile nothing authorizes: escalated with the suggestion as evidence', async () => {
    const run = await launched([bare({ 'iam-autoheal:profile': 'reports' })]);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.reason).toMatch(/profile reports \(role reports\) is only suggested \(by tag iam-autoheal:profile on i-0aaa1111bbbb2222c\) and nothing an IAM administrator controls authorizes it/);
    await expectNoChange(run);
  });

  it('the documented way to authorize it: allowedInstanceProfiles names the profile, and it is associated', async () => {
    const run = await launched([bare({ 'iam-autoheal:profile': 'reports' })], {}, { allowedInstanceProfiles: ['report*'] });
    expect(run.decision.verdict).toBe('apply');
    expect(evidence(run)).toMatch(/authorized by configuration allowedInstanceProfiles "report\*"/);
    await applyAll(run.account.ports, run.decision.allowed);
    expect(run.account.counters.ec2Writes).toBe(1);
  });

  it('configuration cannot make a privileged role acceptable: a baseline or allowed admin profile is still refused', async () => {
    const run = await launched([bare({})], {}, { baselineInstanceProfile: 'ops-admin', allowedInstanceProfiles: ['*'] });
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.reason).toMatch(/privileged/);
    await expectNoChange(run);
  });
});

describe('launch template data (a template version needs no iam:PassRole; launching from it does)', () => {
  const templates = [{ id: 'lt-0123', name: 'web', defaultVersion: 2, versions: [{ number: 1, iamInstanceProfile: null }, { number: 2, iamInstanceProfile: 'ops-admin' }], tags: OPT_IN }];
  const group = [{ name: 'web', launchTemplate: { id: 'lt-0123', version: '$Default' }, tags: OPT_IN }];

  it('a default version naming an admin profile, made by someone who cannot pass that role, is not propagated to the instances', async () => {
    const instance = bare({ 'aws:autoscaling:groupName': 'web' }, { launchTemplate: { id: 'lt-0123', version: '1' }, autoScalingGroup: 'web' });
    const run = await launched([instance], { launchTemplates: templates, autoScalingGroups: group });
    expect(run.diagnosis.plan.map((a) => `${a.type} ${String(a.params.profileName)}`)).toEqual(['associate-profile ops-admin']);
    expect(evidence(run)).toMatch(/suggested by Auto Scaling group web → lt-0123 \(web\) version 2/);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.reason).toMatch(/AdministratorAccess/);
    await expectNoChange(run);
  });

  it('a template repair never writes a suggested profile into a new version: the tag-named profile is refused before the template is touched', async () => {
    const broken = [{ id: 'lt-0123', name: 'web', defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }], tags: OPT_IN }];
    const instance = bare({ 'iam-autoheal:profile': 'reports' }, { launchTemplate: { id: 'lt-0123', version: '1' } });
    const run = await launched([instance], { launchTemplates: broken });
    expect(run.diagnosis.plan.map((a) => a.type)).toEqual(['create-launch-template-version', 'set-default-launch-template-version', 'associate-profile']);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.refused.map((r) => r.action.type)).toEqual(['create-launch-template-version', 'set-default-launch-template-version', 'associate-profile']);
    await expectNoChange(run);
  });
});

describe('trust merge: a privileged role that does not trust EC2, held by a profile an attacker could launch with', () => {
  it('EC2 is never merged into the trust of an admin role, even with the role opt-in tagged', async () => {
    const noEc2 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] };
    const roles = [{ name: 'ops-admin', trustPolicy: noEc2, managedPolicies: [ADMIN], tags: OPT_IN }];
    const instance = { id: INSTANCE, state: 'running', instanceProfile: 'ops-admin', associatedAt: '2026-10-02T07:59:00Z', tags: OPT_IN };
    const run = await launched([instance], { roles, instanceProfiles: [{ name: 'ops-admin', roles: ['ops-admin'] }] });
    expect(run.diagnosis.cause).toBe('trust-missing-ec2');
    expect(run.diagnosis.plan.map((a) => `${a.type} ${a.target}`)).toEqual(['merge-trust ops-admin']);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.reason).toMatch(/role ops-admin\) is privileged — arn:aws:iam::aws:policy\/AdministratorAccess/);
    await expectNoChange(run);
  });

  it('an ordinary role without EC2 trust and without authority: suggested by the profile in use, refused', async () => {
    const noEc2 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const roles = [{ name: 'reports', trustPolicy: noEc2, managedPolicies: [SSM_CORE], tags: {} }];
    const instance = { id: INSTANCE, state: 'running', instanceProfile: 'reports', associatedAt: '2026-10-02T07:59:00Z', tags: OPT_IN };
    const run = await launched([instance], { roles, instanceProfiles: [{ name: 'reports', roles: ['reports'] }] });
    expect(run.decision.verdict).toBe('observe');
    expect(run.decision.reason).toMatch(/role reports is not tagged iam-autoheal=on/);
    await expectNoChange(run);
  });
});

describe('event fields and session names: the denied session names the role put into an empty profile', () => {
  it('a privileged role named by the denied session is never added to a profile', async () => {
    const inline = { Version: '2012-10-17', Statement: [{ Sid: 'Anything', Effect: 'Allow', Action: 'iam:*', Resource: '*' }] };
    const roles = [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { everything: inline }, tags: OPT_IN }];
    const instances = [{ id: INSTANCE, state: 'running', instanceProfile: 'app', associatedAt: '2026-10-01T00:00:00Z', tags: OPT_IN }];
    const s = scenario({ roles, instanceProfiles: [{ name: 'app', roles: [] }], instances }, { modes: AUTO, allowedInstanceProfiles: ['app'] });
    const run = await diagnoseAndGuard(s, [denialRecord()]);
    expect(run.diagnosis.plan.map((a) => `${a.type} ${a.target} ${String(a.params.roleName)}`)).toEqual(['add-role-to-profile app app']);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.reason).toMatch(/inline policy everything statement 1 \(Anything\) allows the IAM write "iam:\*" on "\*"/);
    await expectNoChange(run);
  });
});

describe('stale credentials: a refresh replaces the association with the same profile', () => {
  it('authorized by the current association, but never for a privileged role', async () => {
    const denied = denialRecord({ role: 'old-admin' });
    const roles = [{ name: 'ops-admin', trustPolicy: EC2_TRUST, managedPolicies: [ADMIN], tags: OPT_IN }, { name: 'old-admin', trustPolicy: EC2_TRUST, tags: OPT_IN }];
    const instance = { id: INSTANCE, state: 'running', instanceProfile: 'ops-admin', associatedAt: '2026-09-01T00:00:00Z', tags: OPT_IN, credentialsRole: 'old-admin' };
    const s = scenario({ roles, instanceProfiles: [{ name: 'ops-admin', roles: ['ops-admin'] }], instances: [instance] }, { modes: AUTO });
    const run = await diagnoseAndGuard(s, [denied]);
    expect(run.diagnosis.cause).toBe('stale-credentials');
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.reason).toMatch(/privileged/);
    await expectNoChange(run);
  });
});
