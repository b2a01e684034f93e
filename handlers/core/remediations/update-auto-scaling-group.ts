/** Points an Auto Scaling group that pins a template version at the version carrying the profile. */
import { ARN, beforeField, carriesProfile, latestVersionWithProfile, reachedOutcome, stateFrom, stringParam } from './lookups.ts';
import { RemediationRefusedError, UndoConflictError } from './errors.ts';
import type { Before, Remediation } from './types.ts';

type GroupTemplate = { id: string; version: string } | null;
const same = (a: GroupTemplate | undefined, b: GroupTemplate | undefined) => (a ?? null)?.id === (b ?? null)?.id && (a ?? null)?.version === (b ?? null)?.version;

export const updateAutoScalingGroup: Remediation = {
  type: 'update-auto-scaling-group',
  causes: ['stale-launch-template'],
  description: 'Point the Auto Scaling group at the launch template version that carries the expected profile.',
  permissions: [
    { actions: ['autoscaling:UpdateAutoScalingGroup'], resources: [ARN.autoScalingGroup], taggable: true },
    { actions: ['autoscaling:DescribeAutoScalingGroups', 'ec2:DescribeLaunchTemplateVersions'], resources: [ARN.any] },
    // Auto Scaling checks that the caller may launch with the template's profile.
    { actions: ['iam:PassRole'], resources: [ARN.role] },
  ],
  appliesTo: ['auto-scaling-group:pinned-version-without-profile'],
  writes: 'ec2',

  async readBefore(ports, action) {
    const group = await ports.autoScaling.describeGroup(action.target);
    const template = group?.launchTemplate ?? null;
    const version = template ? await ports.ec2.describeLaunchTemplateVersion(template.id, template.version) : null;
    return { kind: 'group-launch-template', groupName: action.target, exists: group !== null, launchTemplate: template, launchesProfile: carriesProfile(version, stringParam(action, 'profileName')) };
  },

  reached(_action, state) {
    return state['launchesProfile'] === true;
  },

  async apply(ports, action, given) {
    const profileName = stringParam(action, 'profileName');
    const launchTemplateId = stringParam(action, 'launchTemplateId');
    const state = given ?? (await stateFrom(updateAutoScalingGroup.readBefore(ports, action)));
    if (state.current['exists'] !== true) throw new RemediationRefusedError(`Auto Scaling group ${action.target} does not exist`);
    const template = state.current['launchTemplate'] as GroupTemplate;
    if (updateAutoScalingGroup.reached(action, state.current)) {
      return reachedOutcome(state, updateAutoScalingGroup.reached(action, state.recorded), template, `${action.target} already launches with ${profileName}`, 'ec2');
    }
    const target = await latestVersionWithProfile(ports.ec2, launchTemplateId, profileName);
    const next = { id: launchTemplateId, version: String(target.versionNumber) };
    await ports.autoScaling.setGroupLaunchTemplate(action.target, next);
    return {
      result: 'done',
      before: state.current,
      after: next,
      detail: `${action.target} now launches ${launchTemplateId} version ${next.version} (was ${template ? `${template.id} ${template.version}` : 'none'})`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before, options = {}) {
    const previous = beforeField<GroupTemplate>(before, 'launchTemplate');
    if (!previous) throw new RemediationRefusedError(`${action.target} had no launch template before; nothing to restore to`);
    const group = await ports.autoScaling.describeGroup(action.target);
    if (same(group?.launchTemplate, previous)) return `${action.target} already launches ${previous.id} ${previous.version}`;
    const made = (options.after ?? null) as GroupTemplate;
    const unchanged = made ? same(group?.launchTemplate, made) : updateAutoScalingGroup.reached(action, (await updateAutoScalingGroup.readBefore(ports, action)) as Before);
    if (!unchanged && !options.force) {
      const now = group?.launchTemplate;
      throw new UndoConflictError(`${action.target} now launches ${now ? `${now.id} ${now.version}` : 'no launch template'}, not what this change set${made ? ` (${made.id} ${made.version})` : ''}`, now ?? null);
    }
    await ports.autoScaling.setGroupLaunchTemplate(action.target, previous);
    return `${action.target} restored to ${previous.id} version ${previous.version}`;
  },
};
