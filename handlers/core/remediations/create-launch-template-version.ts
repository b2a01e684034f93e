/** A new launch template version identical to the source except that it carries the expected profile. */
import { RemediationRefusedError } from './errors.ts';
import { NotFoundError } from '../ports.ts';
import { ARN, beforeField, carriesProfile, stringParam } from './lookups.ts';
import type { Remediation } from './types.ts';

export const createLaunchTemplateVersion: Remediation = {
  type: 'create-launch-template-version',
  causes: ['stale-launch-template'],
  description: 'Create a launch template version that carries the expected instance profile.',
  permissions: [
    { actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplateVersions'], resources: [ARN.launchTemplate], taggable: true },
    { actions: ['ec2:DescribeLaunchTemplateVersions'], resources: [ARN.any] },
    // The new version names a profile whose role future instances receive.
    { actions: ['iam:PassRole'], resources: [ARN.role] },
  ],
  appliesTo: ['launch-template:version-without-profile'],
  writes: 'ec2',

  async apply(ports, action) {
    const profileName = stringParam(action, 'profileName');
    const sourceVersion = Number(action.params.sourceVersion);
    if (!Number.isInteger(sourceVersion) || sourceVersion < 1) throw new RemediationRefusedError('create-launch-template-version needs a numeric "sourceVersion"');
    const latest = await ports.ec2.describeLaunchTemplateVersion(action.target, '$Latest');
    if (!latest) throw new RemediationRefusedError(`launch template ${action.target} does not exist`);
    if (carriesProfile(latest, profileName)) {
      return { result: 'already-done', before: null, after: { launchTemplateId: action.target, version: latest.versionNumber }, detail: `version ${latest.versionNumber} of ${action.target} already carries ${profileName}`, writes: { iam: 0, ec2: 0 } };
    }
    const version = await ports.ec2.createLaunchTemplateVersion(action.target, sourceVersion, { name: profileName }, `iam-autoheal: version ${sourceVersion} with instance profile ${profileName}`);
    return {
      result: 'done',
      before: { kind: 'launch-template-versions', launchTemplateId: action.target, latestVersion: latest.versionNumber, createdVersion: version },
      after: { launchTemplateId: action.target, version },
      detail: `created version ${version} of ${action.target} from version ${sourceVersion} with profile ${profileName}`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before) {
    // Undo runs newest first: the default version and the group no longer point at this version by now.
    const version = beforeField<number>(before, 'createdVersion');
    try {
      await ports.ec2.deleteLaunchTemplateVersion(action.target, version);
    } catch (err) {
      if (err instanceof NotFoundError) return `version ${version} of ${action.target} is already gone`;
      throw err;
    }
    return `deleted version ${version} of ${action.target}`;
  },
};
