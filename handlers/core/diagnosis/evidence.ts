/** The facts a human would check, as short sentences with the data behind them. */
import type { Evidence } from '../incident.ts';
import { readTrust } from '../policy/trust.ts';
import { eventHistoryEvidence } from './event-history.ts';
import { withoutSimulationEvidence } from './without-simulator.ts';
import type { Facts, InstanceFacts, LaunchTemplateFacts } from './facts.ts';

function templateLine(t: LaunchTemplateFacts): string {
  const spec = t.version.iamInstanceProfile;
  const profile = spec ? ('name' in spec ? spec.name : spec.arn) : 'no instance profile';
  const isDefault = t.defaultVersion === t.version.versionNumber ? 'the default' : `default is ${t.defaultVersion ?? 'unknown'}`;
  return `${t.version.launchTemplateId} (${t.version.launchTemplateName}) ${t.reference} → version ${t.version.versionNumber} (${isDefault}): ${profile}`;
}

export function instanceEvidence(instance: InstanceFacts): Evidence[] {
  const out: Evidence[] = [];
  if (!instance.info) {
    out.push({ kind: 'instance', summary: `${instance.id} is not found by DescribeInstances` });
    return out;
  }
  const a = instance.association;
  out.push({
    kind: 'association',
    summary: a
      ? `${instance.id} (${instance.info.state}) has profile ${a.instanceProfileArn} (${a.associationId}, ${a.state}${a.associatedAt ? ` since ${a.associatedAt}` : ''})`
      : `${instance.id} (${instance.info.state}) has no instance profile association`,
    data: a,
  });
  if (a && instance.profileMissing) out.push({ kind: 'instance profile', summary: `the associated profile ${a.instanceProfileArn} does not exist any more` });
  if (instance.profile) {
    out.push({
      kind: 'instance profile',
      summary: instance.profile.roles.length ? `profile ${instance.profile.name} holds role ${instance.profile.roles.join(', ')}` : `profile ${instance.profile.name} holds no role`,
      data: instance.profile,
    });
  }
  if (instance.launchTemplate) out.push({ kind: 'launch template', summary: `${instance.id} launched from ${templateLine(instance.launchTemplate)}`, data: instance.launchTemplate });
  if (instance.autoScalingGroup) {
    const g = instance.autoScalingGroup;
    out.push({ kind: 'auto scaling group', summary: g.template ? `group ${g.name} launches ${templateLine(g.template)}` : `group ${g.name} has no launch template`, data: g });
  }
  return out;
}

/** Per expected profile, the instances it is for and where it came from; the places looked at when none was found. */
function expectedProfileEvidence(facts: Facts): Evidence[] {
  const looked = facts.instances.filter((i) => i.expectedSearch !== undefined);
  const byProfile = new Map<string, InstanceFacts[]>();
  for (const i of looked) {
    const key = i.expected ? `${i.expected.name}|${i.expected.detail}` : '';
    byProfile.set(key, [...(byProfile.get(key) ?? []), i]);
  }
  return [...byProfile.values()].slice(0, MAX_EXPECTED_LINES).map((instances) => {
    const e = instances[0]!.expected;
    const ids = instances.length <= 3 ? instances.map((i) => i.id).join(', ') : `${instances.slice(0, 3).map((i) => i.id).join(', ')} and ${instances.length - 3} more`;
    return {
      kind: 'expected profile',
      summary: e
        ? `expected profile ${e.name}, from the ${e.detail}${e.exists ? ` (holds ${e.roles.join(', ') || 'no role'})` : ' — it does not exist'}, for ${ids}`
        : `no expected profile known for ${ids} (looked at: ${instances[0]!.expectedSearch!.join('; ')})`,
      data: e ?? null,
    };
  });
}

/** Distinct expected profiles listed in the evidence (the plan has every instance). */
const MAX_EXPECTED_LINES = 10;

