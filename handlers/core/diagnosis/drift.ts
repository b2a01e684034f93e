/**
 * The rules of drift incidents (kind `drift`): a change record, diagnosed against the account as it is now. The
 * causes are those of denials and launches (same modes, guard, budgets); these rules add what only a drift has:
 * nothing in use (nothing to do), a principal we keep repairing after (escalate), declared permissions a change
 * removed, and a launch template whose launching version lost the profile the running instances use.
 */
import type { Config } from '../config.ts';
import type { PlannedAction } from '../incident.ts';
import { documentCovers } from '../policy/coverage.ts';
import { expectedPermissionsFor } from '../policy/principal.ts';
import { listOf, sameJson, statementsOf } from '../policy/statements.ts';
import type { PolicyStatement } from '../config.ts';
import type { Facts, InstanceFacts, LaunchTemplateFacts } from './facts.ts';
import { EXPECTED_INLINE_POLICY, templateRepairPlan } from './plans.ts';
import { instanceList, type Rule } from './rule.ts';

const isDrift = (facts: Facts) => facts.incident.kind === 'drift' && !!facts.drift;
/** A drift of one of these resource types, with instances in use. */
const driftOf = (facts: Facts, ...types: string[]) => isDrift(facts) && facts.instances.length > 0 && types.includes(facts.drift!.resourceType ?? '');
const changeOf = (facts: Facts) => `${facts.drift?.by ?? 'someone'}'s change`;

/** The same principal broke what we repaired within the window: repairing again would fight them. */
export const driftFlapping: Rule = (facts, config) => {
  const drift = facts.drift;
  if (!isDrift(facts) || !drift?.repairedBefore.length) return null;
  const last = drift.repairedBefore[drift.repairedBefore.length - 1]!;
  const minutes = Math.round(config.drift.flappingWindowSeconds / 60);
  return {
    cause: 'drift-flapping',
    summary: `${drift.by} changed ${drift.resource} again after iam-autoheal repaired it (${last.action} ${last.target} at ${last.at}): not repaired a second time within ${minutes} min — agree with ${drift.by} on what it should be, or list them in drift.ignorePrincipals`,
    plan: [],
    owner: `${drift.by}, who keeps changing it, and the team that owns the instances`,
    because: drift.repairedBefore.map((r) => ({ kind: 'drift repaired before', summary: `${r.action} ${r.target} at ${r.at}, after a change by ${drift.by}` })),
  };
};

/**
 * A change that breaks nothing in use starts no repair (and tells no one). Not when a read was throttled: the
 * instances that use it are then unknown, not none, and the throttling rule decides.
 */
export const driftNothingInUse: Rule = (facts) =>
  isDrift(facts) && facts.instances.length === 0 && facts.throttling.count === 0
    ? { cause: 'unknown', summary: `${changeOf(facts)} breaks nothing in use: ${facts.drift!.inUse}; nothing to do`, healthy: true }
    : null;

/** Each (action, resource) a declared statement allows; statements with NotAction/NotResource are compared as a whole. */
function pairsOf(statement: PolicyStatement): Array<[string, string | null]> | null {
  if (statement.Effect !== 'Allow' || statement.NotAction || statement.NotResource || !statement.Action) return null;
  const resources = statement.Resource ? listOf(statement.Resource) : ['*'];
  return listOf(statement.Action).flatMap((a) => resources.map((r): [string, string | null] => [a, r === '*' ? null : r]));
}

/** A declared statement the role's inline policies still grant (or hold as written). */
function stillGranted(statement: PolicyStatement, inline: Record<string, unknown>): boolean {
  const documents = Object.values(inline) as Parameters<typeof documentCovers>[0][];
  if (documents.some((d) => statementsOf(d).some((s) => sameJson(s, statement)))) return true;
  const pairs = pairsOf(statement);
  return !!pairs && pairs.every(([action, resource]) => documents.some((d) => documentCovers(d, action, resource)));
}

