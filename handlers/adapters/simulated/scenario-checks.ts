/** Checks of a scenario account beyond its shape: references resolve, policy documents are well formed. */
import type { z } from 'zod';
import type { PolicyDocument } from '../../core/ports.ts';
import { malformedReason } from './policy-rules.ts';
import type { ScenarioAccount, ScenarioProfileRef } from './scenario.ts';

/** Names that point at other objects of the account must exist, and documents must be ones IAM would accept. */
export function checkAccount(account: unknown, ctx: z.RefinementCtx): void {
  const a = account as ScenarioAccount;
  checkDocuments(a, ctx);
  const roles = new Set(a.roles.map((r) => r.name));
  const profiles = new Set(a.instanceProfiles.map((p) => p.name));
  const templates = new Set(a.launchTemplates.map((t) => t.id));
  const groups = new Set(a.autoScalingGroups.map((g) => g.name));
  const customerPolicies = new Set(a.policies.map((p) => p.arn));
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const profileName = (ref: ScenarioProfileRef) => (ref === null ? null : typeof ref === 'string' ? ref.split('/').pop()! : 'name' in ref ? ref.name : ref.arn.split('/').pop()!);
  a.roles.forEach((role, i) => {
    role.managedPolicies.forEach((entry, j) => {
      const policyArn = typeof entry === 'string' ? entry : entry.arn;
      if (!policyArn.startsWith('arn:aws:iam::aws:') && !customerPolicies.has(policyArn)) {
        issue(['roles', i, 'managedPolicies', j], `policy ${policyArn} is not in account.policies`);
      }
    });
    const boundary = role.permissionsBoundary;
    if (boundary && !boundary.startsWith('arn:aws:iam::aws:') && !customerPolicies.has(boundary)) {
      issue(['roles', i, 'permissionsBoundary'], `policy ${boundary} is not in account.policies`);
    }
  });
  a.instanceProfiles.forEach((profile, i) => {
    profile.roles.forEach((role, j) => {
      if (!roles.has(role)) issue(['instanceProfiles', i, 'roles', j], `unknown role "${role}"`);
    });
  });
  a.launchTemplates.forEach((template, i) => {
    if (!template.versions.some((v) => v.number === template.defaultVersion)) {
      issue(['launchTemplates', i, 'defaultVersion'], `version ${template.defaultVersion} is not among the versions`);
    }
  });
  a.autoScalingGroups.forEach((group, i) => {
    if (group.launchTemplate && !templates.has(group.launchTemplate.id)) issue(['autoScalingGroups', i, 'launchTemplate', 'id'], `unknown launch template "${group.launchTemplate.id}"`);
  });
  a.instances.forEach((instance, i) => {
    const profile = profileName(instance.instanceProfile);
    if (profile !== null && !profiles.has(profile)) issue(['instances', i, 'instanceProfile'], `unknown instance profile "${profile}"`);
    if (instance.launchTemplate && !templates.has(instance.launchTemplate.id)) issue(['instances', i, 'launchTemplate', 'id'], `unknown launch template "${instance.launchTemplate.id}"`);
    if (instance.autoScalingGroup && !groups.has(instance.autoScalingGroup)) issue(['instances', i, 'autoScalingGroup'], `unknown Auto Scaling group "${instance.autoScalingGroup}"`);
    if (instance.credentialsRole && !roles.has(instance.credentialsRole)) issue(['instances', i, 'credentialsRole'], `unknown role "${instance.credentialsRole}"`);
  });
}

function checkDocuments(a: ScenarioAccount, ctx: z.RefinementCtx): void {
  const check = (document: PolicyDocument, kind: 'identity' | 'trust', path: PropertyKey[]) => {
    const reason = malformedReason(document, kind);
    if (reason) ctx.addIssue({ code: 'custom', path, message: `MalformedPolicyDocument: ${reason}` });
  };
  a.roles.forEach((role, i) => {
    check(role.trustPolicy, 'trust', ['roles', i, 'trustPolicy']);
    for (const [name, entry] of Object.entries(role.inlinePolicies)) {
      check('Statement' in entry ? (entry as PolicyDocument) : (entry as { document: PolicyDocument }).document, 'identity', ['roles', i, 'inlinePolicies', name]);
    }
  });
  a.policies.forEach((policy, i) => check(policy.document, 'identity', ['policies', i, 'document']));
  (a.serviceControlPolicies ?? []).forEach((scp, i) => check(scp, 'identity', ['serviceControlPolicies', i]));
}
