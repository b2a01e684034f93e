/**
 * Every built-in scenario of the demo, end to end: intake, the real ASL in the local interpreter, the
 * real handlers, the simulated account. Each ends as its `expected` block says, and the final account
 * is what a person would check after the incident.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, SimulatedAccount, type Scenario } from '../../handlers/adapters/simulated/index.ts';
import { builtinScenarioFiles, compareWithExpected, type Expected } from '../../handlers/cli/demo.ts';
import { accountAfterRun } from '../../handlers/cli/replay.ts';
import { runScenario, type SimulationReport } from '../../handlers/local/run-scenario.ts';

const FILES = builtinScenarioFiles();

interface Run {
  scenario: Scenario;
  report: SimulationReport;
  /** The account as the run left it, to ask what an instance can do now. */
  after: SimulatedAccount;
  account: Account;
  /** The account before the run, in the same shape. */
  initial: Account;
}

// The snapshot's shape (the scenario's account shape), loosely typed for assertions.
interface Account {
  roles: Array<{ name: string; trustPolicy: { Statement: Array<Record<string, unknown>> }; managedPolicies: Array<string | { arn: string }>; inlinePolicies: Record<string, unknown> }>;
  instanceProfiles: Array<{ name: string; roles: string[] }>;
  instances: Array<{ id: string; instanceProfile: string | { name: string } | { arn: string } | null; launchTemplate: { id: string; version: string } | null }>;
  launchTemplates: Array<{ id: string; defaultVersion: number; versions: Array<{ number: number; iamInstanceProfile: unknown }> }>;
  policies: unknown[];
}

const runs = new Map<string, Promise<Run>>();

/** Each scenario runs once, whichever test asks first. */
function run(name: string): Promise<Run> {
  let pending = runs.get(name);
  if (!pending) {
    pending = (async () => {
      const file = FILES.find((f) => basename(f, '.json') === name);
      if (!file) throw new Error(`no built-in scenario ${name}`);
      const scenario = loadScenarioFile(file);
      const initial = new SimulatedAccount(scenario).snapshot() as unknown as Account;
      const report = await runScenario(scenario);
      const after = accountAfterRun(scenario, report);
      // Past the propagation window: what an instance experiences once IAM has caught up.
      after.clock.advance(scenario.physics.propagationSeconds + 1);
      return { scenario, report, after, account: report.account as Account, initial };
    })();
    runs.set(name, pending);
  }
  return pending;
}

function profileName(ref: Account['instances'][number]['instanceProfile']): string | null {
  if (ref === null) return null;
  if (typeof ref === 'string') return ref.split('/').pop()!;
  return 'name' in ref ? ref.name : ref.arn.split('/').pop()!;
}

function role(account: Account, name: string) {
  const found = account.roles.find((r) => r.name === name);
  if (!found) throw new Error(`role ${name} not in the account`);
  return found;
}

const policyArns = (r: Account['roles'][number]) => r.managedPolicies.map((p) => (typeof p === 'string' ? p : p.arn));
const iamSide = (a: Account) => ({ roles: a.roles, instanceProfiles: a.instanceProfiles, policies: a.policies });
const notificationsText = (report: SimulationReport) => JSON.stringify(report.notifications);

describe('the built-in scenarios are made from real CloudTrail records', () => {
  it('each file is exactly what the generator scripts write from test/fixtures/cloudtrail', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const out = mkdtempSync(join(tmpdir(), 'scenarios-'));
    for (const script of ['make-storm-scenarios.ts', 'make-incident-scenarios.ts', 'make-escalation-scenarios.ts', 'make-mixed-scenarios.ts', 'make-adversarial-scenarios.ts', 'make-drift-scenarios.ts']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', script), out], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(readdirSync(out).sort()).toEqual(FILES.map((f) => basename(f)));
    for (const file of FILES) expect(readFileSync(join(out, basename(file)), 'utf8'), basename(file)).toBe(readFileSync(file, 'utf8'));
  });
});

