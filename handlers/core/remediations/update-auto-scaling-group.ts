/** Points an Auto Scaling group that pins a template version at the version carrying the profile. */
import { ARN, beforeField, carriesProfile, latestVersionWithProfile, stringParam } from './lookups.ts';
import { RemediationRefusedError } from './errors.ts';
import type { Remediation } from './types.ts';

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

  async apply(ports, action) {
    const profileName = stringParam(action, 'profileName');
    const launchTemplateId = stringParam(action, 'launchTemplateId');
    const group = await ports.autoScaling.describeGroup(action.target);
    if (!group) throw new RemediationRefusedError(`Auto Scaling group ${action.target} does not exist`);
    const current = group.launchTemplate ? await ports.ec2.describeLaunchTemplateVersion(group.launchTemplate.id, group.launchTemplate.version) : null;
    if (carriesProfile(current, profileName)) {
      return { result: 'already-done', before: null, after: group.launchTemplate, detail: `${action.target} already launches with ${profileName}`, writes: { iam: 0, ec2: 0 } };
    }
    const target = await latestVersionWithProfile(ports.ec2, launchTemplateId, profileName);
    const next = { id: launchTemplateId, version: String(target.versionNumber) };
    await ports.autoScaling.setGroupLaunchTemplate(action.target, next);
    return {
      result: 'done',
      before: { kind: 'group-launch-template', groupName: action.target, launchTemplate: group.launchTemplate },
      after: next,
      detail: `${action.target} now launches ${launchTemplateId} version ${next.version} (was ${group.launchTemplate ? `${group.launchTemplate.id} ${group.launchTemplate.version}` : 'none'})`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before) {
    const previous = beforeField<{ id: string; version: string } | null>(before, 'launchTemplate');
    if (!previous) throw new RemediationRefusedError(`${action.target} had no launch template before; nothing to restore to`);
    const group = await ports.autoScaling.describeGroup(action.target);
    if (group?.launchTemplate?.id === previous.id && group.launchTemplate.version === previous.version) return `${action.target} already launches ${previous.id} ${previous.version}`;
    await ports.autoScaling.setGroupLaunchTemplate(action.target, previous);
    return `${action.target} restored to ${previous.id} version ${previous.version}`;
  },
};
