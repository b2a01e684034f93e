/**
 * Repinning an Auto Scaling group that pins a launch template version: a change left for a person, never made by the
 * service. Auto Scaling lets a caller point a group at a launch template only when the caller may launch it —
 * ec2:RunInstances on the template and the resources it names, iam:PassRole for its role, ec2:CreateTags when it tags
 * (AWS docs, "Control Amazon EC2 launch template usage in Auto Scaling groups"). Beside the template writes and the
 * iam:PassRole the service holds, ec2:RunInstances would let a stolen session launch code with any role it may pass,
 * so it is never granted (explicitly denied: lib/remediation-policy.ts). The service repairs a template through its
 * default version, which groups on `$Default` follow (and `$Latest`, through the new version); a group pinned to a
 * version number is left for a person, with the command to run (docs/SECURITY.md "Auto Scaling groups").
 */
import { RemediationRefusedError } from './errors.ts';
import { writesNothing, type Remediation } from './types.ts';
import type { PlannedAction } from '../incident.ts';

const text = (value: unknown, fallback: string) => (typeof value === 'string' && value ? value : fallback);

/** Why a person makes this change, and how (one line, shown as the deferred action's reason). */
export function repinInstructions(action: PlannedAction): string {
  const template = text(action.params.launchTemplateId, 'the launch template');
  const profile = text(action.params.profileName, 'the expected profile');
  return `left for a person: the service never updates Auto Scaling groups (Auto Scaling requires ec2:RunInstances on the template for that, which the service is denied); ` +
    `point group ${action.target} at the newest version of ${template} (it carries ${profile}): ` +
    `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${action.target} --launch-template LaunchTemplateId=${template},Version=<that version>, or Version='$Default' to follow the repaired default`;
}

export const updateAutoScalingGroup: Remediation = {
  type: 'update-auto-scaling-group',
  causes: ['stale-launch-template'],
  description: 'For a person, never applied: point the Auto Scaling group at the launch template version that carries the expected profile.',
  appliesTo: ['auto-scaling-group:pinned-version-without-profile'],
  ...writesNothing,
  leftForPerson: repinInstructions,

  async apply(_ports, action) {
    // The guard leaves it for a person; reaching here is a bug, and IAM would refuse the call anyway.
    throw new RemediationRefusedError(repinInstructions(action));
  },

  async undo(_ports, action, before) {
    const previous = before['launchTemplate'] as { id?: string; version?: string } | null | undefined;
    throw new RemediationRefusedError(`the service does not change Auto Scaling groups; point ${action.target} back at ${previous?.id ?? 'its previous template'} version ${previous?.version ?? '?'} by hand`);
  },
};
