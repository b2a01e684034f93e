/** Causes that are never changed automatically: what blocks the call, and who to talk to. */
import type { EscalatedCause } from '../causes.ts';
import type { DenialPolicyType } from '../events/model.ts';
import type { SimulationResult } from '../ports.ts';
import type { Facts } from './facts.ts';

export interface Escalation {
  cause: EscalatedCause;
  summary: string;
  owner: string;
}

const BY_POLICY_TYPE: Partial<Record<Exclude<DenialPolicyType, null>, EscalatedCause>> = {
  'resource-based': 'resource-policy',
  'service-control': 'organization-policy',
  'resource-control': 'organization-policy',
  'permissions-boundary': 'permissions-boundary',
  session: 'session-policy',
  'vpc-endpoint': 'vpc-endpoint-policy',
  trust: 'resource-policy',
};

export function ownerOf(cause: EscalatedCause, facts: Facts): string {
  const role = facts.role?.info.name ?? facts.denied.roleName ?? 'the role';
  const policy = facts.denied.denial?.policyArn ? ` (${facts.denied.denial.policyArn})` : '';
  switch (cause) {
    case 'explicit-deny': return `the owner of the policy that denies${policy || ` on ${role}`}`;
    case 'permissions-boundary': return `whoever sets permissions boundaries in account ${facts.incident.accountId} (boundary ${facts.role?.info.permissionsBoundaryArn ?? 'of ' + role})`;
    case 'organization-policy': return `the AWS Organizations administrators (management account or delegated administrator)${policy}`;
    case 'resource-policy': return `the owner of ${facts.denied.resource ?? 'the resource'}${policy}`;
    case 'session-policy': return 'whoever creates the session with a session policy';
    case 'vpc-endpoint-policy': return `the network team that owns the VPC endpoint policy${policy}`;
    case 'not-instance-role': return 'the EKS cluster administrators (Pod Identity associations and their roles)';
    case 'incident-response': return 'the incident responders (whoever quarantined or removed it)';
    case 'drift-flapping': return `whoever keeps changing ${role}, and the team that owns it`;
    case 'unknown': return `the owner of ${role}`;
  }
}

/** From the error message alone: "explicit deny in …" or "no … policy allows" naming a non-identity policy. */
export function escalationFromMessage(facts: Facts): Escalation | null {
  const denial = facts.denied.denial;
  if (!denial) return null;
  const type = denial.policyType;
  if (type && type !== 'identity-based') {
    const cause = BY_POLICY_TYPE[type]!;
    const what = denial.explicit ? `is blocked by an explicit deny in a ${type} policy` : `is not allowed by any ${type} policy`;
    return { cause, summary: `${facts.denied.action} ${what}; changing the instance role cannot fix that`, owner: ownerOf(cause, facts) };
  }
  if (denial.explicit === true || facts.decoded.explicitDeny === true) {
    return { cause: 'explicit-deny', summary: `${facts.denied.action} is blocked by an explicit deny${denial.policyArn ? ` in ${denial.policyArn}` : ''}; a Deny is never removed automatically`, owner: ownerOf('explicit-deny', facts) };
  }
  return null;
}

/** Every simulated denied call, the trigger's first. */
export function simulationsOf(facts: Facts): SimulationResult[] {
  return facts.simulations ?? (facts.simulation ? [facts.simulation] : []);
}

/** From the simulations of every denied action: any explicit deny, boundary or organization policy that does not allow. */
export function escalationFromSimulation(facts: Facts): Escalation | null {
  const all = simulationsOf(facts);
  const actions = (list: SimulationResult[]) => list.map((s) => s.action).join(', ');
  const denied = all.filter((s) => s.decision === 'explicitDeny');
  if (denied.length) {
    const by = [...new Set(denied.flatMap((s) => s.matchedStatements.map((m) => m.sourcePolicyId)))].join(', ');
    return { cause: 'explicit-deny', summary: `the simulation finds an explicit deny for ${actions(denied)}${by ? ` in ${by}` : ''}; a Deny is never removed automatically`, owner: ownerOf('explicit-deny', facts) };
  }
  const bounded = all.filter((s) => s.permissionsBoundaryAllowed === false);
  if (bounded.length) {
    return { cause: 'permissions-boundary', summary: `the permissions boundary of ${facts.role?.info.name} does not allow ${actions(bounded)}; boundaries are never widened automatically`, owner: ownerOf('permissions-boundary', facts) };
  }
  const organization = all.filter((s) => s.organizationsAllowed === false);
  if (organization.length) {
    return { cause: 'organization-policy', summary: `an organization policy (SCP) does not allow ${actions(organization)}`, owner: ownerOf('organization-policy', facts) };
  }
  return null;
}