describe('every built-in scenario ends as its expected block says', () => {
  it('there is at least one scenario per cause the demo promises', () => {
    const causes = new Set(FILES.flatMap((f) => {
      const expected = loadScenarioFile(f).expected as Expected;
      return (expected.byIncident ?? [expected]).map((e) => e.cause);
    }));
    for (const cause of ['no-instance-profile', 'profile-without-role', 'trust-missing-ec2', 'missing-permission', 'stale-credentials', 'propagation-delay', 'throttling', 'stale-launch-template', 'organization-policy', 'explicit-deny', 'permissions-boundary', 'resource-policy', 'vpc-endpoint-policy', 'not-instance-role', 'incident-response']) {
      expect(causes, cause).toContain(cause);
    }
  });

  it.each(FILES.map((f) => basename(f, '.json')))('%s', async (name) => {
    const { scenario, report, account, initial } = await run(name);
    const expected = scenario.expected as Expected;
    for (const outcome of expected.byIncident ?? [expected]) {
      expect(outcome, 'every built-in scenario states its expected outcome').toMatchObject({ cause: expect.any(String), status: expect.any(String) });
    }
    expect(expected.writes).toEqual({ iam: expect.any(Number), ec2: expect.any(Number) });
    expect(compareWithExpected(report, expected)).toEqual([]);
    // A person's change while an approval waits (`meanwhile`) is theirs; the service's own are checked in recheck.test.ts.
    const personChanged = Array.isArray(scenario.approvals) && scenario.approvals.some((a) => (a.meanwhile ?? []).length > 0);
    if (expected.writes?.iam === 0 && !personChanged) expect(iamSide(account), 'no IAM write: roles, profiles and policies are as they were').toEqual(iamSide(initial));
    // One notification per incident state change, never one per event.
    expect(report.notifications.length).toBeLessThanOrEqual(report.incidents.length * 3);
  });
});

