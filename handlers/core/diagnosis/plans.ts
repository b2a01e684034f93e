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

export function associatePlan(instances: InstanceFacts[], profileName: string, why: string): PlannedAction[] {
  return instances.map((i) => ({ type: 'associate-profile' as const, target: i.id, params: { profileName }, reason: `${i.id} has no profile; ${why}` }));
}

/** The template future launches use: the group's when there is one, else the instance's own. */
export function launchingTemplate(instance: InstanceFacts): LaunchTemplateFacts | null {
  return instance.autoScalingGroup ? instance.autoScalingGroup.template : instance.launchTemplate;
}

/** Template first (the runbook's pro tip: otherwise every scale-out launches without a role again), then the running instances. */
export function staleTemplatePlan(instance: InstanceFacts, template: LaunchTemplateFacts, profileName: string, missing: InstanceFacts[]): PlannedAction[] {
  const id = template.version.launchTemplateId;
  const plan: PlannedAction[] = [
    {
      type: 'create-launch-template-version', target: id, params: { sourceVersion: template.version.versionNumber, profileName },
      reason: `version ${template.version.versionNumber} of ${id} launches instances without a profile`,
    },
  ];
  const group = instance.autoScalingGroup;
  const reference = group?.launchTemplate?.version ?? '$Default';
  if (reference === '$Default') {
    plan.push({ type: 'set-default-launch-template-version', target: id, params: { profileName }, reason: `${group ? `group ${group.name} launches` : 'launches use'} the default version of ${id}` });
  } else if (group && reference !== '$Latest') {
    plan.push({ type: 'update-auto-scaling-group', target: group.name, params: { launchTemplateId: id, profileName }, reason: `group ${group.name} pins version ${reference} of ${id}` });
  }
  plan.push(...associatePlan(missing, profileName, 'the running instances get the profile after the template is fixed'));
  return plan;
}

/**
 * Grants come only from expectedPermissions: declared managed policies that are not attached and
 * cover the denied call, and declared statements that cover it. Anything else is a proposal.
 */
export function missingPermissionPlan(facts: Facts, config: Config): PlannedAction[] {
  const role = facts.role!;
  const roleName = role.info.name;
  const action = facts.denied.action!;
  const resource = facts.denied.resource;
  const entries = expectedPermissionsFor(roleName, config.expectedPermissions);
  const plan: PlannedAction[] = [];
  for (const [policyArn, document] of Object.entries(facts.declaredPolicies)) {
    if (!document || !documentCovers(document, action, resource)) continue;
    if (!entries.some((e) => e.policyArns.includes(policyArn))) continue;
    plan.push({ type: 'attach-policy', target: roleName, params: { policyArn, document }, reason: `${policyArn} is declared for ${roleName}, covers ${action} and is not attached` });
  }
  if (plan.length === 0) {
    const declared = entries.flatMap((e) => e.statements).filter((s) => statementCovers(s, action, resource));
    if (declared.length) {
      const existing = statementsOf(role.inlinePolicies[EXPECTED_INLINE_POLICY]);
      const added = declared.filter((s) => !existing.some((e) => sameJson(e, s)));
      if (added.length) {
        plan.push({
          type: 'put-inline-policy', target: roleName,
          params: { policyName: EXPECTED_INLINE_POLICY, document: { Version: '2012-10-17', Statement: [...existing, ...added] } },
          reason: `the statement(s) declared for ${roleName} that cover ${action} are missing`,
        });
      }
    }
  }
  if (plan.length === 0) {
    plan.push({
      type: 'propose-policy', target: roleName,
      params: { statement: { Effect: 'Allow', Action: action, Resource: resource ?? '*' } },
      reason: `nothing declared for ${roleName} covers ${action}: a least-privilege statement for a human to review, never applied`,
    });
  }
  return plan;
}
