/**
 * Diagnosis without the policy simulator (refused to the service, not implemented, throttled past the retries): the
 * simulator sharpens the diagnosis, it does not gate it. Each denied call is judged from the role's own documents
 * (inline and attached, as read) with the same reading Verify uses (policy/coverage.ts `documentVerdicts`), beside the
 * denial message's policy type and explicit or implicit deny. What the documents decide is a cause with lowered
 * confidence (never applied without a person); what they leave open is `unknown`.
 */
import type { AccountPorts, PolicyDocument } from '../ports.ts';
import type { Evidence } from '../incident.ts';
import { documentVerdicts, type DocumentVerdict } from '../policy/coverage.ts';
import { ownerOf } from './escalation.ts';
import type { Facts } from './facts.ts';
import { missingPermissionPlan } from './plans.ts';
import type { Reader } from './reader.ts';
import type { Finding, Rule } from './rule.ts';
import { deniedAsAnotherRole, staleCredentials } from './stale.ts';

const UNSEEN = 'identity-based policies only; permissions boundaries, SCPs, resource and session policies and the statements\' conditions unseen';

/** Reads the attached policies' documents (the inline ones are read already) and judges each call from them. */
export async function judgeWithoutSimulator(reader: Reader, ports: AccountPorts, facts: Facts, calls: Array<{ action: string; resource: string | null }>, why: string): Promise<void> {
  const role = facts.role!;
  const documents: Record<string, PolicyDocument> = { ...role.inlinePolicies };
  for (const attached of role.attachedPolicies) {
    // A document that cannot be read is a failed read of the chain (blind.ts): the diagnosis fails closed.
    const document = await reader.read('iam:GetPolicyVersion', () => ports.iam.getManagedPolicyDocument(attached.arn));
    if (document) documents[attached.arn] = document;
  }
  facts.withoutSimulation = { why, verdicts: documentVerdicts(documents, calls) };
}

const callList = (verdicts: DocumentVerdict[]): string => {
  const calls = verdicts.map((v) => `${v.action}${v.resource ? ` on ${v.resource}` : ''}`);
  return calls.length <= 3 ? calls.join(', ') : `${calls.slice(0, 3).join(', ')} and ${calls.length - 3} more`;
};

/** Why a cause decided this way is not applied automatically (the guard asks a person even in auto mode). */
const NOT_SIMULATED = 'decided from the role\'s documents without the policy simulator';

export const fromDocuments: Rule = (facts, config) => {
  const without = facts.withoutSimulation;
  if (!without || !facts.role) return null;
  const role = facts.role.info.name;
  const denial = facts.denied.denial;
  // The message (or its decoded form) says no Deny applied: "no identity-based policy allows …".
  const implicit = denial?.explicit === false || facts.decoded.explicitDeny === false;
  const denying = without.verdicts.filter((v) => v.decision === 'explicitDeny');
  const ambiguous = (summary: string): Finding => ({ cause: 'unknown', summary: `${summary}; without the policy simulator that cannot be decided, and nothing is changed`, owner: ownerOf('unknown', facts) });
  if (denying.length && !implicit) {
    const by = [...new Set(denying.flatMap((v) => v.by))].join(', ');
    return { cause: 'explicit-deny', summary: `a Deny in the policies of ${role} (${by}) may block ${callList(denying)}; a Deny is never removed automatically`, owner: ownerOf('explicit-deny', facts) };
  }
  if (denying.length) return ambiguous(`a Deny in the policies of ${role} names ${callList(denying)}, but the denial says no Deny applied (its conditions did not hold)`);
  const notAllowed = without.verdicts.filter((v) => v.decision === 'implicitDeny');
  if (notAllowed.length) {
    return {
      cause: 'missing-permission',
      summary: `no policy of ${role} allows ${callList(notAllowed)} (read from its ${Object.keys(facts.role.inlinePolicies).length + facts.role.attachedPolicies.length} policies; the simulator was unavailable)`,
      plan: missingPermissionPlan(facts, config, notAllowed),
      reducedConfidence: NOT_SIMULATED,
    };
  }
  const first = without.verdicts[0]!;
  if (deniedAsAnotherRole(facts)) {
    // Decided by the session's role, not by the simulation; a refresh grants nothing.
    return staleCredentials(facts, `${facts.instances[0]?.id ?? 'the instance'} was denied as ${facts.denied.roleName}, but its profile now holds ${role}, whose policies allow ${first.action}: its credentials are stale`);
  }
  return ambiguous(`the policies of ${role} allow ${callList(without.verdicts)} as read, yet the call was denied (a condition, a boundary, an SCP or stale credentials)`);
};

/** The simulator's absence and each call's verdict from the documents. */
export function withoutSimulationEvidence(facts: Facts): Evidence[] {
  const without = facts.withoutSimulation;
  if (!without) return [];
  return [
    { kind: 'simulation', summary: `simulation unavailable (${without.why}): decided from the documents read instead (${UNSEEN})` },
    ...without.verdicts.map((v) => ({
      kind: 'policy documents',
      summary: `${v.action}${v.resource ? ` on ${v.resource}` : ''}: ${{ allowed: 'allowed', implicitDeny: 'no policy allows it', explicitDeny: 'a Deny may apply' }[v.decision]}${v.by.length ? ` (${v.by.join(', ')})` : ''}`,
      data: v,
    })),
  ];
}
