/** Makes the newest version (the one carrying the profile) the template's default, so every later launch gets it. */
import { ARN, beforeField, carriesProfile, latestVersionWithProfile, stringParam } from './lookups.ts';
import { RemediationRefusedError } from './errors.ts';
import type { Remediation } from './types.ts';

export const setDefaultLaunchTemplateVersion: Remediation = {
  type: 'set-default-launch-template-version',
  causes: ['stale-launch-template'],
  description: 'Make the launch template version that carries the expected profile the default.',
  permissions: [
    { actions: ['ec2:ModifyLaunchTemplate'], resources: [ARN.launchTemplate], taggable: true },
    { actions: ['ec2:DescribeLaunchTemplateVersions'], resources: [ARN.any] },
  ],
  appliesTo: ['launch-template:default-without-profile'],
  writes: 'ec2',

  async apply(ports, action) {
    const profileName = stringParam(action, 'profileName');
    const current = await ports.ec2.describeLaunchTemplateVersion(action.target, '$Default');
    if (!current) throw new RemediationRefusedError(`launch template ${action.target} does not exist`);
    if (carriesProfile(current, profileName)) {
      return { result: 'already-done', before: null, after: { launchTemplateId: action.target, defaultVersion: current.versionNumber }, detail: `default version ${current.versionNumber} of ${action.target} already carries ${profileName}`, writes: { iam: 0, ec2: 0 } };
    }
    const target = await latestVersionWithProfile(ports.ec2, action.target, profileName);
    await ports.ec2.setDefaultLaunchTemplateVersion(action.target, target.versionNumber);
    return {
      result: 'done',
      before: { kind: 'default-version', launchTemplateId: action.target, version: current.versionNumber },
      after: { launchTemplateId: action.target, defaultVersion: target.versionNumber },
      detail: `default version of ${action.target} is now ${target.versionNumber} (was ${current.versionNumber})`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before) {
    const version = beforeField<number>(before, 'version');
    const current = await ports.ec2.describeLaunchTemplateVersion(action.target, '$Default');
    if (current?.versionNumber === version) return `default version of ${action.target} is already ${version}`;
    await ports.ec2.setDefaultLaunchTemplateVersion(action.target, version);
    return `default version of ${action.target} restored to ${version}`;
  },
};