describe('the final account is what a person checks after the incident', () => {
  it('scale-out storm: 400 denials became one incident and one attach-policy; all 40 instances can read the secret', async () => {
    const { report, account, after, scenario } = await run('scale-out-storm-policy-detached');
    expect(report.incidents).toHaveLength(1);
    expect(report.incidents[0]!.events).toBe(400);
    expect(report.api.iamWrites).toBe(1);
    const declared = 'arn:aws:iam::111122223333:policy/orders-api-secrets-read';
    expect(policyArns(role(account, 'orders-api')).filter((arn) => arn === declared)).toHaveLength(1);
    const secret = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/prod/db-credentials-Xk29Qa';
    const instances = (scenario.account.instances as Array<{ id: string }>).map((i) => i.id);
    expect(instances).toHaveLength(40);
    for (const id of instances) expect((await after.instanceCanCall(id, 'secretsmanager:GetSecretValue', secret)).allowed, id).toBe(true);
  });

  it('busy hour: three root causes in one stream became three incidents, each handled on its own terms', async () => {
    const { report, account, initial, after } = await run('busy-hour-three-root-causes');
    expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['missing-permission', 'fixed'], ['no-instance-profile', 'fixed'], ['missing-permission', 'escalated']]);
    expect(policyArns(role(account, 'checkout'))).toContain('arn:aws:iam::242424242424:policy/checkout-config-read');
    const launchedWithout = new Set(initial.instances.filter((i) => i.instanceProfile === null).map((i) => i.id));
    expect(launchedWithout.size).toBe(3);
    expect(account.instances.filter((i) => launchedWithout.has(i.id)).map((i) => profileName(i.instanceProfile))).toEqual(['search-indexer', 'search-indexer', 'search-indexer']);
    expect(role(account, 'marketing-site')).toEqual(role(initial, 'marketing-site'));
    const marketing = account.instances.at(-1)!.id;
    expect((await after.instanceCanCall(marketing, 'iam:CreateUser', 'arn:aws:iam::242424242424:user/svc-sync')).allowed).toBe(false);
  });

  it('launch template: a new default version carries the profile, old versions are untouched, running instances are associated', async () => {
    const { account, initial } = await run('launch-template-without-profile');
    const [template] = account.launchTemplates;
    const newest = template!.versions.find((v) => v.number === template!.defaultVersion)!;
    expect(template!.defaultVersion).toBe(4);
    expect(profileName(newest.iamInstanceProfile as never)).toBe('web-frontend');
    expect(template!.versions.filter((v) => v.number <= 3)).toEqual(initial.launchTemplates[0]!.versions);
    const scaledOut = account.instances.filter((i) => i.launchTemplate?.version === '3');
    expect(scaledOut).toHaveLength(8);
    for (const instance of account.instances) expect(profileName(instance.instanceProfile), instance.id).toBe('web-frontend');
  });

  it('launch without profile: both workers now have the baseline profile', async () => {
    const { account } = await run('launch-without-profile');
    expect(account.instances.map((i) => profileName(i.instanceProfile))).toEqual(['reporting-worker', 'reporting-worker']);
  });

  it('broken trust: EC2 may assume the role again and the audit statement is still there, unchanged', async () => {
    const { account, scenario, after } = await run('trust-policy-lost-ec2');
    const statements = role(account, 'reports-api').trustPolicy.Statement;
    expect(statements[0]).toEqual((scenario.expected as { keptStatement: unknown }).keptStatement);
    expect(statements.some((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'ec2.amazonaws.com' }) && s.Effect === 'Allow' && !s.Condition)).toBe(true);
    const launched = account.instances.at(-1)!.id;
    expect((await after.instanceCredentials(launched)).held?.roleName).toBe('reports-api');
  });

  it('profile without role: the removed role is back in the profile and the new instances get its credentials', async () => {
    const { account, after } = await run('profile-without-role');
    expect(account.instanceProfiles).toEqual([expect.objectContaining({ name: 'etl-runner', roles: ['etl-runner'] })]);
    for (const { id } of account.instances) expect((await after.instanceCredentials(id)).held?.roleName, id).toBe('etl-runner');
  });

  it('stale credentials: every instance of the incident calls with the new role, through a replaced association', async () => {
    const { account, after } = await run('stale-credentials');
    const table = 'arn:aws:glue:eu-north-1:888899990000:table/analytics/events_daily';
    for (const { id } of account.instances) {
      const outcome = await after.instanceCanCall(id, 'glue:GetTable', table);
      expect({ id, role: outcome.role, allowed: outcome.allowed }).toEqual({ id, role: 'analytics-worker-v2', allowed: true });
    }
  });

  it('propagation: nothing changed, and the agent can describe tags once IAM caught up', async () => {
    const { report, after, account } = await run('propagation-delay');
    expect(report.api.iamWrites + report.api.ec2Writes).toBe(0);
    for (const { id } of account.instances) expect((await after.instanceCanCall(id, 'ec2:DescribeTags')).allowed, id).toBe(true);
  });

  it('throttling and faults: every worker has the profile with exactly one association each (12 EC2 writes for 12 instances)', async () => {
    const { report, account } = await run('throttling-and-faults');
    expect(report.api.throttled).toBeGreaterThan(0);
    expect(report.timeline.filter((e) => e.text.includes('IncorrectState')).length).toBeGreaterThan(0);
    expect(account.instances).toHaveLength(12);
    for (const instance of account.instances) expect(profileName(instance.instanceProfile), instance.id).toBe('batch-worker');
    expect(report.api.ec2Writes).toBe(account.instances.length);
  });

  it('IAM throttling: backed off and verified, nothing granted', async () => {
    const { report } = await run('iam-throttling-storm');
    expect(report.api.throttled).toBeGreaterThan(0);
    // The diagnosis's own throttled reads were retried, not taken for the cause: the storm of bare denials is.
    expect(report.timeline.find((e) => e.step === 'Diagnose')!.text).toMatch(/120 denials while the policies allow/);
    expect(report.incidents[0]!.status).toBe('verified-no-change');
  });

  it('diagnosis without the simulator: decided from the documents, approved by a person in auto mode, the declared policy attached', async () => {
    const { account, report } = await run('diagnosis-without-simulator');
    expect(policyArns(role(account, 'log-forwarder'))).toContain('arn:aws:iam::565656565656:policy/log-forwarder-write-logs');
    expect(report.timeline.find((e) => e.step === 'Guard')!.text).toMatch(/is auto, but the cause was decided from the role's documents without the policy simulator/);
    expect(notificationsText(report)).toContain('simulation unavailable (AccessDenied');
  });

  it('SCP explicit deny: escalated, and the notification names the SCP', async () => {
    const { report } = await run('scp-explicit-deny');
    expect(notificationsText(report)).toContain('p-q7r8s9t0');
    expect(notificationsText(report)).toMatch(/service[- ]control/i);
  });

  it('attacker: iam:CreateUser and iam:AttachUserPolicy stay denied; the role got nothing', async () => {
    const { after, account, initial } = await run('attacker-create-user');
    expect(role(account, 'web-public')).toEqual(role(initial, 'web-public'));
    const instance = account.instances[0]!.id;
    expect((await after.instanceCanCall(instance, 'iam:CreateUser', 'arn:aws:iam::343434343434:user/backup-admin')).allowed).toBe(false);
    expect((await after.instanceCanCall(instance, 'iam:AttachUserPolicy', 'arn:aws:iam::343434343434:user/backup-admin')).allowed).toBe(false);
  });

  it('confused deputy: the admin profile an instance tag asks for is never associated; the notification says why', async () => {
    const { account, report } = await run('confused-deputy-admin-profile');
    expect(account.instances.map((i) => i.instanceProfile)).toEqual([null]);
    const text = notificationsText(report);
    expect(text).toContain('arn:aws:iam::aws:policy/AdministratorAccess is an AWS managed administrator policy');
    expect(text).toMatch(/suggested by tag iam-autoheal:profile on i-/);
    expect(report.notifications.map((n) => n.status)).toContain('escalated');
  });

  it('incident response: the policy a responder detached stays detached; the notification names who detached it', async () => {
    const { account, report } = await run('responder-detach-respected');
    expect(policyArns(role(account, 'payments-worker'))).not.toContain('arn:aws:iam::717171717171:policy/payments-secrets-read');
    expect(notificationsText(report)).toMatch(/responder\.ana called DetachRolePolicy on payments-worker/);
  });

  it('observe mode: the instance still has no profile, and the notification says nothing was changed', async () => {
    const { account, report } = await run('observe-mode');
    expect(account.instances.map((i) => i.instanceProfile)).toEqual([null]);
    expect(report.notifications.map((n) => n.status)).toContain('observed');
  });

  it('undeclared permission: nothing granted; the notification carries the least-privilege proposal, not applied', async () => {
    const { report, after, account } = await run('undeclared-permission-proposal');
    const text = notificationsText(report);
    expect(text).toMatch(/propose-policy thumbnailer/);
    expect(text).toMatch(/not applied/);
    expect(text).toContain('sns:Publish');
    expect(text).toContain('arn:aws:sns:eu-west-1:454545454545:thumbnails-ready');
    expect((await after.instanceCanCall(account.instances[0]!.id, 'sns:Publish', 'arn:aws:sns:eu-west-1:454545454545:thumbnails-ready')).allowed).toBe(false);
  });

  it('approval rejected: the declared policy is still detached', async () => {
    const { account } = await run('approval-rejected');
    expect(policyArns(role(account, 'log-forwarder'))).not.toContain('arn:aws:iam::565656565656:policy/log-forwarder-write-logs');
  });

  it('session not delivered by EC2: even a declared policy in auto mode is not attached', async () => {
    const { account } = await run('session-not-delivered-by-ec2');
    expect(policyArns(role(account, 'inventory-sync'))).not.toContain('arn:aws:iam::131313131313:policy/inventory-sync-tables');
  });
});
