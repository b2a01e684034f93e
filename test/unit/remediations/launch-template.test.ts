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

  it('set-default and the group update refuse until a version carries the profile (template first)', async () => {
    const a = account({ launchTemplates: [TEMPLATE], autoScalingGroups: [{ name: 'web', launchTemplate: { id: 'lt-0123', version: '1' } }] });
    await expect(setDefaultLaunchTemplateVersion.apply(a.ports, action('set-default-launch-template-version', 'lt-0123', { profileName: 'app' }))).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/create a version with it first/) });
    await expect(updateAutoScalingGroup.apply(a.ports, action('update-auto-scaling-group', 'web', { launchTemplateId: 'lt-0123', profileName: 'app' }))).rejects.toMatchObject({ name: 'RemediationRefused' });
    expect(a.counters.ec2Writes).toBe(0);
  });
});
