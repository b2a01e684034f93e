import { describe, expect, it } from 'vitest';
import { attachPolicy } from '../../../handlers/core/remediations/attach-policy.ts';
import { putInlinePolicy } from '../../../handlers/core/remediations/put-inline-policy.ts';
import { addRoleToProfile } from '../../../handlers/core/remediations/add-role-to-profile.ts';
import { mergeTrust } from '../../../handlers/core/remediations/merge-trust.ts';
import { policySize } from '../../../handlers/core/policy/statements.ts';
import { EC2_TRUST } from '../../scenarios/causes/harness.ts';
import { account, action } from './build-account.ts';

const ARN = (n: number) => `arn:aws:iam::111122223333:policy/p${n}`;
const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:111122223333:jobs' }] };

describe('attach-policy', () => {
  it('refuses an eleventh managed policy before writing', async () => {
    const policies = Array.from({ length: 11 }, (_, i) => ({ arn: ARN(i), document: DOC }));
    const a = account({ policies, roles: [{ name: 'app', trustPolicy: EC2_TRUST, managedPolicies: policies.slice(0, 10).map((p) => p.arn) }] });
    await expect(attachPolicy.apply(a.ports, action('attach-policy', 'app', { policyArn: ARN(10) }))).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/already has 10 managed policies/) });
    expect(a.counters.iamWrites).toBe(0);
  });

  it('is a no-op when already attached; undo leaves a policy that was attached before', async () => {
    const a = account({ policies: [{ arn: ARN(1), document: DOC }], roles: [{ name: 'app', trustPolicy: EC2_TRUST, managedPolicies: [ARN(1)] }] });
    const attach = action('attach-policy', 'app', { policyArn: ARN(1) });
    expect(await attachPolicy.apply(a.ports, attach)).toMatchObject({ result: 'already-done', before: null });
    expect(await attachPolicy.undo(a.ports, attach, { kind: 'attached-policy', policyArn: ARN(1), attached: true })).toMatch(/left attached/);
    expect((await a.ports.iam.listAttachedPolicies('app')).map((p) => p.arn)).toEqual([ARN(1)]);
  });
});

describe('put-inline-policy', () => {
  it('refuses when the inline total would pass 10,240 characters, before writing', async () => {
    const queues = (n: number) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: Array.from({ length: n }, (_, i) => `arn:aws:sqs:eu-west-1:111122223333:queue-${i}`) }] });
    let n = 1;
    while (policySize(queues(n + 1)) <= 10_240) n++;
    // Under the quota alone, over it with DOC beside it.
    const padding = queues(n);
    expect(policySize(padding)).toBeLessThanOrEqual(10_240);
    const a = account({ roles: [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { big: padding } }] });
    await expect(putInlinePolicy.apply(a.ports, action('put-inline-policy', 'app', { policyName: 'more', document: DOC }))).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/over the 10240-character quota/) });
    expect(a.counters.iamWrites).toBe(0);
  });

  it('records the exact previous document of a policy it replaces, and undo restores it', async () => {
    const previous = { Version: '2012-10-17', Statement: [{ Sid: 'Old', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::config-bucket' }] };
    const a = account({ roles: [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { 'iam-autoheal-expected': previous } }] });
    const put = action('put-inline-policy', 'app', { policyName: 'iam-autoheal-expected', document: DOC });
    const outcome = await putInlinePolicy.apply(a.ports, put);
    expect(outcome.before).toEqual({ kind: 'inline-policy', roleName: 'app', policyName: 'iam-autoheal-expected', document: previous });
    expect((await putInlinePolicy.apply(a.ports, put)).result).toBe('already-done');
    await putInlinePolicy.undo(a.ports, put, outcome.before!);
    expect((await a.ports.iam.listInlinePolicies('app'))['iam-autoheal-expected']).toEqual(previous);
  });
});

describe('put-inline-policy of two incidents on one role', () => {
  it('merges at apply time: each adds its statements, neither overwrites the other, and undo of the first refuses to drop the second', async () => {
    const a = account();
    const read = { Sid: 'ReadConfig', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::config-bucket/*' };
    const queue = { Sid: 'SendJobs', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:111122223333:jobs' };
    // Both diagnoses saw the role without the policy and computed their document from that.
    const first = action('put-inline-policy', 'app', { policyName: 'iam-autoheal-expected', document: { Version: '2012-10-17', Statement: [read] } });
    const second = action('put-inline-policy', 'app', { policyName: 'iam-autoheal-expected', document: { Version: '2012-10-17', Statement: [queue] } });
    const one = await putInlinePolicy.apply(a.ports, first);
    const two = await putInlinePolicy.apply(a.ports, second);
    expect((await a.ports.iam.listInlinePolicies('app'))['iam-autoheal-expected']?.Statement).toEqual([read, queue]);
    expect(two.before).toMatchObject({ document: { Statement: [read] } });
    await expect(putInlinePolicy.undo(a.ports, first, one.before!, { after: one.after })).rejects.toMatchObject({ name: 'UndoConflict' });
    expect(await putInlinePolicy.undo(a.ports, second, two.before!, { after: two.after })).toMatch(/restored/);
    expect(await putInlinePolicy.undo(a.ports, first, one.before!, { after: one.after })).toMatch(/deleted inline policy/);
    expect(await a.ports.iam.listInlinePolicies('app')).not.toHaveProperty('iam-autoheal-expected');
  });
});

describe('add-role-to-profile', () => {
  it('refuses a profile that already holds another role (one role per profile)', async () => {
    const a = account();
    await expect(addRoleToProfile.apply(a.ports, action('add-role-to-profile', 'reader', { roleName: 'app' }))).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/already holds reader/) });
  });
});

describe('merge-trust', () => {
  it('is a no-op for a role EC2 may already assume', async () => {
    const a = account();
    expect(await mergeTrust.apply(a.ports, action('merge-trust', 'app'))).toMatchObject({ result: 'already-done', writes: { iam: 0, ec2: 0 } });
    expect(a.counters.iamWrites).toBe(0);
  });

  it('refuses, naming the reason, a trust that denies EC2 explicitly', async () => {
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const a = account({ roles: [{ name: 'app', trustPolicy: deny }] });
    await expect(mergeTrust.apply(a.ports, action('merge-trust', 'app'))).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/denies ec2.amazonaws.com explicitly/) });
  });
});
