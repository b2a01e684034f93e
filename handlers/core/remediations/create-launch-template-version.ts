/** A new launch template version identical to the source except that it carries the expected profile. */
import { NotFoundError, type ProfileSpecifier } from '../ports.ts';
import { RemediationRefusedError, UndoConflictError } from './errors.ts';
import { ARN, isProfile, reachedOutcome, stateFrom, stringParam } from './lookups.ts';
import type { Before, Remediation } from './types.ts';

const latestOf = (state: Before) => (state['latestVersion'] ?? null) as number | null;

export const createLaunchTemplateVersion: Remediation = {
  type: 'create-launch-template-version',
  causes: ['stale-launch-template'],
  description: 'Create a launch template version that carries the expected instance profile.',
  permissions: [
    { actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplateVersions'], resources: [ARN.launchTemplate], taggable: true },
    { actions: ['ec2:DescribeLaunchTemplateVersions'], resources: [ARN.any] },
    // No iam:PassRole: writing a version that names a profile passes no role. IAM checks the pass when the template is
    // used — ec2:RunInstances, or Auto Scaling pointing a group at it — and EC2 applies no resource-level permission to
    // what a version names (AWS docs, "IAM permissions required for Amazon EC2 launch templates": "You can't use
    // resource-level permissions to restrict the resources that users can specify in a launch template when they create
    // a launch template or launch template version"; its related permissions are ec2:CreateTags and ec2:RunInstances).
  ],
  appliesTo: ['launch-template:version-without-profile'],
  writes: 'ec2',

  async readBefore(ports, action) {
    const latest = await ports.ec2.describeLaunchTemplateVersion(action.target, '$Latest');
    return { kind: 'launch-template-versions', launchTemplateId: action.target, latestVersion: latest?.versionNumber ?? null, latestProfile: latest?.iamInstanceProfile ?? null };
  },

  reached(action, state) {
    return isProfile(state['latestProfile'] as ProfileSpecifier | null, stringParam(action, 'profileName'));
  },

  async apply(ports, action, given) {
    const profileName = stringParam(action, 'profileName');
    const sourceVersion = Number(action.params.sourceVersion);
    if (!Number.isInteger(sourceVersion) || sourceVersion < 1) throw new RemediationRefusedError('create-launch-template-version needs a numeric "sourceVersion"');
    const state = given ?? (await stateFrom(createLaunchTemplateVersion.readBefore(ports, action)));
    const latest = latestOf(state.current);
    if (latest === null) throw new RemediationRefusedError(`launch template ${action.target} does not exist`);
    if (createLaunchTemplateVersion.reached(action, state.current)) {
      // Created by an earlier attempt: the newest version is the one to delete on undo.
      const before = { ...state.recorded, createdVersion: latest };
      return reachedOutcome(state, createLaunchTemplateVersion.reached(action, state.recorded), { launchTemplateId: action.target, version: latest }, `version ${latest} of ${action.target} already carries ${profileName}`, 'ec2', before);
    }
    const version = await ports.ec2.createLaunchTemplateVersion(action.target, sourceVersion, { name: profileName }, `iam-autoheal: version ${sourceVersion} with instance profile ${profileName}`);
    return {
      result: 'done',
      before: { ...state.current, createdVersion: version },
      after: { launchTemplateId: action.target, version },
      detail: `created version ${version} of ${action.target} from version ${sourceVersion} with profile ${profileName}`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before, options = {}) {
    // Recorded in the result; from an intent alone, the newest version if it carries the profile and is newer.
    let version = (before['createdVersion'] ?? (options.after as { version?: number } | undefined)?.version ?? null) as number | null;
    if (version === null) {
      const now = (await createLaunchTemplateVersion.readBefore(ports, action)) as Before;
      const newer = (latestOf(now) ?? 0) > (latestOf(before) ?? Number.POSITIVE_INFINITY);
      if (!newer || !createLaunchTemplateVersion.reached(action, now)) return `no version of ${action.target} was created by this change`;
      version = latestOf(now)!;
    }
    // Undo runs newest first: the default version and the group no longer point at this version by now.
    const current = await ports.ec2.describeLaunchTemplateVersion(action.target, '$Default');
    if (current?.versionNumber === version && !options.force) {
      throw new UndoConflictError(`the default version ${version} of ${action.target} is the one this change created; make another version the default first`, { defaultVersion: version });
    }
    try {
      await ports.ec2.deleteLaunchTemplateVersion(action.target, version);
    } catch (err) {
      if (err instanceof NotFoundError) return `version ${version} of ${action.target} is already gone`;
      throw err;
    }
    return `deleted version ${version} of ${action.target}`;
  },
};