export function baseEvidence(facts: Facts): Evidence[] {
  const out: Evidence[] = [];
  const d = facts.denied;
  if (facts.incident.kind === 'access-denied' && d.action) {
    const why = d.denial ? `${d.denial.explicit === true ? 'explicit deny' : d.denial.explicit === false ? 'no allow' : 'reason not stated'}${d.denial.policyType ? ` in ${d.denial.policyType} policy` : ''}` : 'no message';
    out.push({
      kind: 'denial',
      summary: `${d.roleName ?? 'unknown role'} on ${d.instanceId ?? 'unknown instance'} was denied ${d.action}${d.resource ? ` on ${d.resource}` : ''} (${why}; ${facts.incident.eventCount} event(s); ec2RoleDelivery ${d.ec2RoleDelivery ?? 'absent'})`,
      data: d.denial,
    });
  }
  const [primary, ...others] = facts.instances;
  if (primary) out.push(...instanceEvidence(primary));
  const withoutProfile = others.filter((i) => i.info && !i.association).map((i) => i.id);
  const listed = withoutProfile.length <= 10 ? withoutProfile.join(', ') : `${withoutProfile.slice(0, 10).join(', ')} and ${withoutProfile.length - 10} more`;
  if (others.length) out.push({ kind: 'other instances', summary: `${others.length} more instance(s) in the incident; without a profile: ${listed || 'none'}` });
  if (facts.leftOut?.instances) out.push({ kind: 'left out', summary: `${facts.leftOut.instances} more instance(s) of the incident were not read (at most ${facts.instances.length} per execution); the next execution or the sweep finds them` });
  if (facts.role) {
    const r = facts.role;
    const trust = readTrust(r.info.trustPolicy);
    out.push({
      kind: 'trust policy',
      summary: trust.allowsEc2
        ? `trust policy of ${r.info.name} lets ec2.amazonaws.com assume it (statement ${trust.statementIndex! + 1})`
        : `trust policy of ${r.info.name} does not let ec2.amazonaws.com assume it${trust.blockedByCondition ? ' (a statement names EC2 with conditions EC2 cannot meet)' : ''}${trust.deniedExplicitly ? ' (an explicit Deny names EC2)' : ''}`,
      data: r.info.trustPolicy,
    });
    out.push({
      kind: 'role policies',
      summary: `${r.info.name}: inline [${Object.keys(r.inlinePolicies).join(', ')}], attached [${r.attachedPolicies.map((p) => p.arn).join(', ')}], permissions boundary ${r.info.permissionsBoundaryArn ?? 'none'}`,
    });
  }
  if (facts.roleMissing) out.push({ kind: 'role', summary: `role ${facts.roleMissing} does not exist` });
  const simulations = facts.simulations ?? (facts.simulation ? [facts.simulation] : []);
  for (const s of simulations) {
    const matched = s.matchedStatements.map((m) => `${m.sourcePolicyId}${m.sourcePolicyType ? ` (${m.sourcePolicyType})` : ''}`).join(', ');
    out.push({
      kind: 'simulation',
      summary: `SimulatePrincipalPolicy ${s.action} on ${s.resource}: ${s.decision}${matched ? `, decided by ${matched}` : ''}${s.permissionsBoundaryAllowed === false ? ', permissions boundary does not allow' : ''}${s.organizationsAllowed === false ? ', organization policies do not allow' : ''}`,
      data: s,
    });
  }
  out.push(...withoutSimulationEvidence(facts));
  if (facts.leftOut?.actions) out.push({ kind: 'left out', summary: `${facts.leftOut.actions} more distinct denied action(s) were not simulated (at most ${simulations.length} per execution): ${facts.incident.actions.length} were denied in all` });
  out.push(...expectedProfileEvidence(facts));
  if (facts.decoded.status !== 'absent') {
    const summaries = {
      decoded: `encoded authorization message decoded: allowed ${String(facts.decoded.allowed)}, explicit deny ${String(facts.decoded.explicitDeny)}`,
      truncated: 'the encoded authorization message was cut by CloudTrail (about 1 KB) and cannot be decoded; diagnosed from the simulation instead',
      'not-decodable': 'the encoded authorization message could not be decoded (sts:DecodeAuthorizationMessage refused or failed)',
    } as const;
    out.push({ kind: 'encoded message', summary: summaries[facts.decoded.status], data: facts.decoded.raw });
  }
  for (const c of facts.recentChanges) {
    out.push({ kind: 'recent change', summary: `${c.what} on ${c.resource} ${Math.round(c.secondsAgo)}s ago${c.breaking ? ' (breaking)' : ''}`, data: c });
  }
  out.push(...eventHistoryEvidence(facts.eventHistory));
  if (facts.throttling.count) out.push({ kind: 'throttling', summary: `${facts.throttling.count} throttled call(s) while diagnosing: ${facts.throttling.apis.join(', ')}` });
  for (const e of facts.readErrors) out.push({ kind: 'read error', summary: e });
  return out;
}
