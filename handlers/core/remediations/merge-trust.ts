/** Merges ec2.amazonaws.com into a role's trust policy without dropping or reordering anything. */
import type { PolicyDocument } from '../ports.ts';
import { mergeEc2Trust, TrustMergeError } from '../policy/trust.ts';
import { sameJson } from '../policy/statements.ts';
import { RemediationRefusedError, UndoConflictError } from './errors.ts';
import { ARN, beforeField, reachedOutcome, stateFrom } from './lookups.ts';
import type { Before, Remediation } from './types.ts';

const documentOf = (state: Before) => (state['document'] ?? null) as PolicyDocument | null;

function merged(roleName: string, document: PolicyDocument) {
  try {
    return mergeEc2Trust(document);
  } catch (err) {
    if (err instanceof TrustMergeError) throw new RemediationRefusedError(`${roleName}: ${err.message}`);
    throw err;
  }
}

export const mergeTrust: Remediation = {
  type: 'merge-trust',
  causes: ['trust-missing-ec2'],
  description: "Let ec2.amazonaws.com assume the role, keeping every existing trust statement as it is.",
  permissions: [{ actions: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy'], resources: [ARN.role], taggable: true }],
  appliesTo: ['role:held-by-instance-profile', 'trust:missing-ec2'],
  writes: 'iam',

  async readBefore(ports, action) {
    return { kind: 'trust-policy', roleName: action.target, document: (await ports.iam.getRole(action.target))?.trustPolicy ?? null };
  },

  reached(action, state) {
    const document = documentOf(state);
    return document !== null && !merged(action.target, document).changed;
  },

  async apply(ports, action, given) {
    const state = given ?? (await stateFrom(mergeTrust.readBefore(ports, action)));
    const document = documentOf(state.current);
    if (!document) throw new RemediationRefusedError(`role ${action.target} does not exist`);
    const merge = merged(action.target, document);
    if (!merge.changed) return reachedOutcome(state, mergeTrust.reached(action, state.recorded), document, `${action.target}: ${merge.how}`, 'iam');
    await ports.iam.updateAssumeRolePolicy(action.target, merge.document);
    return {
      result: 'done',
      before: { kind: 'trust-policy', roleName: action.target, document },
      after: merge.document,
      detail: `${action.target}: ${merge.how}`,
      writes: { iam: 1, ec2: 0 },
    };
  },

  async undo(ports, action, before, options = {}) {
    const previous = beforeField<PolicyDocument>(before, 'document');
    const role = await ports.iam.getRole(action.target);
    if (!role) throw new RemediationRefusedError(`role ${action.target} no longer exists; cannot restore its trust policy`);
    if (sameJson(role.trustPolicy, previous)) return `${action.target}: trust policy is already the previous one`;
    const unchanged = options.after !== undefined && options.after !== null
      ? sameJson(role.trustPolicy, options.after)
      : sameJson(role.trustPolicy, merged(action.target, previous).document);
    if (!unchanged && !options.force) {
      throw new UndoConflictError(`${action.target}: the trust policy was changed since this change made it: now ${JSON.stringify(role.trustPolicy)}`, role.trustPolicy);
    }
    await ports.iam.updateAssumeRolePolicy(action.target, previous);
    return `${action.target}: restored the previous trust policy`;
  },
};
