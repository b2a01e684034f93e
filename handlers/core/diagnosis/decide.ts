/** The pure decision: which cause the facts show, the evidence for it, and the plan that fixes it. */
import type { Config } from '../config.ts';
import type { Diagnosis } from '../incident.ts';
import { couldNotSee } from './blind.ts';
import { baseEvidence } from './evidence.ts';
import { escalationFromMessage, escalationFromSimulation, ownerOf, simulationsOf } from './escalation.ts';
import type { Facts } from './facts.ts';
import { handoutEvidence, handoutsOf } from './handouts.ts';
import { incidentResponse } from './intent.ts';
import { driftFlapping, driftMissingPermission, driftNothingInUse, driftStaleLaunchTemplate, driftStillWorks, tagDriftPlan } from './drift.ts';
import { driftLaunchesNothingYet } from './drift-launch.ts';
import { associatedProfileGone, instanceWithoutProfile } from './missing-profile.ts';
import { profileWithoutRole, trustMissingEc2 } from './profile-chains.ts';
import { missingPermissionPlan, waitPlan } from './plans.ts';
import { deniedAsAnotherRole, staleCredentials } from './stale.ts';
import { fromDocuments } from './without-simulator.ts';
import type { Finding, Rule } from './rule.ts';

/** Denials that reach an instance-role session but concern another principal's role. */
const NOT_INSTANCE_ROLE_ACTIONS: Record<string, string> = {
  'eks-auth:assumeroleforpodidentity':
    "EKS could not assume the role of a pod's Pod Identity association: that role's trust (pods.eks.amazonaws.com) is at fault, not this node's instance role, which is left unchanged",
};

/** Many denials while the policies allow the call: the runbook's high-traffic throttling case. */
const STORM_EVENTS = 100;

const notInstanceRole: Rule = (facts) => {
  const why = facts.denied.action ? NOT_INSTANCE_ROLE_ACTIONS[facts.denied.action.toLowerCase()] : undefined;
  return why ? { cause: 'not-instance-role', summary: why, owner: ownerOf('not-instance-role', facts) } : null;
};

const blockedPerMessage: Rule = (facts) => escalationFromMessage(facts);

const associationInProgress: Rule = (facts, config) => {
  const associating = facts.instances.find((i) => i.association?.state === 'associating');
  return associating ? { cause: 'propagation-delay', summary: `the profile association of ${associating.id} is still being made`, plan: waitPlan(config, associating.id, 'association in progress') } : null;
};

const roleGone: Rule = (facts) =>
  facts.roleMissing && !facts.role ? { cause: 'unknown', summary: `role ${facts.roleMissing} does not exist; recreating roles is a human's decision`, owner: ownerOf('unknown', facts) } : null;

const changedMomentsAgo: Rule = (facts, config) => {
  const recent = facts.recentChanges.filter((c) => c.secondsAgo <= facts.propagationWindowSeconds);
  const allowsNow = facts.simulation?.decision === 'allowed' || (facts.incident.kind !== 'access-denied' && !facts.simulation);
  const fixing = recent.filter((c) => !c.breaking);
  if (!(fixing.length || (recent.length && allowsNow))) return null;
  const latest = (fixing[0] ?? recent[0])!;
  return {
    cause: 'propagation-delay',
    summary: `${latest.what} on ${latest.resource} ${Math.round(latest.secondsAgo)}s ago has not reached every IAM endpoint yet: wait, then verify`,
    plan: waitPlan(config, latest.resource ?? facts.incident.key, 'IAM is eventually consistent: changes take seconds to propagate'),
  };
};

const launchHealthy: Rule = (facts) =>
  facts.incident.kind !== 'access-denied' && facts.instances.length > 0 && facts.instances.every((i) => !i.info || i.profile?.roles.length)
    ? { cause: 'unknown', summary: 'every instance of the launch has a profile with a role that EC2 may assume; nothing to fix', healthy: true }
    : null;

const simulationVerdict: Rule = (facts, config) => {
  const escalation = escalationFromSimulation(facts);
  if (escalation) return escalation;
  const s = facts.simulation ?? simulationsOf(facts)[0];
  if (!s || !facts.role) return null;
  // Any denied action that no policy allows is a missing permission, whether or not it is the trigger's.
  const notAllowed = simulationsOf(facts).filter((r) => r.decision === 'implicitDeny');
  if (notAllowed.length) {
    const calls = notAllowed.map((r) => `${r.action} on ${r.resource}`);
    const what = calls.length <= 3 ? calls.join(', ') : `${calls.slice(0, 3).join(', ')} and ${calls.length - 3} more`;
    return { cause: 'missing-permission', summary: `no identity-based policy of ${facts.role.info.name} allows ${what}`, plan: missingPermissionPlan(facts, config, notAllowed) };
  }
  const primary = facts.instances[0];
  const association = primary?.association;
  if (deniedAsAnotherRole(facts)) {
    return staleCredentials(facts, `${primary?.id ?? 'the instance'} was denied as ${facts.denied.roleName}, but its profile now holds ${facts.role.info.name}, which is allowed ${s.action}: its credentials are stale`);
  }
  const denial = facts.denied.denial;
  if (facts.incident.eventCount >= STORM_EVENTS && !denial?.policyType) {
    return { cause: 'throttling', summary: `${facts.incident.eventCount} denials while the policies allow ${s.action}: a high-traffic storm (throttling surfaced as AccessDenied); back off`, plan: waitPlan(config, facts.role.info.name, 'storm while policies allow: back off with jitter') };
  }
  const age = association?.associatedAt ? (Date.parse(facts.now) - Date.parse(association.associatedAt)) / 1000 : null;
  if (age !== null && age <= facts.propagationWindowSeconds) {
    return { cause: 'propagation-delay', summary: `the association of ${primary!.id} is ${Math.round(age)}s old: its credentials may not have arrived yet; wait, then verify`, plan: waitPlan(config, primary!.id, 'a new association delivers credentials within seconds') };
  }
  return staleCredentials(facts, `the policies allow ${s.action} now, the association is ${age === null ? 'of unknown age' : `${Math.round(age)}s old`} (past the ${facts.propagationWindowSeconds}s propagation window) and denials persist: refresh the credentials`);
};

