/**
 * Drift incidents at intake: a change record that can break an instance role starts an incident of its own
 * (kind `drift`), diagnosed against the account as it is now. Pure, like the intake: whether anything in use is
 * broken is the diagnosis' question; here only who made the change and what it touched are read.
 */
import type { Config } from './config.ts';
import { changedBy } from './diagnosis/recent-changes.ts';
import { keyOf } from './events/incident-key.ts';
import type { Classification } from './events/model.ts';
import { wildcardMatch } from './policy/wildcard.ts';

/** Change events that can leave an in-use instance role broken (CONTRACTS.md kind `drift`). */
export const DRIFT_EVENTS: ReadonlySet<string> = new Set([
  'UpdateAssumeRolePolicy',
  'RemoveRoleFromInstanceProfile',
  'DetachRolePolicy',
  'DeleteRolePolicy',
  // A rewrite can leave out what expectedPermissions declares: the diagnosis compares.
  'PutRolePolicy',
  'CreateLaunchTemplate',
  'CreateLaunchTemplateVersion',
  'ModifyLaunchTemplate',
  'CreateAutoScalingGroup',
  'UpdateAutoScalingGroup',
  'DisassociateIamInstanceProfile',
  'ReplaceIamInstanceProfileAssociation',
]);

/**
 * Changes the diagnosis compares even when the record alone shows nothing removed: a rewritten inline policy (against
 * expectedPermissions), a new group (the template version it launches, which the record does not show).
 */
const COMPARED_BY_DIAGNOSIS: ReadonlySet<string> = new Set(['PutRolePolicy', 'CreateAutoScalingGroup']);

/** IAM is global: its records arrive in us-east-1 whatever region the instances run in. */
const GLOBAL_RESOURCE_TYPES: ReadonlySet<string> = new Set(['role-trust', 'role-policy', 'instance-profile']);

/** The names a principal is known by, for `drift.ignorePrincipals`: role name and ARN, `role/session`, user name. */
function namesOf(c: Classification): string[] {
  const p = c.principal;
  const names = [p.roleName, p.roleArn, p.roleName && p.sessionName ? `${p.roleName}/${p.sessionName}` : null];
  if (!p.roleName && p.sessionName) names.push(p.sessionName);
  return names.filter((n): n is string => !!n);
}

export type DriftVerdict = { drift: true; by: string } | { drift: false; reason: string };

/** Whether a classified change starts a drift incident, and why not when it does not. */
export function driftVerdict(c: Classification, drift: Config['drift']): DriftVerdict {
  if (c.kind !== 'change' || !c.change || !c.eventName) return { drift: false, reason: 'not a change record' };
  if (!drift.enabled) return { drift: false, reason: 'drift.enabled is false: kept as evidence only' };
  if (!DRIFT_EVENTS.has(c.eventName)) return { drift: false, reason: `${c.eventName} adds, it removes nothing` };
  if (!c.change.breaking && !COMPARED_BY_DIAGNOSIS.has(c.eventName)) return { drift: false, reason: `this ${c.eventName} leaves the role, profile or template able to work` };
  if (!c.change.resource) return { drift: false, reason: `${c.eventName} names no resource` };
  const by = changedBy(c);
  if (by === 'iam-autoheal') return { drift: false, reason: 'our own change (the remediation role): never a drift' };
  const trusted = drift.ignorePrincipals.find((pattern) => namesOf(c).some((name) => wildcardMatch(pattern, name)));
  if (trusted) return { drift: false, reason: `${by} is trusted to make this change (drift.ignorePrincipals ${trusted})` };
  return { drift: true, by };
}

/**
 * The regions a drift is diagnosed in: the record's own for EC2 and Auto Scaling; for IAM (global, recorded in
 * us-east-1) every region of `scope.regions`, where the instances that use the role or profile run.
 */
export function driftRegions(c: Classification, regions: string[]): string[] {
  const own = c.region ?? 'unknown';
  return c.change && GLOBAL_RESOURCE_TYPES.has(c.change.resourceType) && regions.length ? regions : [own];
}

/** One incident per changed resource and region: two edits of one trust policy in a window are one repair. */
export function driftKey(c: Classification, region: string): string {
  const account = c.accountId ?? c.principal.accountId;
  return keyOf(['drift', account, region, c.change?.resourceType, c.change?.resource]);
}
