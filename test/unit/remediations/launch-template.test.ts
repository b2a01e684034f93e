import { describe, expect, it } from 'vitest';
import { createLaunchTemplateVersion } from '../../../handlers/core/remediations/create-launch-template-version.ts';
import { setDefaultLaunchTemplateVersion } from '../../../handlers/core/remediations/set-default-launch-template-version.ts';
import { updateAutoScalingGroup } from '../../../handlers/core/remediations/update-auto-scaling-group.ts';
import { account, action } from './build-account.ts';

const TEMPLATE = { id: 'lt-0123', name: 'web', defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }] };

describe('launch template remediations', () => {
  it('a version that carries the profile is created once', async () => {
    const a = account({ launchTemplates: [TEMPLATE] });
    const create = action('create-launch-template-version', 'lt-0123', { sourceVersion: 1, profileName: 'app' });
    expect(await createLaunchTemplateVersion.apply(a.ports, create)).toMatchObject({ result: 'done', after: { version: 2 } });
    expect(await createLaunchTemplateVersion.apply(a.ports, create)).toMatchObject({ result: 'already-done', after: { version: 2 } });
    expect(await a.ports.ec2.describeLaunchTemplateVersion('lt-0123', '2')).toMatchObject({ iamInstanceProfile: { name: 'app' } });
  });

  it('undo deletes the created version once the default is back on the old one; the default itself is never deleted', async () => {
    const a = account({ launchTemplates: [TEMPLATE] });
    const create = action('create-launch-template-version', 'lt-0123', { sourceVersion: 1, profileName: 'app' });
    const setDefault = action('set-default-launch-template-version', 'lt-0123', { profileName: 'app' });
    const created = await createLaunchTemplateVersion.apply(a.ports, create);
    const defaulted = await setDefaultLaunchTemplateVersion.apply(a.ports, setDefault);
    await expect(createLaunchTemplateVersion.undo(a.ports, create, created.before!)).rejects.toThrow(/default version 2/);
    await setDefaultLaunchTemplateVersion.undo(a.ports, setDefault, defaulted.before!);
    expect(await createLaunchTemplateVersion.undo(a.ports, create, created.before!)).toBe('deleted version 2 of lt-0123');
    expect(await a.ports.ec2.describeLaunchTemplateVersion('lt-0123', '2')).toBeNull();
    expect(await a.ports.ec2.describeLaunchTemplateVersion('lt-0123', '$Latest')).toMatchObject({ versionNumber: 1, defaultVersion: true });
    expect(await createLaunchTemplateVersion.undo(a.ports, create, created.before!)).toBe('version 2 of lt-0123 is already gone');
  });

  it('set-default and the group update refuse until a version carries the profile (template first)', async () => {
    const a = account({ launchTemplates: [TEMPLATE], autoScalingGroups: [{ name: 'web', launchTemplate: { id: 'lt-0123', version: '1' } }] });
    await expect(setDefaultLaunchTemplateVersion.apply(a.ports, action('set-default-launch-template-version', 'lt-0123', { profileName: 'app' }))).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/create a version with it first/) });
    await expect(updateAutoScalingGroup.apply(a.ports, action('update-auto-scaling-group', 'web', { launchTemplateId: 'lt-0123', profileName: 'app' }))).rejects.toMatchObject({ name: 'RemediationRefused' });
    expect(a.counters.ec2Writes).toBe(0);
  });
});
