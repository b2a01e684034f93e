/** Attaches a managed policy the operator declared as expected for the role (e.g. one detached by mistake). */
import { IAM_QUOTAS } from '../policy/statements.ts';
import { RemediationRefusedError } from './errors.ts';
import { ARN, beforeField, stringParam } from './lookups.ts';
import type { Remediation } from './types.ts';

export const attachPolicy: Remediation = {
  type: 'attach-policy',
  causes: ['missing-permission'],
  description: 'Attach a managed policy declared in expectedPermissions for this role.',
  permissions: [
    { actions: ['iam:ListAttachedRolePolicies', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'], resources: [ARN.role], taggable: true },
  ],
  appliesTo: ['role:policy-not-attached'],
  writes: 'iam',

  async apply(ports, action) {
    const policyArn = stringParam(action, 'policyArn');
    const attached = await ports.iam.listAttachedPolicies(action.target);
    if (attached.some((p) => p.arn === policyArn)) {
      return { result: 'already-done', before: null, after: attached, detail: `${policyArn} is already attached to ${action.target}`, writes: { iam: 0, ec2: 0 } };
    }
    if (attached.length >= IAM_QUOTAS.managedPoliciesPerRole) {
      throw new RemediationRefusedError(`${action.target} already has ${attached.length} managed policies (quota ${IAM_QUOTAS.managedPoliciesPerRole}); ${policyArn} was not attached`);
    }
    await ports.iam.attachRolePolicy(action.target, policyArn);
    return {
      result: 'done',
      before: { kind: 'attached-policy', roleName: action.target, policyArn, attached: false },
      after: { roleName: action.target, policyArn, attached: true },
      detail: `attached ${policyArn} to ${action.target}`,
      writes: { iam: 1, ec2: 0 },
    };
  },

  async undo(ports, action, before) {
    const policyArn = beforeField<string>(before, 'policyArn');
    if (beforeField<boolean>(before, 'attached')) return `${policyArn} was attached before; left attached`;
    const attached = await ports.iam.listAttachedPolicies(action.target);
    if (!attached.some((p) => p.arn === policyArn)) return `${policyArn} is not attached to ${action.target} already`;
    await ports.iam.detachRolePolicy(action.target, policyArn);
    return `detached ${policyArn} from ${action.target}`;
  },
};