/** A declared managed policy detached, or a declared statement gone from the inline policies: put back, nothing more. */
export const driftMissingPermission: Rule = (facts, config: Config) => {
  const role = facts.role;
  if (!driftOf(facts, 'role-policy') || !role || facts.roleSource !== 'profile') return null;
  const name = role.info.name;
  const entries = expectedPermissionsFor(name, config.expectedPermissions);
  const plan: PlannedAction[] = [];
  for (const arn of entries.flatMap((e) => e.policyArns)) {
    const document = facts.declaredPolicies[arn];
    if (role.attachedPolicies.some((p) => p.arn === arn) || !document || plan.some((p) => p.params['policyArn'] === arn)) continue;
    plan.push({ type: 'attach-policy', target: name, params: { policyArn: arn, document }, reason: `${arn} is declared for ${name} in expectedPermissions and is no longer attached` });
  }
  const missing = entries.flatMap((e) => e.statements).filter((s) => !stillGranted(s, role.inlinePolicies));
  if (missing.length) {
    const existing = statementsOf(role.inlinePolicies[EXPECTED_INLINE_POLICY]);
    plan.push({
      type: 'put-inline-policy', target: name,
      params: { policyName: EXPECTED_INLINE_POLICY, document: { Version: '2012-10-17', Statement: [...existing, ...missing.filter((m) => !existing.some((e) => sameJson(e, m)))] } },
      reason: `${missing.length} statement(s) declared for ${name} are no longer granted by its inline policies`,
    });
  }
  if (!plan.length) return null;
  const users = instanceList(facts.instances.map((i) => i.id));
  return {
    cause: 'missing-permission',
    summary: `${changeOf(facts)} removed what expectedPermissions declares for ${name}, used by ${users}: put back before any call is denied`,
    plan,
  };
};

/** The profile the working instances of a template or group use, when they agree on one. */
function profileInUse(instances: InstanceFacts[]): string | null {
  const names = new Set(instances.filter((i) => i.association && i.profile?.roles.length).map((i) => i.profile!.name));
  return names.size === 1 ? [...names][0]! : null;
}

/** The version new instances launch from: the group's, else the changed template's default. */
function launchingOf(facts: Facts, instance: InstanceFacts): LaunchTemplateFacts | null {
  if (instance.autoScalingGroup) return instance.autoScalingGroup.template;
  const launching = facts.drift?.launching;
  return launching && instance.launchTemplate?.version.launchTemplateId === launching.version.launchTemplateId ? launching : null;
}

/** A launch template or group change that makes a version without the profile in use the one that launches. */
export const driftStaleLaunchTemplate: Rule = (facts) => {
  if (!driftOf(facts, 'launch-template', 'auto-scaling-group')) return null;
  const stale = facts.instances.map((i) => ({ i, launching: launchingOf(facts, i) })).filter(({ launching }) => launching && !launching.version.iamInstanceProfile);
  if (!stale.length) return null;
  const launching = stale[0]!.launching!;
  const profile = profileInUse(facts.instances);
  const id = launching.version.launchTemplateId;
  if (!profile) {
    return { cause: 'stale-launch-template', summary: `version ${launching.version.versionNumber} of ${id} launches without an instance profile, and its running instances do not agree on one: a person decides which`, plan: [] };
  }
  const groups = [...new Map(stale.filter(({ i }) => i.autoScalingGroup).map(({ i }) => [i.autoScalingGroup!.name, i.autoScalingGroup])).values()];
  return {
    cause: 'stale-launch-template',
    summary: `${changeOf(facts)} makes version ${launching.version.versionNumber} of ${id}, which names no instance profile, the one that launches; its running instances use ${profile}: the next launch would get no role`,
    plan: templateRepairPlan(launching, groups, profile),
  };
};

/** Anything else a drift left working: nothing to do. */
export const driftStillWorks: Rule = (facts) =>
  isDrift(facts)
    ? { cause: 'unknown', summary: `${changeOf(facts)} leaves every instance in use working (${facts.drift!.inUse}); nothing to do`, healthy: true }
    : null;

/** Every repair of a drift names who made it, so that a second drift of theirs is recognised (driftFlapping). */
export function tagDriftPlan(facts: Facts, plan: PlannedAction[]): PlannedAction[] {
  if (!isDrift(facts)) return plan;
  return plan.map((a) => (a.type === 'wait' || a.type === 'notify' ? a : { ...a, params: { ...a.params, driftBy: facts.drift!.by } }));
}


