import { describe, expect, it } from 'vitest';
import { TransientAwsError } from '../../../handlers/core/ports.ts';
import { associateProfile } from '../../../handlers/core/remediations/associate-profile.ts';
import { account, action, INSTANCE } from './build-account.ts';

const associate = action('associate-profile', INSTANCE, { profileName: 'app' });

describe('associate-profile', () => {
  it('associates, then is a no-op, and undo removes exactly what it added', async () => {
    const a = account();
    const first = await associateProfile.apply(a.ports, associate);
    expect(first).toMatchObject({ result: 'done', before: { kind: 'association', instanceId: INSTANCE, association: null }, writes: { ec2: 1, iam: 0 } });
    expect(await associateProfile.apply(a.ports, associate)).toMatchObject({ result: 'already-done', writes: { ec2: 0, iam: 0 } });
    expect(a.counters.ec2Writes).toBe(1);
    await associateProfile.undo(a.ports, associate, first.before!);
    expect((await a.ports.ec2.describeInstance(INSTANCE))?.instanceProfileArn).toBeNull();
  });

  it('refuses when the instance already has another profile (that is replace-association)', async () => {
    const a = account({ instances: [{ id: INSTANCE, instanceProfile: 'reader' }] });
    await expect(associateProfile.apply(a.ports, associate)).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/already has profile reader/) });
    expect(a.counters.ec2Writes).toBe(0);
  });

  it('undo refuses to remove a profile someone else set since, saying what is there now; --force removes it', async () => {
    const a = account();
    const { before, after } = await associateProfile.apply(a.ports, associate);
    a.clock.advance(5);
    const [current] = await a.ports.ec2.describeProfileAssociations(INSTANCE);
    await a.ports.ec2.replaceProfileAssociation(current!.associationId, { name: 'reader' });
    await expect(associateProfile.undo(a.ports, associate, before!, { after })).rejects.toMatchObject({ name: 'UndoConflict', message: expect.stringMatching(/now has reader .*not the association of app/) });
    expect((await a.ports.ec2.describeInstance(INSTANCE))?.instanceProfileArn).toMatch(/instance-profile\/reader$/);
    expect(await associateProfile.undo(a.ports, associate, before!, { after, force: true })).toMatch(/disassociated reader/);
    expect((await a.ports.ec2.describeInstance(INSTANCE))?.instanceProfileArn).toBeNull();
  });

  it('lets a transient EC2 error propagate (the state machine retries by name), after one attempt', async () => {
    const a = account({}, { faults: [{ api: 'AssociateIamInstanceProfile', error: 'InvalidParameterValue', times: 1 }] });
    await expect(associateProfile.apply(a.ports, associate)).rejects.toBeInstanceOf(TransientAwsError);
    expect(a.calls.filter((c) => c.api === 'AssociateIamInstanceProfile')).toHaveLength(1);
    expect((await associateProfile.apply(a.ports, associate)).result).toBe('done');
  });
});
