/**
 * Replaces an instance's profile association in place: new credentials now, no restart. Never
 * disassociate-then-associate: between the two calls the instance would have no credentials at all.
 */
import { profileNameOf } from '../policy/principal.ts';
import { RemediationRefusedError, UndoConflictError } from './errors.ts';
import { goneOutcome, goneState, skippedIfGone } from './instance-gone.ts';
import { ARN, beforeField, currentAssociation, isProfile, reachedOutcome, stateFrom, stringParam } from './lookups.ts';
import type { Before, Remediation } from './types.ts';
import type { PlannedAction } from '../incident.ts';
import type { ProfileAssociation } from '../ports.ts';

const seenAssociation = (action: PlannedAction) => (typeof action.params.associationId === 'string' ? action.params.associationId : null);
const field = (state: Before, name: 'associationId' | 'profileArn') => (state[name] ?? null) as string | null;

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
  // EC2 replaces the association of a running instance only (API reference, ReplaceIamInstanceProfileAssociation).
  appliesTo: ['instance:running', 'association:associated'],
  writes: 'ec2',
  leftForPerson(action) {
    if (action.params.instanceState !== 'stopped') return '';
    return `${action.target} is stopped and EC2 replaces a profile association only on a running instance: disassociate its profile and associate ${stringParam(action, 'profileName')} before starting it, or start it and the next sweep replaces it`;
  },

  async readBefore(ports, action) {
    const current = await currentAssociation(ports.ec2, action.target);
    return { kind: 'association', instanceId: action.target, associationId: current?.associationId ?? null, profileArn: current?.instanceProfileArn ?? null };
  },

  /** The expected profile in an association other than the one the diagnosis saw (a refresh is a new association id). */
  reached(action, state) {
    const id = field(state, 'associationId');
    return id !== null && isProfile(field(state, 'profileArn'), stringParam(action, 'profileName')) && id !== seenAssociation(action);
  },

  async apply(ports, action, given) {
    const profileName = stringParam(action, 'profileName');
    const seen = seenAssociation(action);
    const state = given ?? (await stateFrom(replaceAssociation.readBefore(ports, action)));
    const currentId = field(state.current, 'associationId');
    const currentArn = field(state.current, 'profileArn');
    if (currentId === null || currentArn === null) {
      // A terminated instance loses its association: gone since the diagnosis, there is nothing to replace.
      const gone = await goneState(ports.ec2, action.target);
      if (gone !== null) return goneOutcome(action.target, gone);
      throw new RemediationRefusedError(`${action.target} has no profile association to replace; associate-profile instead`);
    }
    if (replaceAssociation.reached(action, state.current)) {
      return reachedOutcome(state, replaceAssociation.reached(action, state.recorded), { associationId: currentId, instanceProfileArn: currentArn }, `${action.target} already has a fresh association of ${profileName}`, 'ec2');
    }
    // A profile swapped in since the diagnosis (a responder's quarantine profile) is never replaced.
    if (seen !== null && currentId !== seen) {
      throw new RemediationRefusedError(`${action.target} is now associated with ${profileNameOf(currentArn)} (${currentId}), not the association ${seen} the diagnosis saw: it changed since, so it is left as it is`);
    }
    let association: ProfileAssociation;
    try {
      association = await ports.ec2.replaceProfileAssociation(currentId, { name: profileName });
    } catch (err) {
      return skippedIfGone(ports.ec2, action.target, err);
    }
    const sameProfile = isProfile(currentArn, profileName);
    return {
      result: 'done',
      before: { kind: 'association', instanceId: action.target, associationId: currentId, profileArn: currentArn },
      after: association,
      detail: sameProfile
        ? `replaced association ${currentId} of ${action.target} with a fresh one of ${profileName} (${association.associationId}): new credentials`
        : `replaced ${profileNameOf(currentArn)} with ${profileName} on ${action.target} (${association.associationId})`,
      writes: { iam: 0, ec2: 1 },
    };
  },

  async undo(ports, action, before, options = {}) {
    const previousArn = beforeField<string>(before, 'profileArn');
    const profileName = stringParam(action, 'profileName');
    const current = await currentAssociation(ports.ec2, action.target);
    if (!current) {
      if (!options.force) throw new UndoConflictError(`${action.target} has no association now (someone removed it); restoring ${profileNameOf(previousArn)} would need associate-profile`, null);
      throw new RemediationRefusedError(`${action.target} has no association now; restoring ${profileNameOf(previousArn)} needs associate-profile`);
    }
    // A refresh (same profile) needs no undo: new credentials of the same profile are what was there.
    if (isProfile(current.instanceProfileArn, previousArn)) return `${action.target} already has ${profileNameOf(previousArn)}; nothing to restore`;
    const made = (options.after ?? null) as { associationId?: string } | null;
    const ours = isProfile(current.instanceProfileArn, profileName) && (!made?.associationId || made.associationId === current.associationId);
    if (!ours && !options.force) {
      throw new UndoConflictError(`${action.target} now has ${profileNameOf(current.instanceProfileArn)} (${current.associationId}), not the association of ${profileName}${made?.associationId ? ` (${made.associationId})` : ''} this change made`, current);
    }
    // A deleted profile cannot come back (EC2 would answer "Invalid IAM Instance Profile", which looks transient).
    if (!(await ports.iam.getInstanceProfile(profileNameOf(previousArn)))) {
      throw new RemediationRefusedError(`the previous profile ${profileNameOf(previousArn)} of ${action.target} no longer exists; it cannot be restored`);
    }
    await ports.ec2.replaceProfileAssociation(current.associationId, { arn: previousArn });
    return `restored profile ${profileNameOf(previousArn)} on ${action.target}`;
  },
};
