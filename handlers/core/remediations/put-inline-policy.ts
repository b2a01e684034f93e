/**
 * Adds the statements the operator declared as expected for the role to its inline policy. The document is
 * merged at apply time, under the role's lock, from the policy as it is then: two incidents on one role
 * each add their statements, neither overwrites the other's.
 */
import type { PolicyDocument } from '../ports.ts';
import { IAM_QUOTAS, policySize, sameJson, statementsOf } from '../policy/statements.ts';
import type { PlannedAction } from '../incident.ts';
import { RemediationRefusedError, UndoConflictError } from './errors.ts';
import { ARN, beforeField, reachedOutcome, stateFrom, stringParam } from './lookups.ts';
import type { Before, Remediation } from './types.ts';

function wanted(action: PlannedAction): PolicyDocument {
  const value = action.params.document;
  if (!value || typeof value !== 'object' || !('Statement' in value)) throw new RemediationRefusedError('put-inline-policy needs a "document" with a Statement');
  return value as PolicyDocument;
}

const documentOf = (state: Before) => (state['document'] ?? null) as PolicyDocument | null;

/** The current document with every wanted statement it lacks appended (nothing dropped, nothing reordered). */
function mergeStatements(current: PolicyDocument | null, add: PolicyDocument): PolicyDocument {
  const existing = statementsOf(current);
  const missing = statementsOf(add).filter((s) => !existing.some((e) => sameJson(e, s)));
  return { ...(current ?? {}), Version: current?.Version ?? add.Version ?? '2012-10-17', Statement: [...existing, ...missing] };
}

export const putInlinePolicy: Remediation = {
  type: 'put-inline-policy',
  causes: ['missing-permission'],
  description: 'Add the statements declared in expectedPermissions for this role to its inline policy (merged with what is there).',
  permissions: [{ actions: ['iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'], resources: [ARN.role], taggable: true }],
  appliesTo: ['role:statement-missing'],
  writes: 'iam',

  async readBefore(ports, action) {
    const policyName = stringParam(action, 'policyName');
    const inline = await ports.iam.listInlinePolicies(action.target);
    const othersChars = Object.entries(inline).filter(([name]) => name !== policyName).reduce((sum, [, doc]) => sum + policySize(doc), 0);
    return { kind: 'inline-policy', roleName: action.target, policyName, document: inline[policyName] ?? null, othersChars };
  },

  reached(action, state) {
    const existing = statementsOf(documentOf(state));
    return documentOf(state) !== null && statementsOf(wanted(action)).every((s) => existing.some((e) => sameJson(e, s)));
  },

  async apply(ports, action, given) {
    const policyName = stringParam(action, 'policyName');
    const state = given ?? (await stateFrom(putInlinePolicy.readBefore(ports, action)));
    const previous = documentOf(state.current);
    if (putInlinePolicy.reached(action, state.current)) {
      return reachedOutcome(state, putInlinePolicy.reached(action, state.recorded), previous, `${action.target} already has the declared statements in ${policyName}`, 'iam');
    }
    const document = mergeStatements(previous, wanted(action));
    const total = Number(state.current['othersChars'] ?? 0) + policySize(document);
    if (total > IAM_QUOTAS.inlinePolicyCharsPerRole) {
      throw new RemediationRefusedError(`inline policies of ${action.target} would total ${total} characters, over the ${IAM_QUOTAS.inlinePolicyCharsPerRole}-character quota; ${policyName} was not written`);
    }
    await ports.iam.putRolePolicy(action.target, policyName, document);
    const added = statementsOf(document).length - statementsOf(previous).length;
    return {
      result: 'done',
      before: { kind: 'inline-policy', roleName: action.target, policyName, document: previous },
      after: document,
      detail: `${previous ? 'updated' : 'added'} inline policy ${policyName} on ${action.target} (${added} statement(s) added)`,
      writes: { iam: 1, ec2: 0 },
    };
  },

  async undo(ports, action, before, options = {}) {
    const policyName = beforeField<string>(before, 'policyName');
    const previous = beforeField<PolicyDocument | null>(before, 'document');
    const current = (await ports.iam.listInlinePolicies(action.target))[policyName] ?? null;
    if (previous === null ? current === null : current !== null && sameJson(current, previous)) return `${policyName} on ${action.target} is already as before`;
    const unchanged = options.after !== undefined && options.after !== null
      ? current !== null && sameJson(current, options.after)
      : current !== null && sameJson(current, mergeStatements(previous, wanted(action)));
    if (!unchanged && !options.force) {
      throw new UndoConflictError(`inline policy ${policyName} on ${action.target} was changed since this change wrote it (another incident or a person): now ${current ? JSON.stringify(current) : 'deleted'}`, current);
    }
    if (previous === null) {
      if (current !== null) await ports.iam.deleteRolePolicy(action.target, policyName);
      return `deleted inline policy ${policyName} from ${action.target}`;
    }
    await ports.iam.putRolePolicy(action.target, policyName, previous);
    return `restored the previous inline policy ${policyName} on ${action.target}`;
  },
};
