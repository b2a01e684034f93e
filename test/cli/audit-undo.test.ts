import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { loadScenarioFile, SimulatedAccount } from '../../handlers/adapters/simulated/index.ts';
import { builtinScenarioFiles } from '../../handlers/cli/demo.ts';
import { accountAfterRun } from '../../handlers/cli/replay.ts';
import { undo } from '../../handlers/cli/undo.ts';
import { undoIncident } from '../../handlers/core/undo.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
import { urlEncoded } from '../adapters/aws/fake-aws.ts';
import { ROOT, cli, expectInputError, scratchDir, scratchFile } from './run-cli.ts';

const TRUST = 'scenarios/trust-policy-lost-ec2.json';

describe('iam-autoheal audit and undo after simulate', () => {
  it('lists the incident and its steps, then undo restores the exact previous trust policy and is audited', () => {
    const trail = join(scratchDir('audit'), 'audit.jsonl');
    expect(cli('simulate', TRUST, '--audit', trail).code).toBe(0);

    const listed = cli('audit', '--file', trail, '--json');
    expect(listed.code).toBe(0);
    const { incidents } = JSON.parse(listed.stdout);
    expect(incidents).toHaveLength(1);
    const key: string = incidents[0].incidentKey;

    const steps = JSON.parse(cli('audit', '--file', trail, '--incident', key, '--json').stdout).records;
    const intent = steps.findIndex((r: { phase: string; action: string }) => r.phase === 'intent' && r.action === 'merge-trust');
    const result = steps.findIndex((r: { phase: string; action: string }) => r.phase === 'result' && r.action === 'merge-trust');
    expect(intent).toBeGreaterThanOrEqual(0);
    expect(result).toBeGreaterThan(intent);
    const original = JSON.parse(readFileSync(join(ROOT, TRUST), 'utf8')).account.roles[0].trustPolicy;
    expect(steps[result].before.document).toEqual(original);

    const table = cli('audit', '--file', trail);
    expect(table.stdout).toMatch(new RegExp(`^${key}\\s+trust-missing-ec2\\s+\\d+`, 'm'));

    const undone = cli('undo', key, '--file', trail, '--scenario', TRUST, '--json', '--actor', 'jo@example.com');
    expect(undone.stderr).toBe('');
    expect(undone.code).toBe(0);
    const doc = JSON.parse(undone.stdout);
    expect(doc.steps).toEqual([expect.objectContaining({ type: 'merge-trust', target: 'reports-api', result: 'undone' })]);
    expect(doc.account.roles.find((r: { name: string }) => r.name === 'reports-api').trustPolicy).toEqual(original);

    const after = JSON.parse(cli('audit', '--file', trail, '--incident', key, '--json').stdout).records;
    expect(after.slice(-2).map((r: { phase: string; actor: string; result: string }) => [r.phase, r.actor, r.result])).toEqual([
      ['undo-intent', 'jo@example.com', 'pending'],
      ['undo-result', 'jo@example.com', 'undone'],
    ]);
    const again = cli('undo', key, '--file', trail, '--scenario', TRUST);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to undo');
  }, 180_000); // five command-line runs: give them room on a loaded 2-core machine

  it('undo of a launch-template fix restores newest first: associations, default version, then the new version', async () => {
    const scenario = loadScenarioFile(join(ROOT, 'scenarios/launch-template-without-profile.json'));
    const audit = new MemoryAuditStore();
    const report = await runScenario(scenario, { audit });
    const account = accountAfterRun(scenario, report);
    const { steps } = await undoIncident(account.ports, audit, report.incidents[0]!.key, { actor: 'test', pause: async (s) => account.clock.advance(s) });
    expect(steps.every((s) => s.result === 'undone')).toBe(true);
    expect(steps.map((s) => s.type)).toEqual([...Array(8).fill('associate-profile'), 'set-default-launch-template-version', 'create-launch-template-version']);
    const restored = account.snapshot() as unknown as { launchTemplates: Array<{ defaultVersion: number; versions: Array<{ number: number }> }>; instances: Array<{ launchTemplate: { version: string } | null; instanceProfile: unknown }> };
    expect(restored.launchTemplates[0]!.defaultVersion).toBe(3);
    // The version the fix created is deleted, after the default went back to the old one.
    const initialVersions = (new SimulatedAccount(scenario).snapshot() as unknown as typeof restored).launchTemplates[0]!.versions.map((v) => v.number);
    expect(restored.launchTemplates[0]!.versions.map((v) => v.number)).toEqual(initialVersions);
    expect(restored.instances.filter((i) => i.launchTemplate?.version === '3').map((i) => i.instanceProfile)).toEqual(Array(8).fill(null));
  });

  it('undo brings every built-in scenario that changed something back to its initial account, throttled or not', async () => {
    interface Snapshot {
      roles: Array<{ name: string; trustPolicy: unknown; inlinePolicies: Record<string, unknown>; managedPolicies: Array<string | { arn: string }>; permissionsBoundary: unknown }>;
      instanceProfiles: Array<{ name: string; roles: string[] }>;
      instances: Array<{ id: string; instanceProfile: unknown }>;
      launchTemplates: Array<{ id: string; defaultVersion: number; versions: Array<{ number: number; iamInstanceProfile: unknown }> }>;
    }
    // What a person compares: documents, attachments, profiles, associations, template defaults and the versions that existed.
    const state = (a: Snapshot) => ({
      roles: a.roles.map((r) => ({ name: r.name, trust: r.trustPolicy, inline: r.inlinePolicies, boundary: r.permissionsBoundary, managed: r.managedPolicies.map((p) => (typeof p === 'string' ? p : p.arn)) })),
      profiles: a.instanceProfiles.map((p) => [p.name, p.roles]),
      instances: a.instances.map((i) => [i.id, i.instanceProfile]),
      templates: a.launchTemplates.map((t) => ({ id: t.id, default: t.defaultVersion, versions: t.versions })),
    });
    let changed = 0;
    for (const file of builtinScenarioFiles()) {
      const scenario = loadScenarioFile(file);
      const initial = new SimulatedAccount(scenario).snapshot() as unknown as Snapshot;
      const audit = new MemoryAuditStore();
      const report = await runScenario(scenario, { audit });
      if (report.api.iamWrites + report.api.ec2Writes === 0) continue;
      changed++;
      const account = accountAfterRun(scenario, report);
      for (const incident of report.incidents) {
        const { steps } = await undoIncident(account.ports, audit, incident.key, { actor: 'test', pause: async (s) => account.clock.advance(s) });
        expect(steps.filter((s) => s.result !== 'undone'), file).toEqual([]);
      }
      expect(state(account.snapshot() as unknown as Snapshot), file).toEqual(state(initial));
    }
    expect(changed).toBeGreaterThanOrEqual(6);
  });

  it('bad input: an unknown incident or a corrupt trail is one line, exit 2', () => {
    const trail = scratchFile('audit.jsonl', 'not json\n');
    expectInputError(cli('audit', '--file', trail), trail, /line 1/);
    const empty = join(scratchDir('audit'), 'none.jsonl');
    expectInputError(cli('undo', 'no-such-incident', '--file', empty, '--scenario', TRUST), empty, /no audit record of incident no-such-incident/);
    // A simulated trail is never undone against whatever real account the credentials reach (only one `remediate` wrote is).
    const simulated = scratchFile('audit.jsonl', `${JSON.stringify({
      incidentKey: 'some-incident', executionName: 'x', step: '0001-intent', phase: 'intent', cause: 'trust-missing-ec2', account: '555566667777', region: 'eu-west-1',
      target: 'reports-api', action: 'merge-trust', before: null, after: null, result: 'pending', error: null,
      actor: 'arn:aws:states:eu-west-1:555566667777:execution:iam-autoheal-remediate:x', timestamp: '2026-01-01T00:00:00.000Z',
    })}\n`);
    expectInputError(cli('undo', 'some-incident', '--file', simulated), simulated, /comes from `simulate`: add --scenario <file>.*or use --table <name>/);
  });
});

