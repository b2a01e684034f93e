/**
 * Replaces an instance's profile association in place: new credentials now, no restart. Never
 * disassociate-then-associate: between the two calls the instance would have no credentials at all.
 */
import { profileNameOf } from '../policy/principal.ts';
import { RemediationRefusedError } from './errors.ts';
import { ARN, beforeField, currentAssociation, isProfile, stringParam } from './lookups.ts';
import type { Remediation } from './types.ts';

export const replaceAssociation: Remediation = {
  type: 'replace-association',
  causes: ['stale-credentials', 'no-instance-profile'],
  description: 'Replace the instance profile association (same or expected profile) so the instance gets fresh credentials.',
  permissions: [
    { actions: ['ec2:ReplaceIamInstanceProfileAssociation'], resources: [ARN.instance], taggable: true },
    { actions: ['ec2:DescribeIamInstanceProfileAssociations'], resources: [ARN.any] },
    { actions: ['iam:PassRole'], resources: [ARN.role] },
    { actions: ['iam:GetInstanceProfile'], resources: [ARN.instanceProfile] },
  ],
  appliesTo: ['instance:running', 'instance:stopped', 'association:associated'],
  writes: 'ec2',

  async apply(ports, action) {
    const profileName = stringParam(action, 'profileName');
    const seenAssociationId = typeof action.params.associationId === 'string' ? action.params.associationId : null;
    const current = await currentAssociation(ports.ec2, action.target);
    if (!current) throw new RemediationRefusedError(`${action.target} has no profile association to replace; associate-profile instead`);
    const sameProfile = isProfile(current.instanceProfileArn, profileName);
    // A refresh with the same profile is done once: a new association id means it already happened.
    if (sameProfile && current.associationId !== seenAssociationId) {
      return { result: 'already-done', before: null, after: current, detail: `${action.target} already has a fresh association of ${profileName}`, writes: { iam: 0, ec2: 0 } };
    }
    const association = await ports.ec2.replaceProfileAssociation(current.associationId, { name: profileName });
    return {
      result: 'done',
      before: { kind: 'association', instanceId: action.target, associationId: current.associationId, profileArn: current.instanceProfileArn },
      after: association,
      detail: sameProfile
        ? `replaced association ${current.associationId} of ${action.target} with a fresh one of ${profileName} (${association.associationId}): new credentials`
        : `replaced ${profileNameOf(current.instanceProfileArn)} with ${profileName} on ${action.target} (${association.associationId})`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before) {
    const previousArn = beforeField<string>(before, 'profileArn');
    const current = await currentAssociation(ports.ec2, action.target);
    if (!current) throw new RemediationRefusedError(`${action.target} has no association now; restoring ${profileNameOf(previousArn)} needs associate-profile`);
    if (isProfile(current.instanceProfileArn, previousArn)) return `${action.target} already has ${profileNameOf(previousArn)}; nothing to restore`;
    await ports.ec2.replaceProfileAssociation(current.associationId, { arn: previousArn });
    return `restored profile ${profileNameOf(previousArn)} on ${action.target}`;
  },
};