const nothingFits: Rule = (facts) => ({
  cause: 'unknown',
  summary: facts.denied.action ? `no known cause explains the denial of ${facts.denied.action}; everything gathered is attached` : 'no known cause fits; everything gathered is attached',
  owner: ownerOf('unknown', facts),
});

/** Order matters: a responder's decision first, then what the service could not see (fail closed), then what the message proves, then the instance → profile → role chain, then the simulation. */
const RULES: Rule[] = [
  incidentResponse,
  couldNotSee,
  driftFlapping,
  driftLaunchesNothingYet,
  driftNothingInUse,
  notInstanceRole,
  blockedPerMessage,
  instanceWithoutProfile,
  associatedProfileGone,
  associationInProgress,
  profileWithoutRole,
  roleGone,
  trustMissingEc2,
  driftMissingPermission,
  driftStaleLaunchTemplate,
  driftStillWorks,
  changedMomentsAgo,
  launchHealthy,
  fromDocuments,
  simulationVerdict,
  nothingFits,
];

export function decide(facts: Facts, config: Config): Diagnosis {
  let finding: Finding | null = null;
  for (const rule of RULES) {
    finding = rule(facts, config);
    if (finding) break;
  }
  const f = finding!;
  const plan = tagDriftPlan(facts, f.plan ?? []);
  const handouts = handoutsOf(plan, facts);
  const diagnosis: Diagnosis = {
    cause: f.cause,
    summary: f.summary,
    evidence: [...(f.because ?? []), ...baseEvidence(facts), ...handoutEvidence(handouts, plan, config)],
    plan,
    subject: { ...subjectOf(facts, config), ...(handouts.length ? { handouts } : {}) },
  };
  if (f.owner) diagnosis.owner = f.owner;
  if (f.healthy) diagnosis.healthy = true;
  if (f.also?.length) diagnosis.alsoCauses = f.also;
  if (f.reducedConfidence) diagnosis.reducedConfidence = f.reducedConfidence;
  return diagnosis;
}

/** Which of the incident's roles, instances, launch templates and groups carry the opt-in tag themselves (where IAM checks it). */
function optInOf(facts: Facts, config: Config): Diagnosis['subject']['optIn'] {
  const tag = config.scope.tag;
  if (!tag) return undefined;
  const carries = (tags: Record<string, string> | undefined) => tags?.[tag.key] === tag.value;
  const unique = (values: Array<string | null | undefined>) => [...new Set(values.filter((v): v is string => !!v))];
  // A drift of a template or group that launches nothing yet: its own tags (drift-launch.ts).
  const launching = facts.drift?.launchSources ?? [];
  const templates = [...facts.instances.flatMap((i) => [i.launchTemplate, i.autoScalingGroup?.template]), ...launching.map((s) => s.template)].filter((t) => carries(t?.version.tags));
  const groups = [...facts.instances.flatMap((i) => (i.autoScalingGroup ? [i.autoScalingGroup] : [])), ...launching.flatMap((s) => s.groups)].filter((g) => carries(g.tags));
  return {
    tag: `${tag.key}=${tag.value}`,
    roles: unique([facts.role?.info, ...(facts.chains ?? []).map((c) => c.role)].filter((r) => carries(r?.tags)).map((r) => r?.name)),
    instanceIds: facts.instances.filter((i) => carries(i.info?.tags)).map((i) => i.id),
    launchTemplateIds: unique(templates.map((t) => t?.version.launchTemplateId)),
    autoScalingGroups: unique(groups.map((g) => g.name)),
  };
}

function subjectOf(facts: Facts, config: Config): Diagnosis['subject'] {
  const role = facts.role?.info ?? null;
  const primary = facts.instances[0];
  const optIn = optInOf(facts, config);
  return {
    accountId: facts.incident.accountId,
    region: facts.incident.region,
    roleName: role?.name ?? facts.denied.roleName ?? primary?.expected?.roles[0] ?? null,
    roleArn: role?.arn ?? facts.denied.roleArn ?? null,
    instanceIds: facts.instances.length ? facts.instances.map((i) => i.id) : facts.incident.instanceIds,
    action: facts.denied.action,
    resource: facts.denied.resource,
    // Launch and sweep incidents are read from EC2 itself, not from a session anyone could have named i-….
    ec2Delivered: facts.incident.kind === 'access-denied' ? !!facts.denied.ec2RoleDelivery : true,
    tags: { ...(role?.tags ?? {}), ...(primary?.info?.tags ?? {}) },
    ...(optIn ? { optIn } : {}),
  };
}
