/** Plans: the ordered changes that fix a cause, built from facts and the operator's declarations only. */
import type { Config } from '../config.ts';
import type { PlannedAction } from '../incident.ts';
import { documentCovers, statementCovers } from '../policy/coverage.ts';
import { expectedPermissionsFor } from '../policy/principal.ts';
import { sameJson, statementsOf } from '../policy/statements.ts';
import type { Facts, InstanceFacts, LaunchTemplateFacts } from './facts.ts';

/** Inline policy that holds the statements restored from expectedPermissions. */
export const EXPECTED_INLINE_POLICY = 'iam-autoheal-expected';

export function waitPlan(config: Config, target: string, reason: string): PlannedAction[] {
  return [{ type: 'wait', target, params: { seconds: config.propagation.firstWaitSeconds }, reason }];
}

/** One entry per instance, kept small: a plan for 200 instances is carried three times in the workflow's 256 KB state. */
export function associatePlan(instances: InstanceFacts[], profileName: string, why: string): PlannedAction[] {
  return instances.map((i) => ({ type: 'associate-profile' as const, target: i.id, params: { profileName }, reason: `no profile; ${why}` }));
}

/** The template future launches use: the group's when there is one, else the instance's own. */
export function launchingTemplate(instance: InstanceFacts): LaunchTemplateFacts | null {
  return instance.autoScalingGroup ? instance.autoScalingGroup.template : instance.launchTemplate;
}

/**
 * The repair of one launch template that launches instances without a profile: a new version with the profile,
 * then whatever makes launches use it — the default version (launches and groups that use $Default), or each
 * group that pins a version. The runbook's pro tip: fix the template before the running instances, otherwise
 * every scale-out launches without a role again.
 */
export function templateRepairPlan(template: LaunchTemplateFacts, groups: Array<InstanceFacts['autoScalingGroup']>, profileName: string): PlannedAction[] {
  const id = template.version.launchTemplateId;
  const plan: PlannedAction[] = [
    {
      type: 'create-launch-template-version', target: id, params: { sourceVersion: template.version.versionNumber, profileName },
      reason: `version ${template.version.versionNumber} of ${id} launches instances without a profile`,
    },
  ];
  const users = groups.length ? groups : [null];
  const byDefault = users.filter((g) => (g?.launchTemplate?.version ?? '$Default') === '$Default');
  if (byDefault.length) {
    const who = byDefault.map((g) => (g ? `group ${g.name}` : 'launches')).join(', ');
    plan.push({ type: 'set-default-launch-template-version', target: id, params: { profileName }, reason: `${who} use${byDefault.length === 1 && byDefault[0] ? 's' : ''} the default version of ${id}` });
  }
  for (const group of users) {
    const reference = group?.launchTemplate?.version ?? '$Default';
    if (group && reference !== '$Default' && reference !== '$Latest') {
      plan.push({ type: 'update-auto-scaling-group', target: group.name, params: { launchTemplateId: id, profileName }, reason: `group ${group.name} pins version ${reference} of ${id}` });
    }
  }
  return plan;
}

interface DeniedCall {
  action: string;
  /** "*" when the event named no resource. */
  resource: string | null;
}

const resourceOf = (call: DeniedCall): string | null => (call.resource && call.resource !== '*' ? call.resource : null);

/**
 * Grants come only from expectedPermissions: every declared managed policy that is not attached and
 * covers one of the denied calls, then the declared statements that cover the calls still uncovered.
 * A call nothing declared covers becomes a proposal (one least-privilege statement per resource).
 */
export function missingPermissionPlan(facts: Facts, config: Config, calls: DeniedCall[] = [{ action: facts.denied.action!, resource: facts.denied.resource }]): PlannedAction[] {
  const role = facts.role!;
  const roleName = role.info.name;
  const entries = expectedPermissionsFor(roleName, config.expectedPermissions);
  const plan: PlannedAction[] = [];
  let uncovered = calls;
  for (const [policyArn, document] of Object.entries(facts.declaredPolicies)) {
    if (!document || !entries.some((e) => e.policyArns.includes(policyArn))) continue;
    const covered = uncovered.filter((c) => documentCovers(document, c.action, resourceOf(c)));
    if (covered.length === 0) continue;
    plan.push({ type: 'attach-policy', target: roleName, params: { policyArn, document }, reason: `${policyArn} is declared for ${roleName}, covers ${actionList(covered)} and is not attached` });
    uncovered = uncovered.filter((c) => !covered.includes(c));
  }
  const declared = entries.flatMap((e) => e.statements);
  const byStatement = uncovered.filter((c) => declared.some((s) => statementCovers(s, c.action, resourceOf(c))));
  if (byStatement.length) {
    const needed = declared.filter((s) => byStatement.some((c) => statementCovers(s, c.action, resourceOf(c))));
    const existing = statementsOf(role.inlinePolicies[EXPECTED_INLINE_POLICY]);
    const added = needed.filter((s) => !existing.some((e) => sameJson(e, s)));
    if (added.length) {
      plan.push({
        type: 'put-inline-policy', target: roleName,
        params: { policyName: EXPECTED_INLINE_POLICY, document: { Version: '2012-10-17', Statement: [...existing, ...added] } },
        reason: `the statement(s) declared for ${roleName} that cover ${actionList(byStatement)} are missing`,
      });
    }
    uncovered = uncovered.filter((c) => !byStatement.includes(c));
  }
  const byResource = new Map<string, string[]>();
  for (const c of uncovered) byResource.set(resourceOf(c) ?? '*', [...(byResource.get(resourceOf(c) ?? '*') ?? []), c.action]);
  for (const [resource, actions] of byResource) {
    plan.push({
      type: 'propose-policy', target: roleName,
      params: { statement: { Effect: 'Allow', Action: actions.length === 1 ? actions[0] : actions, Resource: resource } },
      reason: `nothing declared for ${roleName} covers ${actions.join(', ')}: a least-privilege statement for a human to review, never applied`,
    });
  }
  return plan;
}

function actionList(calls: DeniedCall[]): string {
  return [...new Set(calls.map((c) => c.action))].join(', ');
}
