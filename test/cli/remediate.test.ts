/**
 * `iam-autoheal remediate` against a mocked AWS account (aws-sdk-client-mock, fake credentials, an endpoint on a
 * closed port: nothing reaches AWS), through the real adapters, the real ASL on the local interpreter and the real
 * steps: a dry run writes nothing; --apply confirms each plan (and refuses without a terminal or an answer); the
 * audit file it writes lets `undo --file` restore the same account; errors are one line, exit 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AssociateIamInstanceProfileCommand, DescribeIamInstanceProfileAssociationsCommand, DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import {
  GetInstanceProfileCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand, ListRolePoliciesCommand, SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsError, urlEncoded } from '../adapters/aws/fake-aws.ts';
import { runRemediate, type RemediateIo, type RemediateOptions } from '../../handlers/cli/remediate.ts';
import type { OperatorReport } from '../../handlers/wiring/operator.ts';
import { AwsAccessError, InputError } from '../../handlers/cli/errors.ts';
import { ROOT, cliWithEnv, scratchDir, scratchFile } from './run-cli.ts';

// A real RunInstances record (test/fixtures/cloudtrail/SOURCES.md): an instance launched without a profile.
const EVENT = join(ROOT, 'test/fixtures/cloudtrail/launch--runinstances--iam-user-console--no-profile.json');
const ACCOUNT = '644160558196';
const REGION = 'us-east-1';
const INSTANCE = 'i-0f7c711dc84bedda0';
const PROFILE = 'app-profile';
const ROLE = 'app-role';
const profileArn = `arn:aws:iam::${ACCOUNT}:instance-profile/${PROFILE}`;
const roleArn = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
const cloudTrail = mockClient(CloudTrailClient);
const autoScaling = mockClient(AutoScalingClient);

const role = { RoleName: ROLE, Path: '/', Arn: roleArn, RoleId: 'AROAAPPROLE', CreateDate: new Date('2026-01-01'),
  AssumeRolePolicyDocument: urlEncoded({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  Tags: [{ Key: 'iam-autoheal', Value: 'on' }] };
const instanceProfile = { InstanceProfileName: PROFILE, InstanceProfileId: 'AIPAAPP', Arn: profileArn, Path: '/', CreateDate: new Date('2026-01-01'), Roles: [role], Tags: [] };

/** The account as EC2 holds it: the instance's association, changed by the calls the mocks receive. */
let association: { AssociationId: string; InstanceId: string; IamInstanceProfile: { Arn: string; Id: string }; State: 'associated' } | null;

