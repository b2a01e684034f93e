import { describe, expect, it } from 'vitest';
import { AwsCallError, NotFoundError, TransientAwsError, type Ec2Port, type InstanceInfo } from '../../../handlers/core/ports.ts';
import { associateProfile } from '../../../handlers/core/remediations/associate-profile.ts';
import { goneNote, skippedIfGone } from '../../../handlers/core/remediations/instance-gone.ts';
import { replaceAssociation } from '../../../handlers/core/remediations/replace-association.ts';
import { START } from '../../scenarios/causes/harness.ts';
import { account, action, INSTANCE } from './build-account.ts';

const associate = action('associate-profile', INSTANCE, { profileName: 'app' });
const terminatesAt = (seconds: number) => new Date(Date.parse(START) + seconds * 1000).toISOString();

describe('an instance terminated between the diagnosis and its change (scale-in, Spot)', () => {
  it('associate-profile is skipped while the instance shuts down: no write, the detail says it is gone', async () => {
    const a = account({ instances: [{ id: INSTANCE, state: 'running', instanceProfile: null, terminatesAt: terminatesAt(5) }] });
    a.clock.advance(6);
    const outcome = await associateProfile.apply(a.ports, associate);
    expect(outcome).toEqual({
      result: 'skipped', before: null, after: { instanceId: INSTANCE, state: 'shutting-down' },
      detail: `instance ${INSTANCE} no longer exists (shutting-down)`, writes: { iam: 0, ec2: 0 },
    });
    expect(a.counters.ec2Writes).toBe(0);
    // EC2 was asked (and refused with IncorrectInstanceState): the skip is its answer, not a guess made beforehand.
    expect(a.calls.filter((c) => c.api === 'AssociateIamInstanceProfile').map((c) => c.outcome)).toEqual(['error:IncorrectInstanceState']);
  });

  it('associate-profile is skipped for a terminated instance, and for one EC2 no longer knows', async () => {
    const a = account({ instances: [{ id: INSTANCE, state: 'running', instanceProfile: null, terminatesAt: terminatesAt(5) }] });
    a.clock.advance(40);
    expect(await associateProfile.apply(a.ports, associate)).toMatchObject({ result: 'skipped', detail: `instance ${INSTANCE} no longer exists (terminated)` });
    a.clock.advance(3600);
    expect(await associateProfile.apply(a.ports, associate)).toMatchObject({ result: 'skipped', detail: `instance ${INSTANCE} no longer exists (unknown to EC2)` });
  });

  it('a pending instance is not gone: its IncorrectInstanceState goes to the retry', async () => {
    const a = account({ instances: [{ id: INSTANCE, state: 'pending', instanceProfile: null, launchTime: START }] });
    await expect(associateProfile.apply(a.ports, associate)).rejects.toMatchObject({ name: 'TransientAwsError', code: 'IncorrectInstanceState' });
    a.clock.advance(20);
    expect((await associateProfile.apply(a.ports, associate)).result).toBe('done');
  });

  it('replace-association is skipped when the instance terminated (its association ended with it)', async () => {
    const a = account({ instances: [{ id: INSTANCE, state: 'running', instanceProfile: 'reader', terminatesAt: terminatesAt(5) }] });
    const [seen] = await a.ports.ec2.describeProfileAssociations(INSTANCE);
    a.clock.advance(40);
    const swap = action('replace-association', INSTANCE, { profileName: 'app', associationId: seen!.associationId });
    expect(await replaceAssociation.apply(a.ports, swap)).toMatchObject({ result: 'skipped', writes: { iam: 0, ec2: 0 }, detail: `instance ${INSTANCE} no longer exists (terminated)` });
    expect(a.counters.ec2Writes).toBe(0);
  });

  it('replace-association is skipped when the instance terminates between reading its association and the write', async () => {
    const a = account({ instances: [{ id: INSTANCE, state: 'running', instanceProfile: 'reader', terminatesAt: terminatesAt(5) }] });
    const swap = action('replace-association', INSTANCE, { profileName: 'app' });
    const state = await replaceAssociation.readBefore(a.ports, swap);
    a.clock.advance(40);
    expect(await replaceAssociation.apply(a.ports, swap, { recorded: state!, current: state! })).toMatchObject({ result: 'skipped' });
    expect(a.calls.filter((c) => c.api === 'ReplaceIamInstanceProfileAssociation').map((c) => c.outcome)).toEqual(['error:InvalidAssociationID.NotFound']);
  });

  it('undo of a skipped action has nothing to restore', async () => {
    const a = account({ instances: [{ id: INSTANCE, state: 'running', instanceProfile: null, terminatesAt: terminatesAt(0) }] });
    a.clock.advance(40);
    await associateProfile.apply(a.ports, associate);
    expect(await associateProfile.undo(a.ports, associate, { kind: 'association', instanceId: INSTANCE, association: null })).toMatch(/has no profile already/);
    expect(a.counters.ec2Writes).toBe(0);
  });
});

describe('skippedIfGone', () => {
  const ec2 = (instance: InstanceInfo | null | Error) => ({
    async describeInstance() {
      if (instance instanceof Error) throw instance;
      return instance;
    },
  }) as unknown as Ec2Port;
  const running = { id: INSTANCE, state: 'running', instanceProfileArn: null, launchTemplate: null, autoScalingGroup: null, tags: {} } as InstanceInfo;

  it('keeps the original error when the instance is still there, when the error cannot mean gone, and when the read fails', async () => {
    const incorrect = new TransientAwsError("IncorrectInstanceState: The instance 'i-0' is not in the 'running' or 'stopped' states.", 'IncorrectInstanceState');
    await expect(skippedIfGone(ec2(running), INSTANCE, incorrect)).rejects.toBe(incorrect);
    const denied = new AwsCallError('UnauthorizedOperation: no', 'UnauthorizedOperation');
    await expect(skippedIfGone(ec2(null), INSTANCE, denied)).rejects.toBe(denied);
    const notFound = new NotFoundError('InvalidInstanceID.NotFound: gone');
    await expect(skippedIfGone(ec2(new TransientAwsError('InternalError: x', 'InternalError')), INSTANCE, notFound)).rejects.toBe(notFound);
    expect(await skippedIfGone(ec2(null), INSTANCE, notFound)).toMatchObject({ result: 'skipped', detail: `instance ${INSTANCE} no longer exists (unknown to EC2)` });
  });

  it('goneNote counts the skipped instance actions only', () => {
    expect(goneNote([{ type: 'associate-profile', result: 'done' }])).toBe('');
    expect(goneNote([{ type: 'associate-profile', result: 'skipped' }])).toBe('; 1 instance was terminated before its change (skipped, nothing written)');
    expect(goneNote([{ type: 'associate-profile', result: 'skipped' }, { type: 'replace-association', result: 'skipped' }, { type: 'wait', result: 'skipped' }]))
      .toBe('; 2 instances were terminated before their change (skipped, nothing written)');
  });
});
