/** Associates the expected profile with an instance that has none (running or stopped; no restart). */
import { profileNameOf } from '../policy/principal.ts';
import { RemediationRefusedError } from './errors.ts';
import { ARN, beforeField, currentAssociation, isProfile, stringParam } from './lookups.ts';
import type { Remediation } from './types.ts';

export const associateProfile: Remediation = {
  type: 'associate-profile',
  causes: ['no-instance-profile', 'stale-launch-template'],
  description: 'Associate the expected instance profile with an instance that has none.',
  permissions: [
    { actions: ['ec2:AssociateIamInstanceProfile', 'ec2:DisassociateIamInstanceProfile'], resources: [ARN.instance], taggable: true },
    { actions: ['ec2:DescribeIamInstanceProfileAssociations'], resources: [ARN.any] },
    // EC2 checks that the caller may pass the profile's role to the instance.
    { actions: ['iam:PassRole'], resources: [ARN.role] },
    { actions: ['iam:GetInstanceProfile'], resources: [ARN.instanceProfile] },
  ],
  appliesTo: ['instance:running', 'instance:stopped', 'association:none'],
  writes: 'ec2',

  async apply(ports, action) {
    const profileName = stringParam(action, 'profileName');
    const current = await currentAssociation(ports.ec2, action.target);
    if (current) {
      if (isProfile(current.instanceProfileArn, profileName)) {
        return { result: 'already-done', before: null, after: current, detail: `${action.target} already has profile ${profileName}`, writes: { iam: 0, ec2: 0 } };
      }
      throw new RemediationRefusedError(`${action.target} already has profile ${profileNameOf(current.instanceProfileArn)}; changing it is replace-association's job`);
    }
    const association = await ports.ec2.associateProfile(action.target, { name: profileName });
    return {
      result: 'done',
      before: { kind: 'association', instanceId: action.target, association: null },
      after: association,
      detail: `associated ${profileName} (${association.associationId})`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before) {
    const profileName = stringParam(action, 'profileName');
    if (beforeField(before, 'association') !== null) return `${action.target} had a profile before; nothing to remove`;
    const current = await currentAssociation(ports.ec2, action.target);
    if (!current) return `${action.target} has no profile already`;
    // Only remove what we associated: a profile someone set since is theirs.
    if (!isProfile(current.instanceProfileArn, profileName)) return `${action.target} now has ${profileNameOf(current.instanceProfileArn)}, not ours; left alone`;
    await ports.ec2.disassociateProfile(current.associationId);
    return `disassociated ${profileName} from ${action.target} (${current.associationId})`;
  },
};