function account(): void {
  association = null;
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operator/alice`, UserId: 'AROAOP:alice' });
  ec2.on(DescribeInstancesCommand).callsFake(() => ({ Reservations: [{ Instances: [{
    InstanceId: INSTANCE, State: { Name: 'running', Code: 16 }, LaunchTime: new Date('2024-09-11T09:28:29Z'),
    ...(association ? { IamInstanceProfile: { Arn: profileArn, Id: 'AIPAAPP' } } : {}), Tags: [{ Key: 'Name', Value: 'cloudtrail-event-test' }],
  }] }] }));
  ec2.on(DescribeIamInstanceProfileAssociationsCommand).callsFake(() => ({ IamInstanceProfileAssociations: association ? [association] : [] }));
  ec2.on(AssociateIamInstanceProfileCommand).callsFake((input: { InstanceId: string }) => {
    association = { AssociationId: 'iip-assoc-0123456789abcdef0', InstanceId: input.InstanceId, IamInstanceProfile: { Arn: profileArn, Id: 'AIPAAPP' }, State: 'associated' };
    return { IamInstanceProfileAssociation: { ...association, State: 'associating' } };
  });
  ec2.on(DisassociateIamInstanceProfileCommand).callsFake(() => {
    const gone = association;
    association = null;
    return { IamInstanceProfileAssociation: { ...gone, State: 'disassociating' } };
  });
  iam.on(GetInstanceProfileCommand).resolves({ InstanceProfile: instanceProfile });
  iam.on(ListInstanceProfilesCommand).resolves({ InstanceProfiles: [instanceProfile], IsTruncated: false });
  iam.on(ListInstanceProfilesForRoleCommand).resolves({ InstanceProfiles: [instanceProfile], IsTruncated: false });
  iam.on(GetRoleCommand).resolves({ Role: role });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [], IsTruncated: false });
  cloudTrail.on(LookupEventsCommand).resolves({ Events: [] });
}

beforeEach(() => {
  for (const mock of [ec2, iam, sts, cloudTrail, autoScaling]) mock.reset();
  account();
});

const CONFIG = { baselineInstanceProfile: PROFILE, modes: { 'no-instance-profile': 'auto' } };

async function remediate(file: string | undefined, options: Partial<RemediateOptions> = {}, io: Partial<RemediateIo> = {}) {
  let stdout = '';
  const audit = options.audit ?? join(scratchDir('remediate'), 'audit.jsonl');
  const code = await runRemediate(file, { region: REGION, config: scratchFile('config.json', CONFIG), audit, ...options }, {
    stdout: (t) => (stdout += t), sleep: async () => {}, retry: { attempts: 2, delayMs: () => 0 }, operator: 'alice (test)', ...io,
  });
  return { code, stdout, audit };
}

const writes = () => [
  ...ec2.commandCalls(AssociateIamInstanceProfileCommand), ...ec2.commandCalls(DisassociateIamInstanceProfileCommand),
];

const report = (stdout: string) => JSON.parse(stdout) as OperatorReport;
const auditRecords = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { phase: string; action: string; target: string; result: string; actor: string });

describe('iam-autoheal remediate: a dry run', () => {
  it('shows the diagnosis, its evidence and the exact plan, and sends no write', async () => {
    const { code, stdout } = await remediate(EVENT);
    expect(code).toBe(0);
    expect(stdout).toMatch(/dry run: nothing is written/);
    expect(stdout).toMatch(/Diagnose\s+cause no-instance-profile/);
    expect(stdout).toMatch(/evidence:\n {2}- association: i-0f7c711dc84bedda0 \(running\) has no instance profile association/);
    expect(stdout).toMatch(/plan:\n {2}- associate-profile i-0f7c711dc84bedda0: no profile; expected app-profile/);
    expect(stdout).toMatch(/status observed/);
    expect(stdout).toMatch(/API: 0 IAM write\(s\), 0 EC2 write\(s\)/);
    expect(writes()).toHaveLength(0);
  });

  it('--json prints the report shape of simulate --json, with the diagnosis and decision', async () => {
    const { code, stdout } = await remediate(EVENT, { json: true });
    expect(code).toBe(0);
    const r = report(stdout);
    for (const key of ['scenario', 'incidents', 'ignoredEvents', 'refusedEvents', 'outOfScope', 'executions', 'duplicateStarts', 'api', 'stateTransitions', 'account', 'timeline', 'notifications', 'outcomeEvents', 'answers']) {
      expect(r).toHaveProperty(key);
    }
    expect(r).toMatchObject({ mode: 'dry-run', accountId: ACCOUNT, region: REGION, executions: 1, api: { iamWrites: 0, ec2Writes: 0 } });
    expect(r.incidents[0]).toMatchObject({ cause: 'no-instance-profile', status: 'observed', actions: [] });
    expect(r.incidents[0]!.diagnosis!.plan).toEqual([expect.objectContaining({ type: 'associate-profile', target: INSTANCE, params: expect.objectContaining({ profileName: PROFILE }) })]);
    expect(r.incidents[0]!.decision).toMatchObject({ verdict: 'observe', mode: 'observe' });
    expect(r.timeline.map((e) => e.step)).toEqual(expect.arrayContaining(['Diagnose', 'Guard', 'Record']));
  });

  it('--instance builds the incident from the instance\'s state', async () => {
    const { code, stdout } = await remediate(undefined, { instance: INSTANCE, json: true });
    expect(code).toBe(0);
    const r = report(stdout);
    expect(r.scenario).toBe(`--instance ${INSTANCE}`);
    expect(r.incidents[0]!.diagnosis).toMatchObject({ cause: 'no-instance-profile', plan: [{ type: 'associate-profile', target: INSTANCE }] });
    expect(writes()).toHaveLength(0);
  });

  it('--role diagnoses the role from the instances that use its profile', async () => {
    association = { AssociationId: 'iip-assoc-1', InstanceId: INSTANCE, IamInstanceProfile: { Arn: profileArn, Id: 'AIPAAPP' }, State: 'associated' };
    iam.on(GetRoleCommand).resolves({ Role: { ...role, AssumeRolePolicyDocument: urlEncoded({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) } });
    const { stdout } = await remediate(undefined, { role: ROLE, json: true });
    const r = report(stdout);
    expect(r.incidents[0]!.diagnosis).toMatchObject({ cause: 'trust-missing-ec2', plan: [expect.objectContaining({ type: 'merge-trust', target: ROLE })] });
    expect(iam.commandCalls(ListInstanceProfilesForRoleCommand)[0]!.args[0].input).toMatchObject({ RoleName: ROLE });
  });
});

describe('iam-autoheal remediate --apply', () => {
  it('asks to confirm the plan, applies it, waits, verifies and writes the audit trail', async () => {
    const questions: string[] = [];
    const waits: number[] = [];
    const { code, stdout, audit } = await remediate(EVENT, { apply: true, json: true }, { ask: async (q) => (questions.push(q), true), sleep: async (ms) => void waits.push(ms) });
    expect(code).toBe(0);
    expect(questions).toEqual([`apply these 1 change(s) to account ${ACCOUNT} in ${REGION}? [y/N] `]);
    const calls = ec2.commandCalls(AssociateIamInstanceProfileCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({ InstanceId: INSTANCE, IamInstanceProfile: { Name: PROFILE } });
    const r = report(stdout);
    expect(r.incidents[0]).toMatchObject({ status: 'fixed', actions: [{ type: 'associate-profile', target: INSTANCE, result: 'done' }] });
    expect(r.api.ec2Writes).toBe(1);
    // The state machine's propagation wait, in real time (here: the test's sleep).
    expect(waits.length).toBeGreaterThan(0);
    const records = auditRecords(audit);
    expect(records.map((x) => `${x.phase} ${x.action} ${x.result}`)).toEqual(expect.arrayContaining(['intent associate-profile pending', 'result associate-profile done']));
    expect(records.find((x) => x.phase === 'decision' && x.actor === 'alice (test)')).toBeDefined();
  });

  it('applies nothing when the operator does not confirm: the incident is rejected, exit 1', async () => {
    const { code, stdout } = await remediate(EVENT, { apply: true, json: true }, { ask: async () => false });
    expect(code).toBe(1);
    expect(writes()).toHaveLength(0);
    expect(report(stdout).incidents[0]).toMatchObject({ status: 'rejected' });
    expect(report(stdout).incidents[0]!.reason).toMatch(/not confirmed at the terminal/);
  });

  it('refuses --apply without a terminal and without --yes, before reaching the account', async () => {
    await expect(remediate(EVENT, { apply: true })).rejects.toThrow(new InputError('--apply confirms each plan at a terminal, and stdin is not one: add --yes to confirm the plans the configuration lets apply on their own'));
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('--yes confirms a plan of mode auto; a plan the configuration wants approved still needs a person', async () => {
    const auto = await remediate(EVENT, { apply: true, yes: true, json: true });
    expect(report(auto.stdout).incidents[0]).toMatchObject({ status: 'fixed' });
    ec2.resetHistory();
    association = null;
    const approve = { ...CONFIG, modes: { 'no-instance-profile': 'approve' } };
    const { code, stdout } = await remediate(EVENT, { apply: true, yes: true, json: true, config: scratchFile('config.json', approve) });
    expect(code).toBe(1);
    expect(writes()).toHaveLength(0);
    expect(report(stdout).incidents[0]!.reason).toMatch(/requires a person to approve this plan/);
  });

  it('keeps the hourly change budget across runs of the same audit trail', async () => {
    const limited = scratchFile('config.json', { ...CONFIG, limits: { ec2ChangesPerAccountPerHour: 1 } });
    const first = await remediate(EVENT, { apply: true, yes: true, json: true, config: limited });
    expect(report(first.stdout).incidents[0]).toMatchObject({ status: 'fixed' });
    association = null; // someone removed it again
    const second = await remediate(EVENT, { apply: true, yes: true, json: true, config: limited, audit: first.audit });
    expect(report(second.stdout).incidents[0]!.decision!.reason).toMatch(/change budget exhausted/);
    expect(ec2.commandCalls(AssociateIamInstanceProfileCommand)).toHaveLength(1);
  });

  it('names the permission the operator lacks (an AwsAccessError: one line, exit 2)', async () => {
    ec2.on(AssociateIamInstanceProfileCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(remediate(EVENT, { apply: true, yes: true })).rejects.toThrow(new AwsAccessError('access denied: the caller needs ec2:AssociateIamInstanceProfile and iam:PassRole (UnauthorizedOperation: You are not authorized to perform this operation.)'));
  });
});

describe('iam-autoheal remediate: the account and region it reaches', () => {
  it('refuses an account outside the configured scope before reading it', async () => {
    const config = scratchFile('config.json', { ...CONFIG, scope: { accounts: ['999999999999'] } });
    await expect(remediate(EVENT, { config })).rejects.toThrow(new AwsAccessError(`account ${ACCOUNT} of these credentials is outside the configured scope (999999999999)`));
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });

  it('refuses a region other than the events\' and events of another account', async () => {
    await expect(remediate(EVENT, { region: 'eu-west-1' })).rejects.toThrow(/^region mismatch: .* holds events of us-east-1, and the region is eu-west-1 \(--region\): pass --region us-east-1/);
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/Operator/alice' });
    await expect(remediate(EVENT)).rejects.toThrow(`its events are of account ${ACCOUNT}, these credentials of account 111122223333`);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });
});

describe('undo --file of a remediate trail', () => {
  it('restores the same account through the mocked clients', async () => {
    const { stdout, audit } = await remediate(EVENT, { apply: true, yes: true, json: true });
    const key = report(stdout).incidents[0]!.key;
    const { undo } = await import('../../handlers/cli/undo.ts');
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      await undo(key, { file: audit, actor: 'alice (test)' });
    } finally {
      write.mockRestore();
    }
    const calls = ec2.commandCalls(DisassociateIamInstanceProfileCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ AssociationId: 'iip-assoc-0123456789abcdef0' });
    expect(association).toBeNull();
    expect(out.join('')).toMatch(/1 of 1 step\(s\) undone/);
    expect(auditRecords(audit).filter((x) => x.phase === 'undo-result').map((x) => x.result)).toEqual(['undone']);
  });
});

describe('iam-autoheal remediate as a user runs it', () => {
  const bare = { HOME: scratchDir('home'), AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', NODE_NO_WARNINGS: '1' };

  it('--help describes the command, its modes and exit codes', () => {
    const r = cliWithEnv(bare, 'remediate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/A dry run by default/);
    expect(r.stdout).toMatch(/--apply/);
    expect(r.stdout).toMatch(/--yes/);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/Exit 0 fixed, verified, observed or nothing to do; 1 an incident left broken .*; 2 bad input or AWS access/);
  });

  it('fails with one line and exit 2 without credentials (nothing reaches AWS)', () => {
    const audit = join(scratchDir('remediate'), 'audit.jsonl');
    const r = cliWithEnv({ ...bare, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, 'remediate', EVENT, '--audit', audit);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['iam-autoheal: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`']);
    expect(r.stdout).toBe('');
  });
});
