import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { SIMULATED_APIS } from '../../../handlers/adapters/simulated/scenario.ts';
import { buildScenario, INSTANCE_ID, ROLE_ARN } from './build-scenario.ts';

const OBJECT = 'arn:aws:s3:::config-bucket/app.json';

describe('what an instance experiences in the simulated account', () => {
  it('loses its credentials when the profile is disassociated', async () => {
    const account = new SimulatedAccount(buildScenario({ instance: { instanceProfile: 'app' } }));
    expect((await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).allowed).toBe(true);
    const [association] = await account.ports.ec2.describeProfileAssociations(INSTANCE_ID);
    await account.ports.ec2.disassociateProfile(association!.associationId);
    expect(await account.ports.ec2.describeProfileAssociations(INSTANCE_ID)).toEqual([]);
    expect(await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).toMatchObject({ allowed: false, reason: expect.stringMatching(/disassociated/) });
    // A new association after a disassociation does not bring the old credentials back in the meantime.
    await account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' });
    expect((await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).allowed).toBe(false);
    account.clock.advance(5);
    expect((await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).allowed).toBe(true);
  });

  it('calls as the EC2 role session: instance ARN and principal keys satisfy conditions', async () => {
    const onlyThisInstance = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'ec2:SourceInstanceARN': `arn:aws:ec2:eu-west-1:111122223333:instance/${INSTANCE_ID}` } } }],
    };
    const account = new SimulatedAccount(buildScenario({ role: { inlinePolicies: { 'only-this-instance': onlyThisInstance } }, instance: { instanceProfile: 'app' } }));
    expect((await account.instanceCanCall(INSTANCE_ID, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111122223333:jobs')).allowed).toBe(true);
    // SimulatePrincipalPolicy without that context key cannot meet the condition, as in IAM.
    const [simulated] = await account.ports.iam.simulatePrincipalPolicy({ roleArn: ROLE_ARN, actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:111122223333:jobs'] });
    expect(simulated!.decision).toBe('implicitDeny');
  });

  it("meets the resource's own policy: a bucket policy deny blocks the instance, not the identity simulation", async () => {
    const bucketPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::config-bucket/*' }] };
    const account = new SimulatedAccount(buildScenario({ account: { resourcePolicies: { 'arn:aws:s3:::config-bucket': bucketPolicy } }, instance: { instanceProfile: 'app' } }));
    expect(await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).toMatchObject({ allowed: false, decision: 'explicitDeny', reason: expect.stringMatching(/resource policy/) });
    const [simulated] = await account.ports.iam.simulatePrincipalPolicy({ roleArn: ROLE_ARN, actions: ['s3:GetObject'], resources: [OBJECT] });
    expect(simulated!.decision).toBe('allowed');
  });

  it('delivers credentials only once a trust fix has propagated (previousTrustPolicy in the scenario, or a write)', async () => {
    const lambdaOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const scenario = buildScenario({ role: { updatedAt: '2026-10-02T07:59:58Z', previousTrustPolicy: lambdaOnly }, instance: { instanceProfile: 'app', associatedAt: '2026-10-02T06:00:00Z' } });
    const account = new SimulatedAccount(scenario);
    expect(await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).toMatchObject({ allowed: false, reason: expect.stringMatching(/trust policy of role app/) });
    account.clock.advance(2.9);
    expect((await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).allowed).toBe(false);
    // Not the hourly refresh: the instance without credentials gets them as soon as the fix has propagated.
    account.clock.advance(0.1);
    expect((await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).allowed).toBe(true);
    expect(account.snapshot().roles![0]).toMatchObject({ updatedAt: '2026-10-02T07:59:58.000Z', previousTrustPolicy: lambdaOnly });

    // A role's updatedAt alone changes nothing that is enforced.
    const marked = new SimulatedAccount(buildScenario({ role: { updatedAt: '2026-10-02T07:59:58Z' }, instance: { instanceProfile: 'app' } }));
    expect((await marked.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).allowed).toBe(true);
  });

  it('brings a pending instance to running, and only a running instance makes calls', async () => {
    const account = new SimulatedAccount(buildScenario({ instance: { state: 'pending', instanceProfile: 'app' } }));
    expect((await account.ports.ec2.describeInstance(INSTANCE_ID))?.state).toBe('pending');
    expect(await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).toMatchObject({ allowed: false, reason: expect.stringMatching(/pending/) });
    account.clock.advance(15);
    expect((await account.ports.ec2.describeInstance(INSTANCE_ID))?.state).toBe('running');
    expect((await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', OBJECT)).allowed).toBe(true);
  });

  it('logs every port call under an SDK operation name that a fault can target', async () => {
    const account = new SimulatedAccount(
      buildScenario({
        account: { launchTemplates: [{ id: 'lt-1', name: 'web', defaultVersion: 1, versions: [{ number: 1 }] }], autoScalingGroups: [{ name: 'web', launchTemplate: { id: 'lt-1' } }] },
        physics: { iamWritesPerSecond: 100 },
      }),
    );
    const { iam, ec2, autoScaling, sts } = account.ports;
    const trust = (await iam.getRole('app'))!.trustPolicy;
    await iam.listInlinePolicies('app');
    await iam.listAttachedPolicies('app');
    await iam.getManagedPolicyDocument('arn:aws:iam::aws:policy/ReadOnlyAccess');
    await iam.getInstanceProfile('app');
    await iam.listInstanceProfilesForRole('app');
    await iam.simulatePrincipalPolicy({ roleArn: ROLE_ARN, actions: ['s3:GetObject'] });
    await iam.updateAssumeRolePolicy('app', trust);
    await iam.attachRolePolicy('app', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    await iam.detachRolePolicy('app', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    await iam.putRolePolicy('app', 'x', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] });
    await iam.deleteRolePolicy('app', 'x');
    await iam.addRoleToInstanceProfile('empty', 'app');
    await iam.removeRoleFromInstanceProfile('empty', 'app');
    await ec2.describeInstance(INSTANCE_ID);
    const association = await ec2.associateProfile(INSTANCE_ID, { name: 'app' });
    account.clock.advance(2);
    await ec2.describeProfileAssociations(INSTANCE_ID);
    const replaced = await ec2.replaceProfileAssociation(association.associationId, { name: 'app' });
    await ec2.disassociateProfile(replaced.associationId);
    await ec2.describeLaunchTemplateVersion('lt-1', '$Latest');
    expect((await ec2.describeLaunchTemplateByName('web'))?.id).toBe('lt-1');
    await ec2.setDefaultLaunchTemplateVersion('lt-1', await ec2.createLaunchTemplateVersion('lt-1', 1, { name: 'app' }, 'profile'));
    await ec2.deleteLaunchTemplateVersion('lt-1', await ec2.createLaunchTemplateVersion('lt-1', 1, { name: 'app' }, 'unused'));
    await autoScaling.describeGroup('web');
    expect((await autoScaling.listGroups({})).map((g) => g.name)).toEqual(['web']);
    await autoScaling.setGroupLaunchTemplate('web', { id: 'lt-1', version: '2' });
    await sts.decodeAuthorizationMessage('x');
    await account.ports.cloudTrail!.lookupEvents({ attribute: { key: 'ResourceName', value: 'app' }, startTime: new Date(0), endTime: account.clock.now(), maxPages: 1, global: true });
    const apis = new Set(account.calls.map((c) => c.api));
    expect([...apis].sort()).toEqual([...SIMULATED_APIS].sort());
    expect(account.calls.every((c) => c.outcome === 'ok')).toBe(true);
    expect(account.counters).toMatchObject({ iamWrites: 7, ec2Writes: 8, throttled: 0 });
  });
});
