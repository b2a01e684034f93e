import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { NotFoundError } from '../../../handlers/core/ports.ts';
import { buildScenario, EC2_TRUST, READ_CONFIG, rejection } from './build-scenario.ts';


const bigStatement = (chars: number) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(chars)}/*` }] });

describe('IAM writes in the simulated account follow IAM quotas and errors', () => {
  it('holds one role per instance profile', async () => {
    const account = new SimulatedAccount(buildScenario({ account: { roles: [{ name: 'app', trustPolicy: EC2_TRUST }, { name: 'other', trustPolicy: EC2_TRUST }] } }));
    expect(await rejection(account.ports.iam.addRoleToInstanceProfile('app', 'other'))).toMatchObject({ code: 'LimitExceeded' });
    await account.ports.iam.addRoleToInstanceProfile('empty', 'other');
    expect((await account.ports.iam.getInstanceProfile('empty'))?.roles).toEqual(['other']);
    expect((await account.ports.iam.listInstanceProfilesForRole('other')).map((p) => p.name)).toEqual(['empty']);
    expect(await rejection(account.ports.iam.removeRoleFromInstanceProfile('app', 'other'))).toBeInstanceOf(NotFoundError);
  });

  it('attaches at most 10 managed policies, and attaching one twice changes nothing', async () => {
    const policies = Array.from({ length: 11 }, (_, i) => ({ arn: `arn:aws:iam::111122223333:policy/p${i}`, document: READ_CONFIG }));
    const account = new SimulatedAccount(buildScenario({ account: { policies }, physics: { iamWritesPerSecond: 100 } }));
    for (const p of policies.slice(0, 10)) await account.ports.iam.attachRolePolicy('app', p.arn);
    await account.ports.iam.attachRolePolicy('app', policies[0]!.arn);
    expect(await account.ports.iam.listAttachedPolicies('app')).toHaveLength(10);
    expect(await rejection(account.ports.iam.attachRolePolicy('app', policies[10]!.arn))).toMatchObject({ code: 'LimitExceeded', message: expect.stringMatching(/PoliciesPerRole: 10/) });
    // As the real adapter maps it: "not found" on an attach is IAM not having propagated yet, worth a retry.
    expect(await rejection(account.ports.iam.attachRolePolicy('app', 'arn:aws:iam::111122223333:policy/ghost'))).toMatchObject({ name: 'TransientAwsError', code: 'NoSuchEntity' });
    expect(await rejection(account.ports.iam.detachRolePolicy('app', 'arn:aws:iam::111122223333:policy/ghost'))).toBeInstanceOf(NotFoundError);
  });

  it('caps inline policies at 10,240 characters per role and the trust policy at 2,048', async () => {
    const account = new SimulatedAccount(buildScenario());
    await account.ports.iam.putRolePolicy('app', 'big', bigStatement(9_900));
    expect(await rejection(account.ports.iam.putRolePolicy('app', 'more', bigStatement(200)))).toMatchObject({ code: 'LimitExceeded' });
    // Replacing a policy counts its new size, not both.
    await account.ports.iam.putRolePolicy('app', 'big', bigStatement(9_800));
    const trust = { ...EC2_TRUST, Statement: [...EC2_TRUST.Statement, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::111122223333:role/${'r'.repeat(2_000)}` }, Action: 'sts:AssumeRole' }] };
    expect(await rejection(account.ports.iam.updateAssumeRolePolicy('app', trust))).toMatchObject({ code: 'LimitExceeded', message: expect.stringMatching(/ACLSizePerRole: 2048/) });
    expect((await account.ports.iam.getRole('app'))?.trustPolicy).toEqual(EC2_TRUST);
  });

  it('rejects malformed documents and names missing entities', async () => {
    const account = new SimulatedAccount(buildScenario());
    expect(await rejection(account.ports.iam.putRolePolicy('app', 'p', { Statement: [{ Effect: 'Allow', Action: 's3:*' }] }))).toMatchObject({ name: 'AwsCallError', code: 'MalformedPolicyDocument' });
    expect(await rejection(account.ports.iam.updateAssumeRolePolicy('app', { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }))).toMatchObject({ code: 'MalformedPolicyDocument' });
    expect(await rejection(account.ports.iam.deleteRolePolicy('app', 'ghost'))).toBeInstanceOf(NotFoundError);
    expect(await rejection(account.ports.iam.listAttachedPolicies('ghost'))).toBeInstanceOf(NotFoundError);
    expect(await account.ports.iam.getRole('ghost')).toBeNull();
    expect(await account.ports.iam.getInstanceProfile('ghost')).toBeNull();
    expect(await account.ports.iam.getManagedPolicyDocument('arn:aws:iam::111122223333:policy/ghost')).toBeNull();
  });

  it('restores the exact previous documents on undo-like writes and reports them on read', async () => {
    const account = new SimulatedAccount(buildScenario());
    const before = await account.ports.iam.listInlinePolicies('app');
    await account.ports.iam.putRolePolicy('app', 'read-config', bigStatement(10));
    await account.ports.iam.putRolePolicy('app', 'read-config', before['read-config']!);
    expect(await account.ports.iam.listInlinePolicies('app')).toEqual(before);
    const role = await account.ports.iam.getRole('app');
    expect(role).toMatchObject({ name: 'app', path: '/', arn: 'arn:aws:iam::111122223333:role/app', permissionsBoundaryArn: null });
    expect(role?.roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    // Callers get copies: changing what a read returned changes nothing in the account.
    (role!.trustPolicy.Statement as Array<Record<string, unknown>>).length = 0;
    expect((await account.ports.iam.getRole('app'))?.trustPolicy).toEqual(EC2_TRUST);
  });
});
