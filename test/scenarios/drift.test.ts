/**
 * Drift incidents end to end (intake, the real ASL, the simulated account): what the account looks like after a
 * prevented drift, and that a principal who breaks again what we repaired is escalated, not fought.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../handlers/adapters/simulated/index.ts';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';

const load = (name: string) => loadScenarioFile(`scenarios/${name}.json`);
type Account = { roles: Array<{ name: string; trustPolicy: { Statement: Array<Record<string, any>> }; inlinePolicies: Record<string, any> }>; launchTemplates: Array<{ defaultVersion: number; versions: Array<{ number: number; iamInstanceProfile: unknown }> }> };

describe('a drift repaired before any instance fails', () => {
  it('trust rewritten without EC2: EC2 merged back next to the person\'s statement, status prevented, notified', async () => {
    const report = await runScenario(load('drift-trust-dropped-ec2'));
    expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['trust-missing-ec2', 'prevented']]);
    const trust = (report.account as unknown as Account).roles.find((r) => r.name === 'web-api')!.trustPolicy.Statement;
    expect(trust.map((s) => [s['Sid'], s['Principal']])).toEqual([['SecurityAuditReadOnly', { AWS: 'arn:aws:iam::999900001111:role/security-audit' }], ['IamAutohealEc2AssumeRole', { Service: 'ec2.amazonaws.com' }]]);
    expect(JSON.stringify(report.notifications)).toContain('prevented');
  });

  it('inline policy rewritten without a declared statement: the statement is put back beside it, the rewrite left as written', async () => {
    const scenario = load('drift-declared-statement-dropped');
    const report = await runScenario(scenario);
    const role = (report.account as unknown as Account).roles.find((r) => r.name === 'orders-api')!;
    const before = (scenario.account.roles as Array<{ name: string; inlinePolicies: Record<string, unknown> }>).find((r) => r.name === 'orders-api')!;
    expect(role.inlinePolicies['orders-app']).toEqual(before.inlinePolicies['orders-app']);
    expect(JSON.stringify(role.inlinePolicies['iam-autoheal-expected'])).toContain('sqs:SendMessage');
  });

  it('template default set to a version without the profile: the new default is that version plus the profile', async () => {
    const report = await runScenario(load('drift-template-default-without-profile'));
    const [template] = (report.account as unknown as Account).launchTemplates;
    expect(template!.defaultVersion).toBe(5);
    expect(template!.versions.find((v) => v.number === 5)!.iamInstanceProfile).toBe('api-fleet');
  });
});

describe('never fight a person', () => {
  it('the same person breaking the repaired trust again within the hour is escalated, naming them, and not repaired twice', async () => {
    const audit = new MemoryAuditStore();
    const first = await runScenario(load('drift-trust-dropped-ec2'), { audit });
    expect(first.incidents[0]!.status).toBe('prevented');
    // The same change by the same person, minutes later: the account is broken again.
    const again = await runScenario(load('drift-trust-dropped-ec2'), { audit });
    expect(again.incidents.map((i) => [i.cause, i.status])).toEqual([['drift-flapping', 'escalated']]);
    expect(again.api.iamWrites).toBe(0);
    expect(again.incidents[0]!.reason).toContain('maria.okafor');
  });

  it('the flapping scenario file: the second change, delivered in a later intake window, is escalated naming who — one write in all', async () => {
    const report = await runScenario(load('drift-flapping'));
    expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['trust-missing-ec2', 'prevented'], ['drift-flapping', 'escalated']]);
    expect(report.timeline.filter((t) => t.step === 'intake').map((t) => t.t)).toEqual([0, 600]);
    expect(report.timeline.find((t) => t.step === 'meanwhile')!.text).toMatch(/^maria\.okafor: iam\.updateAssumeRolePolicy/);
    expect(report.incidents[1]!.reason).toContain('maria.okafor');
    expect(report.api.iamWrites).toBe(1);
    // The person's second policy stands: EC2 is not merged back a second time.
    const trust = (report.account as unknown as Account).roles.find((r) => r.name === 'web-api')!.trustPolicy.Statement;
    expect(trust.map((s) => s['Sid'])).toEqual(['SecurityAuditReadOnly']);
  });

  it('after the flapping window the same change is repaired again', async () => {
    const audit = new MemoryAuditStore();
    await runScenario(load('drift-trust-dropped-ec2'), { audit });
    const scenario = load('drift-trust-dropped-ec2');
    // Two hours on: past the default one-hour window.
    const startTime = new Date(Date.parse(scenario.physics.startTime!) + 7_200_000).toISOString();
    const later = { ...scenario, physics: { ...scenario.physics, startTime } };
    const again = await runScenario(later, { audit });
    expect(again.incidents.map((i) => i.status)).toEqual(['prevented']);
  });
});

describe('a template or group that launches nothing yet', () => {
  type Scenario = ReturnType<typeof load>;
  /** The scenario with its account changed by `edit` (a copy: the file stays as it is). */
  const edited = (name: string, edit: (account: Record<string, any>, scenario: Scenario) => void): Scenario => {
    const scenario = structuredClone(load(name));
    edit(scenario.account as Record<string, any>, scenario);
    return scenario;
  };

  it('a new group on a template version without a profile: a version with the suggested, authorized profile is the default before its first launch', async () => {
    const report = await runScenario(load('drift-new-group-without-profile'));
    expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['stale-launch-template', 'prevented']]);
    const [template] = (report.account as unknown as Account).launchTemplates;
    expect(template!.defaultVersion).toBe(2);
    expect(template!.versions.find((v) => v.number === 2)!.iamInstanceProfile).toBe('checkout-workers');
  });

  it('never the confused deputy: a profile only the group\'s tag suggests is not put in; escalated, nothing written', async () => {
    // Nothing an IAM administrator controls names the profile: not configured, role and profile untagged.
    const scenario = edited('drift-new-group-without-profile', (account, s) => { account.roles[0].tags = {}; s.config = { ...s.config, allowedInstanceProfiles: [] }; });
    const report = await runScenario(scenario);
    expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['stale-launch-template', 'escalated']]);
    expect(report.incidents[0]!.reason).toMatch(/only suggested .*tag iam-autoheal:profile on group checkout-workers/);
    expect(report.api.ec2Writes + report.api.iamWrites).toBe(0);
  });

  it('a new group whose template names a profile whose role EC2 cannot assume: EC2 merged back into the trust, prevented', async () => {
    const scenario = edited('drift-new-group-without-profile', (account, s) => {
      account.launchTemplates[0].versions[0].iamInstanceProfile = 'checkout-workers';
      account.roles[0].trustPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
      s.config = { ...s.config, modes: { ...s.config.modes, 'trust-missing-ec2': 'auto' } };
    });
    const report = await runScenario(scenario);
    expect(report.incidents.map((i) => [i.cause, i.status, i.actions.map((a) => a.type)])).toEqual([['trust-missing-ec2', 'prevented', ['merge-trust']]]);
    const trust = (report.account as unknown as Account).roles[0]!.trustPolicy.Statement;
    expect(trust.map((st) => st['Principal'])).toEqual([{ Service: ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'] }]);
  });

  it('a new group that launches a working profile, or one outside the opt-in tag, changes nothing', async () => {
    const working = edited('drift-new-group-without-profile', (account) => { account.launchTemplates[0].versions[0].iamInstanceProfile = 'checkout-workers'; });
    const untagged = edited('drift-new-group-without-profile', (account) => { account.launchTemplates[0].tags = {}; account.autoScalingGroups[0].tags = {}; });
    for (const scenario of [working, untagged]) {
      const report = await runScenario(scenario);
      expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['unknown', 'verified-no-change']]);
      expect(report.api.ec2Writes + report.api.iamWrites).toBe(0);
    }
  });

  it('a template named by name only is found by its id, with the instances launched from it', async () => {
    const report = await runScenario(load('drift-template-by-name-without-profile'));
    expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['stale-launch-template', 'prevented']]);
    expect(report.timeline.find((t) => t.step === 'Diagnose')!.text).toMatch(/version 3 of lt-0\w+, which names no instance profile.*its running instances use reports/);
    expect((report.account as unknown as Account).launchTemplates[0]!.defaultVersion).toBe(4);
  });
});
