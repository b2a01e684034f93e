/** Merges ec2.amazonaws.com into a role's trust policy without dropping or reordering anything. */
import type { PolicyDocument } from '../ports.ts';
import { mergeEc2Trust, TrustMergeError } from '../policy/trust.ts';
import { sameJson } from '../policy/statements.ts';
import { RemediationRefusedError } from './errors.ts';
import { ARN, beforeField } from './lookups.ts';
import type { Remediation } from './types.ts';

export const mergeTrust: Remediation = {
  type: 'merge-trust',
  causes: ['trust-missing-ec2'],
  description: "Let ec2.amazonaws.com assume the role, keeping every existing trust statement as it is.",
  permissions: [{ actions: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy'], resources: [ARN.role], taggable: true }],
  appliesTo: ['role:held-by-instance-profile', 'trust:missing-ec2'],
  writes: 'iam',

  async apply(ports, action) {
    const role = await ports.iam.getRole(action.target);
    if (!role) throw new RemediationRefusedError(`role ${action.target} does not exist`);
    let merge;
    try {
      merge = mergeEc2Trust(role.trustPolicy);
    } catch (err) {
      if (err instanceof TrustMergeError) throw new RemediationRefusedError(`${action.target}: ${err.message}`);
      throw err;
    }
    if (!merge.changed) return { result: 'already-done', before: null, after: role.trustPolicy, detail: `${action.target}: ${merge.how}`, writes: { iam: 0, ec2: 0 } };
    await ports.iam.updateAssumeRolePolicy(action.target, merge.document);
    return {
      result: 'done',
      before: { kind: 'trust-policy', roleName: action.target, document: role.trustPolicy },
      after: merge.document,
      detail: `${action.target}: ${merge.how}`,
      writes: { iam: 1, ec2: 0 },
    };
  },

  async undo(ports, action, before) {
    const previous = beforeField<PolicyDocument>(before, 'document');
    const role = await ports.iam.getRole(action.target);
    if (!role) throw new RemediationRefusedError(`role ${action.target} no longer exists; cannot restore its trust policy`);
    if (sameJson(role.trustPolicy, previous)) return `${action.target}: trust policy is already the previous one`;
    await ports.iam.updateAssumeRolePolicy(action.target, previous);
    return `${action.target}: restored the previous trust policy`;
  },
};