describe('iam-autoheal undo --table: a deployment\'s DynamoDB trail, the real account (SDK mocked)', () => {
  /** The trust-policy incident of the built-in scenario (account 555566667777), its trail in a mocked table and a mocked IAM. */
  async function deployedIncident() {
    const scenario = loadScenarioFile(join(ROOT, TRUST));
    const trail = new MemoryAuditStore();
    const report = await runScenario(scenario, { audit: trail });
    const merged = (report.account as { roles: Array<{ trustPolicy: unknown }> }).roles[0]!.trustPolicy;
    const dynamo = mockClient(DynamoDBClient);
    const iam = mockClient(IAMClient);
    dynamo.on(QueryCommand).resolves({ Items: trail.records.map((r) => marshall(r, { removeUndefinedValues: true })) });
    dynamo.on(PutItemCommand).resolves({});
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'reports-api', Path: '/apps/', Arn: 'arn:aws:iam::555566667777:role/apps/reports-api', RoleId: 'AROAEXAMPLE', CreateDate: new Date(), AssumeRolePolicyDocument: urlEncoded(merged) } });
    iam.on(UpdateAssumeRolePolicyCommand).resolves({});
    return { key: report.incidents[0]!.key, dynamo, iam };
  }

  /** Runs undo, then resolves the credentials of the IAM client that made the change (mocked clients skip that step). */
  async function undoAs(caller: { Account: string; Arn: string }, options: { memberRoleName?: string } = {}) {
    const { key, dynamo, iam } = await deployedIncident();
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({ Account: caller.Account, Arn: caller.Arn, UserId: 'AIDAEXAMPLE' });
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await undo(key, { table: 'iam-autoheal-audit', region: 'eu-west-1', json: true, actor: 'jo@example.com', ...options });
      const updates = iam.commandCalls(UpdateAssumeRolePolicyCommand);
      const client = updates[0]!.thisValue as IAMClient;
      const credentials = await client.config.credentials();
      return { updates, credentials, assumed: sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn) };
    } finally {
      vi.restoreAllMocks();
      dynamo.restore();
      iam.restore();
      sts.restore();
    }
  }

  it('undoes a member account\'s incident from the hub through the member\'s remediation role', async () => {
    const run = await undoAs({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/Operator/jo' });
    expect(run.updates).toHaveLength(1);
    expect(run.assumed).toEqual(['arn:aws:iam::555566667777:role/iam-autoheal-remediation']);
    expect(run.credentials.accessKeyId).toBe('ASIAEXAMPLE');
  });

  it('assumes the role named by --member-role-name, in the partition of the caller', async () => {
    const run = await undoAs({ Account: '111122223333', Arn: 'arn:aws-us-gov:sts::111122223333:assumed-role/Operator/jo' }, { memberRoleName: 'autoheal-member' });
    expect(run.assumed).toEqual(['arn:aws-us-gov:iam::555566667777:role/autoheal-member']);
  });

  it('uses its own credentials for an incident of its own account', async () => {
    const run = await undoAs({ Account: '555566667777', Arn: 'arn:aws:iam::555566667777:user/jo' });
    expect(run.updates).toHaveLength(1);
    expect(run.assumed).toEqual([]);
  });

  it('restores the previous trust policy through IAM and records the undo in the table', async () => {
    const scenario = loadScenarioFile(join(ROOT, TRUST));
    const trail = new MemoryAuditStore();
    const report = await runScenario(scenario, { audit: trail });
    const key = report.incidents[0]!.key;
    const original = (scenario.account.roles[0] as { trustPolicy: unknown }).trustPolicy;
    const merged = (report.account as { roles: Array<{ trustPolicy: unknown }> }).roles[0]!.trustPolicy;

    const dynamo = mockClient(DynamoDBClient);
    const iam = mockClient(IAMClient);
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({ Account: '555566667777', Arn: 'arn:aws:iam::555566667777:user/jo' });
    dynamo.on(QueryCommand).resolves({ Items: trail.records.map((r) => marshall(r, { removeUndefinedValues: true })) });
    dynamo.on(PutItemCommand).resolves({});
    iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'reports-api', Path: '/apps/', Arn: 'arn:aws:iam::555566667777:role/apps/reports-api', RoleId: 'AROAEXAMPLE', CreateDate: new Date(), AssumeRolePolicyDocument: urlEncoded(merged) } });
    iam.on(UpdateAssumeRolePolicyCommand).resolves({});
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      await undo(key, { table: 'iam-autoheal-audit', region: 'eu-west-1', json: true, actor: 'jo@example.com' });
    } finally {
      vi.restoreAllMocks();
    }

    expect(JSON.parse(out.join('')).steps).toEqual([expect.objectContaining({ type: 'merge-trust', result: 'undone' })]);
    const updates = iam.commandCalls(UpdateAssumeRolePolicyCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input.RoleName).toBe('reports-api');
    expect(JSON.parse(updates[0]!.args[0].input.PolicyDocument!)).toEqual(original);
    expect(dynamo.commandCalls(QueryCommand)[0]!.args[0].input.TableName).toBe('iam-autoheal-audit');
    const written = dynamo.commandCalls(PutItemCommand).map((c) => unmarshall(c.args[0].input.Item!));
    expect(written.map((r) => [r.phase, r.actor, r.result])).toEqual([['undo-intent', 'jo@example.com', 'pending'], ['undo-result', 'jo@example.com', 'undone']]);
    dynamo.restore();
    iam.restore();
    sts.restore();
  });
});
