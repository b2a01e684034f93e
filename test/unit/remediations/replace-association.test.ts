import { describe, expect, it } from 'vitest';
import { replaceAssociation } from '../../../handlers/core/remediations/replace-association.ts';
import { account, action, INSTANCE } from './build-account.ts';

describe('replace-association', () => {
  it('swaps the profile in place (new association id, no disassociate) and undo puts the previous profile back', async () => {
    const a = account({ instances: [{ id: INSTANCE, instanceProfile: 'reader' }] });
    const [old] = await a.ports.ec2.describeProfileAssociations(INSTANCE);
    const swap = action('replace-association', INSTANCE, { profileName: 'app' });
    const outcome = await replaceAssociation.apply(a.ports, swap);
    expect(outcome.before).toEqual({ kind: 'association', instanceId: INSTANCE, associationId: old!.associationId, profileArn: old!.instanceProfileArn });
    expect((outcome.after as { associationId: string }).associationId).not.toBe(old!.associationId);
    expect(a.calls.map((c) => c.api)).not.toContain('DisassociateIamInstanceProfile');
    expect((await replaceAssociation.apply(a.ports, swap)).result).toBe('already-done');
    // EC2 refuses to replace an association that is still being made (IncorrectState): wait it out.
    a.clock.advance(5);
    await replaceAssociation.undo(a.ports, swap, outcome.before!);
    expect((await a.ports.ec2.describeInstance(INSTANCE))?.instanceProfileArn).toBe(old!.instanceProfileArn);
  });

  it('refreshes the same profile once: the association seen at diagnosis is replaced, a second run is a no-op', async () => {
    const a = account({ instances: [{ id: INSTANCE, instanceProfile: 'app' }] });
    const [seen] = await a.ports.ec2.describeProfileAssociations(INSTANCE);
    const refresh = action('replace-association', INSTANCE, { profileName: 'app', associationId: seen!.associationId });
    expect((await replaceAssociation.apply(a.ports, refresh)).result).toBe('done');
    expect((await replaceAssociation.apply(a.ports, refresh)).result).toBe('already-done');
    expect(a.counters.ec2Writes).toBe(1);
  });

  it('refuses an instance without an association', async () => {
    await expect(replaceAssociation.apply(account().ports, action('replace-association', INSTANCE, { profileName: 'app' }))).rejects.toMatchObject({ name: 'RemediationRefused' });
  });
});

describe('replace-association against a changed association (never undo an incident response)', () => {
  it('refuses when the association is no longer the one the diagnosis saw: a quarantine profile swapped in is kept', async () => {
    const a = account({ instances: [{ id: INSTANCE, instanceProfile: 'app' }] });
    const [seen] = await a.ports.ec2.describeProfileAssociations(INSTANCE);
    a.clock.advance(5);
    // A responder swaps in another profile between diagnosis and apply.
    await a.ports.ec2.replaceProfileAssociation(seen!.associationId, { name: 'reader' });
    a.clock.advance(5);
    const refresh = action('replace-association', INSTANCE, { profileName: 'app', associationId: seen!.associationId });
    const writes = a.counters.ec2Writes;
    await expect(replaceAssociation.apply(a.ports, refresh)).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/now associated with reader .*not the association .* the diagnosis saw/) });
    expect(a.counters.ec2Writes).toBe(writes);
    expect((await a.ports.ec2.describeInstance(INSTANCE))?.instanceProfileArn).toMatch(/instance-profile\/reader$/);
  });

  it('undo refuses a previous profile that was deleted, as a permanent refusal (no retries)', async () => {
    const a = account({ instances: [{ id: INSTANCE, instanceProfile: 'reader' }] });
    const swap = action('replace-association', INSTANCE, { profileName: 'app' });
    const outcome = await replaceAssociation.apply(a.ports, swap);
    a.clock.advance(5);
    const before = { ...outcome.before!, profileArn: outcome.before!['profileArn']!.toString().replace('/reader', '/deleted-profile') };
    const calls = a.calls.length;
    await expect(replaceAssociation.undo(a.ports, swap, before, { after: outcome.after })).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/deleted-profile .* no longer exists/) });
    expect(a.calls.slice(calls).map((c) => c.api)).not.toContain('ReplaceIamInstanceProfileAssociation');
  });
});
