/** Reads the remediations share: the live association, whether a template version carries a profile, typed params. */
import type { Ec2Port, LaunchTemplateVersionInfo, ProfileAssociation, ProfileSpecifier } from '../ports.ts';
import type { PlannedAction } from '../incident.ts';
import { profileNameOf } from '../policy/principal.ts';
import { RemediationRefusedError } from './errors.ts';
import type { ApplyOutcome, Before, ChangeState } from './types.ts';

/** The association that gives the instance its credentials (disassociated ones are history). */
export function activeAssociation(associations: ProfileAssociation[]): ProfileAssociation | null {
  return associations.find((a) => a.state === 'associated' || a.state === 'associating') ?? null;
}

export async function currentAssociation(ec2: Ec2Port, instanceId: string): Promise<ProfileAssociation | null> {
  return activeAssociation(await ec2.describeProfileAssociations(instanceId));
}

/** True when a profile given by name or ARN is the profile named `profileName`. */
export function isProfile(spec: ProfileSpecifier | string | null | undefined, profileName: string): boolean {
  if (!spec) return false;
  const value = typeof spec === 'string' ? spec : 'name' in spec ? spec.name : spec.arn;
  return profileNameOf(value) === profileNameOf(profileName);
}

export function carriesProfile(version: LaunchTemplateVersionInfo | null, profileName: string): boolean {
  return !!version && isProfile(version.iamInstanceProfile, profileName);
}

/** The newest version of a template, which must carry the profile (created by create-launch-template-version). */
export async function latestVersionWithProfile(ec2: Ec2Port, launchTemplateId: string, profileName: string): Promise<LaunchTemplateVersionInfo> {
  const latest = await ec2.describeLaunchTemplateVersion(launchTemplateId, '$Latest');
  if (!latest) throw new RemediationRefusedError(`launch template ${launchTemplateId} does not exist`);
  if (!carriesProfile(latest, profileName)) {
    throw new RemediationRefusedError(`the latest version of ${launchTemplateId} (${latest.versionNumber}) lacks profile ${profileName}; create a version with it first`);
  }
  return latest;
}

export function stringParam(action: PlannedAction, name: string): string {
  const value = action.params[name];
  if (typeof value !== 'string' || value === '') throw new RemediationRefusedError(`${action.type} needs a "${name}" parameter`);
  return value;
}

export function beforeField<T>(before: Record<string, unknown>, name: string): T {
  if (!(name in before)) throw new RemediationRefusedError(`the recorded "before" has no "${name}"; cannot undo`);
  return before[name] as T;
}

/** Placeholders the CDK app substitutes when it turns `permissions` into Lambda policies. */
export const ARN = {
  instance: 'arn:${Partition}:ec2:${Region}:${Account}:instance/*',
  role: 'arn:${Partition}:iam::${Account}:role/*',
  instanceProfile: 'arn:${Partition}:iam::${Account}:instance-profile/*',
  launchTemplate: 'arn:${Partition}:ec2:${Region}:${Account}:launch-template/*',
  autoScalingGroup: 'arn:${Partition}:autoscaling:${Region}:${Account}:autoScalingGroup:*:autoScalingGroupName/*',
  any: '*',
} as const;

/** The state to change from when a caller gives none: read now, recorded and current alike. */
export async function stateFrom(read: Promise<Before | null>): Promise<ChangeState> {
  const before = await read;
  if (!before) throw new RemediationRefusedError('nothing to read before this change');
  return { recorded: before, current: before };
}

/**
 * The target is there already: since before the first attempt (`already-done`, nothing to undo), or since an
 * earlier attempt that crashed after its write (`done`, undoable from the recorded state; its write counted).
 */
export function reachedOutcome(state: ChangeState, reachedBefore: boolean, after: unknown, detail: string, writes: 'iam' | 'ec2', before: Before = state.recorded): ApplyOutcome {
  if (reachedBefore) return { result: 'already-done', before: null, after, detail, writes: { iam: 0, ec2: 0 } };
  return { result: 'done', before, after, detail: `${detail} (written by an earlier attempt)`, writes: { iam: writes === 'iam' ? 1 : 0, ec2: writes === 'ec2' ? 1 : 0 } };
}
