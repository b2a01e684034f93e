/** Associates the expected profile with an instance that has none (running or stopped; no restart). */
import type { ProfileAssociation } from '../ports.ts';
import { profileNameOf } from '../policy/principal.ts';
import { RemediationRefusedError, UndoConflictError } from './errors.ts';
import { skippedIfGone } from './instance-gone.ts';
import { ARN, beforeField, currentAssociation, isProfile, reachedOutcome, stateFrom, stringParam } from './lookups.ts';
import type { Before, Remediation } from './types.ts';

const associationOf = (state: Before) => (state['association'] ?? null) as ProfileAssociation | null;

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

  async readBefore(ports, action) {
    return { kind: 'association', instanceId: action.target, association: await currentAssociation(ports.ec2, action.target) };
  },

  reached(action, state) {
    return isProfile(associationOf(state)?.instanceProfileArn, stringParam(action, 'profileName'));
  },

  async apply(ports, action, given) {
    const profileName = stringParam(action, 'profileName');
    const state = given ?? (await stateFrom(associateProfile.readBefore(ports, action)));
    const current = associationOf(state.current);
    if (associateProfile.reached(action, state.current)) {
      return reachedOutcome(state, associateProfile.reached(action, state.recorded), current, `${action.target} already has profile ${profileName}`, 'ec2');
    }
    if (current) throw new RemediationRefusedError(`${action.target} already has profile ${profileNameOf(current.instanceProfileArn)}; changing it is replace-association's job`);
    let association: ProfileAssociation;
    try {
      association = await ports.ec2.associateProfile(action.target, { name: profileName });
    } catch (err) {
      // Terminated since the diagnosis (scale-in, Spot): nothing to associate, nothing written.
      return skippedIfGone(ports.ec2, action.target, err);
    }
    return {
      result: 'done',
      before: { kind: 'association', instanceId: action.target, association: null },
      after: association,
      detail: `associated ${profileName} (${association.associationId})`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before, options = {}) {
    const profileName = stringParam(action, 'profileName');
    if (beforeField(before, 'association') !== null) return `${action.target} had a profile before; nothing to remove`;
    const current = await currentAssociation(ports.ec2, action.target);
    if (!current) return `${action.target} has no profile already`;
    // Only remove what we associated: a profile (or a new association) someone set since is theirs.
    const made = (options.after ?? null) as ProfileAssociation | null;
    const ours = isProfile(current.instanceProfileArn, profileName) && (!made?.associationId || made.associationId === current.associationId);
    if (!ours && !options.force) {
      throw new UndoConflictError(`${action.target} now has ${profileNameOf(current.instanceProfileArn)} (${current.associationId}), not the association of ${profileName}${made?.associationId ? ` (${made.associationId})` : ''} this change made`, current);
    }
    await ports.ec2.disassociateProfile(current.associationId);
    return `disassociated ${profileNameOf(current.instanceProfileArn)} from ${action.target} (${current.associationId})`;
  },
};
