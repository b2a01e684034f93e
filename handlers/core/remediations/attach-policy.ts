/** Attaches a managed policy the operator declared as expected for the role (e.g. one detached by mistake). */
import { IAM_QUOTAS } from '../policy/statements.ts';
import { RemediationRefusedError } from './errors.ts';
import { ARN, beforeField, reachedOutcome, stateFrom, stringParam } from './lookups.ts';
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

  async readBefore(ports, action) {
    const policyArn = stringParam(action, 'policyArn');
    const attached = await ports.iam.listAttachedPolicies(action.target);
    return { kind: 'attached-policy', roleName: action.target, policyArn, attached: attached.some((p) => p.arn === policyArn), attachedCount: attached.length };
  },

  reached(_action, state) {
    return state['attached'] === true;
  },

  async apply(ports, action, given) {
    const policyArn = stringParam(action, 'policyArn');
    const state = given ?? (await stateFrom(attachPolicy.readBefore(ports, action)));
    if (attachPolicy.reached(action, state.current)) {
      return reachedOutcome(state, attachPolicy.reached(action, state.recorded), { roleName: action.target, policyArn, attached: true }, `${policyArn} is already attached to ${action.target}`, 'iam');
    }
    const count = Number(state.current['attachedCount'] ?? 0);
    if (count >= IAM_QUOTAS.managedPoliciesPerRole) {
      throw new RemediationRefusedError(`${action.target} already has ${count} managed policies (quota ${IAM_QUOTAS.managedPoliciesPerRole}); ${policyArn} was not attached`);
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

  // Attached or not is all there is: a policy someone detached since is already as before.
  async undo(ports, action, before) {
    const policyArn = beforeField<string>(before, 'policyArn');
    if (beforeField<boolean>(before, 'attached')) return `${policyArn} was attached before; left attached`;
    const attached = await ports.iam.listAttachedPolicies(action.target);
    if (!attached.some((p) => p.arn === policyArn)) return `${policyArn} is not attached to ${action.target} already`;
    await ports.iam.detachRolePolicy(action.target, policyArn);
    return `detached ${policyArn} from ${action.target}`;
  },
};
