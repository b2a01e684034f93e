import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { AwsCallError, NotFoundError, TransientAwsError } from '../../../handlers/core/ports.ts';
import { buildScenario, EC2_TRUST, INSTANCE_ID, rejection } from './build-scenario.ts';

const S3_READ = ['s3:GetObject', 'arn:aws:s3:::config-bucket/app.json'] as const;
const TEMPLATE = { id: 'lt-0123', name: 'web', defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }, { number: 2, iamInstanceProfile: 'app' }] };


describe('EC2 in the simulated account', () => {
  it('reads many instances and their associations in one call per 200 ids, leaving out ids it does not know', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    const instances = ids.map((id, i) => ({ id, state: 'running', instanceProfile: i % 2 ? 'app' : null }));
    const account = new SimulatedAccount(buildScenario({ account: { instances } }));
    const ec2 = account.ports.ec2;
    const found = await ec2.describeInstances([...ids, 'i-0unknown000000000']);
    const associations = await ec2.describeProfileAssociationsOfInstances(ids);
    expect(found.map((i) => i.id)).toEqual(ids);
    expect(associations.map((a) => a.instanceId)).toEqual(ids.filter((_, i) => i % 2));
    expect(associations.every((a) => a.state === 'associated')).toBe(true);
    expect(account.calls.filter((c) => c.api === 'DescribeInstances')).toHaveLength(2);
    expect(account.calls.filter((c) => c.api === 'DescribeIamInstanceProfileAssociations')).toHaveLength(2);
  });

  it('associates a profile: associating, associated after ~2 s, and the instance can call once credentials arrive', async () => {
    const account = new SimulatedAccount(buildScenario());
    const ec2 = account.ports.ec2;
    expect(await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).toMatchObject({ allowed: false, role: null });
    expect((await ec2.describeInstance(INSTANCE_ID))?.instanceProfileArn).toBeNull();

    const association = await ec2.associateProfile(INSTANCE_ID, { name: 'app' });
    expect(association).toMatchObject({ instanceId: INSTANCE_ID, instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/app', state: 'associating' });
    expect((await ec2.describeInstance(INSTANCE_ID))?.instanceProfileArn).toBe('arn:aws:iam::111122223333:instance-profile/app');
    account.clock.advance(2);
    expect(await ec2.describeProfileAssociations(INSTANCE_ID)).toEqual([{ ...association, state: 'associated' }]);
    expect((await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).allowed).toBe(false);
    account.clock.advance(3);
    expect(await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).toMatchObject({ allowed: true, role: 'app', decision: 'allowed' });
  });

  it('refuses a second association with IncorrectState, as EC2 does', async () => {
    const account = new SimulatedAccount(buildScenario());
    await account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' });
    const err = await rejection(account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' }));
    expect(err).toBeInstanceOf(TransientAwsError);
    expect(err.code).toBe('IncorrectState');
    expect(err.message).toMatch(/existing association/);
    expect(await account.ports.ec2.describeProfileAssociations(INSTANCE_ID)).toHaveLength(1);
  });

  it('replaces an association with a new id and refreshes the credentials to the new profile role', async () => {
    const scenario = buildScenario({
      account: {
        roles: [
          { name: 'app', trustPolicy: EC2_TRUST },
          { name: 'reader', trustPolicy: EC2_TRUST, inlinePolicies: { read: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } } },
        ],
        instanceProfiles: [{ name: 'app', roles: ['app'] }, { name: 'reader', roles: ['reader'] }],
      },
      instance: { instanceProfile: 'app' },
    });
    const account = new SimulatedAccount(scenario);
    expect(await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).toMatchObject({ allowed: false, role: 'app' });
    const [current] = await account.ports.ec2.describeProfileAssociations(INSTANCE_ID);
    const replaced = await account.ports.ec2.replaceProfileAssociation(current!.associationId, { name: 'reader' });
    expect(replaced.associationId).not.toBe(current!.associationId);
    // No gap: the old credentials serve until the new ones are delivered.
    expect((await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).role).toBe('app');
    account.clock.advance(5);
    expect(await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).toMatchObject({ allowed: true, role: 'reader' });
    expect(await account.ports.ec2.describeProfileAssociations(INSTANCE_ID)).toEqual([{ ...replaced, state: 'associated' }]);
    expect((await rejection(account.ports.ec2.replaceProfileAssociation(current!.associationId, { name: 'app' }))).message).toMatch(/InvalidAssociationID\.NotFound/);
  });

  it('delivers a role swapped inside the profile only at the next credential refresh, or at once through replace', async () => {
    const scenario = buildScenario({
      account: {
        roles: [
          { name: 'app', trustPolicy: EC2_TRUST },
          { name: 'reader', trustPolicy: EC2_TRUST, inlinePolicies: { read: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } } },
        ],
      },
      instance: { instanceProfile: 'app' },
    });
    const account = new SimulatedAccount(scenario);
    await account.ports.iam.removeRoleFromInstanceProfile('app', 'app');
    await account.ports.iam.addRoleToInstanceProfile('app', 'reader');
    account.clock.advance(60);
    expect(await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).toMatchObject({ allowed: false, role: 'app' });
    account.clock.advance(3600);
    expect(await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).toMatchObject({ allowed: true, role: 'reader' });
  });

  it('answers InvalidParameterValue for a profile whose role changed moments ago, until it propagates', async () => {
    const account = new SimulatedAccount(buildScenario());
    await account.ports.iam.addRoleToInstanceProfile('empty', 'app');
    const err = await rejection(account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'empty' }));
    expect(err).toBeInstanceOf(TransientAwsError);
    expect(err).toMatchObject({ code: 'InvalidParameterValue', message: expect.stringMatching(/Invalid IAM Instance Profile name/) });
    account.clock.advance(5);
    expect((await account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'empty' })).state).toBe('associating');
  });

  it('replaces the association of a running instance only, as EC2 does', async () => {
    const account = new SimulatedAccount(buildScenario({ account: { instances: [{ id: 'i-0aaa0000000000001', state: 'stopped' }] } }));
    const made = await account.ports.ec2.associateProfile('i-0aaa0000000000001', { name: 'app' });
    account.clock.advance(5);
    const refused = await rejection(account.ports.ec2.replaceProfileAssociation(made.associationId, { name: 'app' }));
    expect(refused).toMatchObject({ code: 'IncorrectState', message: expect.stringContaining("is not in the 'running' state") });
    expect(await account.ports.ec2.describeProfileAssociations('i-0aaa0000000000001')).toEqual([expect.objectContaining({ associationId: made.associationId, state: 'associated' })]);
  });

  it('refuses unknown instances, profiles and stopped-or-terminated states with EC2 codes', async () => {
    const account = new SimulatedAccount(buildScenario({ account: { instances: [{ id: 'i-0dead', state: 'terminated' }] } }));
    expect(await rejection(account.ports.ec2.associateProfile('i-0ffff', { name: 'app' }))).toBeInstanceOf(NotFoundError);
    // EC2's answer for an instance that is not running or stopped: IncorrectInstanceState, whatever the profile.
    const terminated = await rejection(account.ports.ec2.associateProfile('i-0dead', { name: 'app' }));
    expect(terminated).toMatchObject({ code: 'IncorrectInstanceState', message: expect.stringContaining("is not in the 'running' or 'stopped' states") });
    expect((await rejection(account.ports.ec2.associateProfile('i-0dead', { arn: 'arn:aws:iam::111122223333:instance-profile/ghost' }))).code).toBe('IncorrectInstanceState');
    expect(await account.ports.ec2.describeInstance('i-0ffff')).toBeNull();
    const unknownProfile = await rejection(new SimulatedAccount(buildScenario()).ports.ec2.associateProfile(INSTANCE_ID, { name: 'ghost' }));
    expect(unknownProfile).toMatchObject({ code: 'InvalidParameterValue' });
  });

  it('terminates an instance at terminatesAt: shutting-down, terminated 30 s later with its association ended, unknown to EC2 an hour after', async () => {
    const start = Date.parse('2026-10-01T12:00:00Z');
    const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
    const account = new SimulatedAccount(buildScenario({
      physics: { startTime: at(0) },
      account: { instances: [{ id: 'i-0aaa', state: 'running', instanceProfile: null, terminatesAt: at(10) }, { id: 'i-0bbb', state: 'running', instanceProfile: 'app', terminatesAt: at(10) }] },
    }));
    const ec2 = account.ports.ec2;
    expect((await ec2.describeInstance('i-0aaa'))?.state).toBe('running');
    account.clock.advance(10);
    expect((await ec2.describeInstance('i-0aaa'))?.state).toBe('shutting-down');
    expect(await rejection(ec2.associateProfile('i-0aaa', { name: 'app' }))).toMatchObject({ name: 'TransientAwsError', code: 'IncorrectInstanceState' });
    expect(await ec2.describeProfileAssociations('i-0bbb')).toHaveLength(1);
    account.clock.advance(30);
    expect((await ec2.describeInstance('i-0bbb'))?.state).toBe('terminated');
    expect(await ec2.describeProfileAssociations('i-0bbb')).toEqual([]);
    expect(await ec2.describeProfileAssociationsOfInstances(['i-0aaa', 'i-0bbb'])).toEqual([]);
    account.clock.advance(3600);
    expect(await ec2.describeInstance('i-0aaa')).toBeNull();
    expect((await ec2.describeInstances(['i-0aaa', 'i-0bbb']))).toEqual([]);
    expect(await rejection(ec2.associateProfile('i-0aaa', { name: 'app' }))).toBeInstanceOf(NotFoundError);
    expect(account.snapshot().instances!.find((i) => i.id === 'i-0aaa')).toMatchObject({ state: 'terminated', terminatesAt: at(10) });
  });

  it('resolves $Default and $Latest, keeps versions immutable and moves the default', async () => {
    const account = new SimulatedAccount(buildScenario({ account: { launchTemplates: [TEMPLATE] } }));
    const ec2 = account.ports.ec2;
    expect(await ec2.describeLaunchTemplateVersion('lt-0123', '$Default')).toMatchObject({ versionNumber: 1, defaultVersion: true, iamInstanceProfile: null });
    expect(await ec2.describeLaunchTemplateVersion('lt-0123', '$Latest')).toMatchObject({ versionNumber: 2, defaultVersion: false, iamInstanceProfile: { name: 'app' } });
    const created = await ec2.createLaunchTemplateVersion('lt-0123', 1, { name: 'app' }, 'add the instance profile');
    expect(created).toBe(3);
    expect(await ec2.describeLaunchTemplateVersion('lt-0123', '1')).toMatchObject({ iamInstanceProfile: null });
    await ec2.setDefaultLaunchTemplateVersion('lt-0123', 3);
    expect(await ec2.describeLaunchTemplateVersion('lt-0123', '$Default')).toMatchObject({ versionNumber: 3, defaultVersion: true, iamInstanceProfile: { name: 'app' } });
    expect(await ec2.describeLaunchTemplateVersion('lt-0123', '9')).toBeNull();
    expect(await ec2.describeLaunchTemplateVersion('lt-none', '1')).toBeNull();
    expect((await rejection(ec2.setDefaultLaunchTemplateVersion('lt-0123', 9))).message).toMatch(/InvalidLaunchTemplateId\.VersionNotFound/);
    expect(account.counters.ec2Writes).toBe(2);
  });

  it('lists an Auto Scaling group with its members and tags and points it at another template version', async () => {
    const account = new SimulatedAccount(
      buildScenario({
        account: {
          launchTemplates: [{ ...TEMPLATE, tags: { autoheal: 'on' } }],
          autoScalingGroups: [{ name: 'web', launchTemplate: { id: 'lt-0123', version: '$Default' }, tags: { autoheal: 'on' } }],
        },
        instance: { autoScalingGroup: 'web', launchTemplate: { id: 'lt-0123', version: '1' } },
      }),
    );
    expect(await account.ports.autoScaling.describeGroup('web')).toEqual({
      name: 'web', launchTemplate: { id: 'lt-0123', version: '$Default' }, instanceIds: [INSTANCE_ID], tags: { autoheal: 'on' },
    });
    expect((await account.ports.ec2.describeLaunchTemplateVersion('lt-0123', '$Default'))?.tags).toEqual({ autoheal: 'on' });
    expect((await account.ports.ec2.describeInstance(INSTANCE_ID))?.tags['aws:autoscaling:groupName']).toBe('web');
    await account.ports.autoScaling.setGroupLaunchTemplate('web', { id: 'lt-0123', version: '2' });
    expect((await account.ports.autoScaling.describeGroup('web'))?.launchTemplate).toEqual({ id: 'lt-0123', version: '2' });
    expect(await account.ports.autoScaling.describeGroup('nope')).toBeNull();
    expect(await rejection(account.ports.autoScaling.setGroupLaunchTemplate('nope', { id: 'lt-0123', version: '2' }))).toBeInstanceOf(AwsCallError);
    expect(await rejection(account.ports.autoScaling.setGroupLaunchTemplate('web', { id: 'lt-0123', version: '7' }))).toMatchObject({ code: 'ValidationError' });
    expect(account.snapshot().autoScalingGroups![0]!.launchTemplate).toEqual({ id: 'lt-0123', version: '2' });
  });

  it('keeps holding stale credentials of the role named by credentialsRole until replaced', async () => {
    const scenario = buildScenario({
      account: { roles: [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { read: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } } }, { name: 'old', trustPolicy: EC2_TRUST }] },
      instance: { instanceProfile: 'app', credentialsRole: 'old', associatedAt: '2026-09-30T10:00:00Z' },
      physics: { credentialRefreshSeconds: 21_600 },
    });
    const account = new SimulatedAccount(scenario);
    expect(await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).toMatchObject({ allowed: false, role: 'old' });
    account.clock.advance(3600);
    expect((await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).role).toBe('old');
    const [current] = await account.ports.ec2.describeProfileAssociations(INSTANCE_ID);
    await account.ports.ec2.replaceProfileAssociation(current!.associationId, { name: 'app' });
    account.clock.advance(5);
    expect(await account.instanceCanCall(INSTANCE_ID, ...S3_READ)).toMatchObject({ allowed: true, role: 'app' });
  });
});
