/** Makes the newest version (the one carrying the profile) the template's default, so every later launch gets it. */
import type { ProfileSpecifier } from '../ports.ts';
import { UndoConflictError, RemediationRefusedError } from './errors.ts';
import { ARN, beforeField, isProfile, latestVersionWithProfile, reachedOutcome, stateFrom, stringParam } from './lookups.ts';
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

  async readBefore(ports, action) {
    const current = await ports.ec2.describeLaunchTemplateVersion(action.target, '$Default');
    return { kind: 'default-version', launchTemplateId: action.target, version: current?.versionNumber ?? null, profile: current?.iamInstanceProfile ?? null };
  },

  reached(action, state) {
    return isProfile(state['profile'] as ProfileSpecifier | null, stringParam(action, 'profileName'));
  },

  async apply(ports, action, given) {
    const profileName = stringParam(action, 'profileName');
    const state = given ?? (await stateFrom(setDefaultLaunchTemplateVersion.readBefore(ports, action)));
    const version = state.current['version'] as number | null;
    if (version === null) throw new RemediationRefusedError(`launch template ${action.target} does not exist`);
    if (setDefaultLaunchTemplateVersion.reached(action, state.current)) {
      return reachedOutcome(state, setDefaultLaunchTemplateVersion.reached(action, state.recorded), { launchTemplateId: action.target, defaultVersion: version }, `default version ${version} of ${action.target} already carries ${profileName}`, 'ec2');
    }
    const target = await latestVersionWithProfile(ports.ec2, action.target, profileName);
    await ports.ec2.setDefaultLaunchTemplateVersion(action.target, target.versionNumber);
    return {
      result: 'done',
      before: state.current,
      after: { launchTemplateId: action.target, defaultVersion: target.versionNumber },
      detail: `default version of ${action.target} is now ${target.versionNumber} (was ${version})`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before, options = {}) {
    const version = beforeField<number>(before, 'version');
    const current = await ports.ec2.describeLaunchTemplateVersion(action.target, '$Default');
    if (current?.versionNumber === version) return `default version of ${action.target} is already ${version}`;
    const made = (options.after as { defaultVersion?: number } | undefined)?.defaultVersion;
    const unchanged = made !== undefined ? current?.versionNumber === made : isProfile(current?.iamInstanceProfile ?? null, stringParam(action, 'profileName'));
    if (!unchanged && !options.force) {
      throw new UndoConflictError(`the default version of ${action.target} is now ${current?.versionNumber ?? 'unknown'}, not the ${made ?? 'version with the profile'} this change set`, { defaultVersion: current?.versionNumber ?? null });
    }
    await ports.ec2.setDefaultLaunchTemplateVersion(action.target, version);
    return `default version of ${action.target} restored to ${version}`;
  },
};
