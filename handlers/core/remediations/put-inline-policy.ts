/** Writes an inline policy made of statements the operator declared as expected for the role. */
import type { PolicyDocument } from '../ports.ts';
import { IAM_QUOTAS, policySize, sameJson } from '../policy/statements.ts';
import { RemediationRefusedError } from './errors.ts';
import { ARN, beforeField, stringParam } from './lookups.ts';
import type { Remediation } from './types.ts';

function documentParam(value: unknown): PolicyDocument {
  if (!value || typeof value !== 'object' || !('Statement' in value)) throw new RemediationRefusedError('put-inline-policy needs a "document" with a Statement');
  return value as PolicyDocument;
}

export const putInlinePolicy: Remediation = {
  type: 'put-inline-policy',
  causes: ['missing-permission'],
  description: 'Put an inline policy holding statements declared in expectedPermissions for this role.',
  permissions: [{ actions: ['iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'], resources: [ARN.role], taggable: true }],
  appliesTo: ['role:statement-missing'],
  writes: 'iam',

  async apply(ports, action) {
    const policyName = stringParam(action, 'policyName');
    const document = documentParam(action.params.document);
    const inline = await ports.iam.listInlinePolicies(action.target);
    const previous = inline[policyName] ?? null;
    if (previous && sameJson(previous, document)) {
      return { result: 'already-done', before: null, after: document, detail: `${action.target} already has inline policy ${policyName} as declared`, writes: { iam: 0, ec2: 0 } };
    }
    const others = Object.entries(inline).filter(([name]) => name !== policyName).reduce((sum, [, doc]) => sum + policySize(doc), 0);
    const total = others + policySize(document);
    if (total > IAM_QUOTAS.inlinePolicyCharsPerRole) {
      throw new RemediationRefusedError(`inline policies of ${action.target} would total ${total} characters, over the ${IAM_QUOTAS.inlinePolicyCharsPerRole}-character quota; ${policyName} was not written`);
    }
    await ports.iam.putRolePolicy(action.target, policyName, document);
    return {
      result: 'done',
      before: { kind: 'inline-policy', roleName: action.target, policyName, document: previous },
      after: document,
      detail: `${previous ? 'updated' : 'added'} inline policy ${policyName} on ${action.target}`,
      writes: { iam: 1, ec2: 0 },
    };
  },

  async undo(ports, action, before) {
    const policyName = beforeField<string>(before, 'policyName');
    const previous = beforeField<PolicyDocument | null>(before, 'document');
    const inline = await ports.iam.listInlinePolicies(action.target);
    if (previous === null) {
      if (!(policyName in inline)) return `${action.target} has no inline policy ${policyName} already`;
      await ports.iam.deleteRolePolicy(action.target, policyName);
      return `deleted inline policy ${policyName} from ${action.target}`;
    }
    if (inline[policyName] && sameJson(inline[policyName], previous)) return `${policyName} on ${action.target} is already the previous document`;
    await ports.iam.putRolePolicy(action.target, policyName, previous);
    return `restored the previous inline policy ${policyName} on ${action.target}`;
  },
};
