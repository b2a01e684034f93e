/**
 * The runbook's reads: instance → association → profile → role → trust and policies → simulation,
 * the launch template and Auto Scaling group, the encoded message, and what changed moments ago.
 * A throttled read is retried (reader.ts), then a failed read like a refused one: never a crash, never the cause.
 */
import { type AccountPorts, type InstanceProfileInfo, type LaunchTemplateVersionInfo, type SimulationResult } from '../ports.ts';
import type { AuditRecord } from '../audit-record.ts';
import type { Config } from '../config.ts';
import type { Incident } from '../incident.ts';
import { expectedPermissionsFor, profileNameOf } from '../policy/principal.ts';
import { activeAssociation } from '../remediations/lookups.ts';
import { resolveExpectedProfile } from './expected-profile.ts';
import type { AutoScalingGroupFacts, DecodedMessage, Facts, LaunchTemplateFacts } from './facts.ts';
import { recentChangesOf } from './recent-changes.ts';
import { eventHistoryMode, withEventHistory, type EventHistoryMode } from './event-history.ts';
import { Reader } from './reader.ts';
import { judgeWithoutSimulator } from './without-simulator.ts';
import { readHandoutRoles } from './handout-facts.ts';
import { readProfileChains, removedRoleOf } from './profile-chains.ts';
import { driftBy, driftSubjects, repairsAfterChangesBy } from './drift-facts.ts';
import { launchSourcesOf } from './drift-launch.ts';

/**
 * Every instance of the incident gets its fix (a scale-out of 200 without a profile is 200 associations),
 * read in batches; far beyond this the plan would not fit in the workflow's 256 KB state.
 */
export const MAX_INSTANCES = 200;
/** Distinct denied actions simulated per incident; the rest are named in the evidence as left out. */
export const MAX_SIMULATED_ACTIONS = 20;

export interface GatherExtra {
  recentAudit?: AuditRecord[];
  /** How much of CloudTrail's event history to read (default: `full` for the sweep, `gaps` for events). */
  eventHistory?: EventHistoryMode;
  throttlingSeen?: number;
}

/** The window in which a change may not have reached every IAM endpoint yet. */
export function propagationWindowSeconds(config: Config): number {
  return config.propagation.windowSeconds;
}

export async function gatherFacts(ports: AccountPorts, incident: Incident, config: Config, extra: GatherExtra = {}): Promise<Facts> {
  const trigger = incident.trigger;
  const now = ports.clock.now();
  const facts: Facts = {
    incident: {
      key: incident.key, kind: incident.kind, accountId: incident.accountId, region: incident.region, eventCount: incident.eventCount,
      firstSeen: incident.firstSeen, lastSeen: incident.lastSeen, instanceIds: incident.instanceIds, actions: incident.actions,
    },
    now: now.toISOString(),
    // A launch's principal is whoever launched (an operator, Auto Scaling): never a candidate instance role.
    denied: incident.kind === 'access-denied'
      ? {
          action: trigger.action, resource: trigger.resource, eventSource: trigger.eventSource,
          roleName: trigger.principal.roleName, roleArn: trigger.principal.roleArn, instanceId: trigger.principal.instanceId,
          ec2RoleDelivery: trigger.principal.ec2RoleDelivery ?? null, denial: trigger.denial,
        }
      : { action: null, resource: null, eventSource: trigger.eventSource, roleName: null, roleArn: null, instanceId: null, ec2RoleDelivery: null, denial: null },
    launch: trigger.launch
      ? {
          instanceProfile: trigger.launch.instanceProfile,
          launchTemplate: trigger.launch.launchTemplate ? { id: trigger.launch.launchTemplate.launchTemplateId ?? null, version: trigger.launch.launchTemplate.version ?? null } : null,
          viaAutoScaling: trigger.launch.viaAutoScaling,
        }
      : null,
    instances: [], role: null, roleSource: null, roleMissing: null, declaredPolicies: {}, simulation: null,
    profiles: {}, handoutRoles: {}, decoded: { status: 'absent' }, recentChanges: [],
    propagationWindowSeconds: propagationWindowSeconds(config),
    throttling: { count: extra.throttlingSeen ?? 0, apis: extra.throttlingSeen ? ['(reported by earlier steps)'] : [] },
    readErrors: [],
  };
  const reader = new Reader(facts, ports.clock);
  // undefined: the read failed (throttled, refused); null: IAM says the profile does not exist.
  const profiles = new Map<string, InstanceProfileInfo | null | undefined>();
  const profileNamed = async (name: string) => {
    if (!profiles.has(name)) profiles.set(name, await reader.read('iam:GetInstanceProfile', () => ports.iam.getInstanceProfile(name)));
    return profiles.get(name);
  };
  const templates = new Map<string, LaunchTemplateFacts | null>();
  const templateFacts = async (id: string, reference: string) => {
    const key = `${id}@${reference}`;
    if (!templates.has(key)) templates.set(key, await readTemplate(reader, ports, id, reference));
    return templates.get(key)!;
  };

  const groups = new Map<string, AutoScalingGroupFacts | null>();
  const groupFacts = async (name: string) => {
    if (!groups.has(name)) {
      const group = (await reader.read('autoscaling:DescribeAutoScalingGroups', () => ports.autoScaling.describeGroup(name))) ?? null;
      groups.set(name, group ? { name: group.name, launchTemplate: group.launchTemplate, tags: group.tags ?? {}, template: group.launchTemplate ? await templateFacts(group.launchTemplate.id, group.launchTemplate.version) : null } : null);
    }
    return groups.get(name)!;
  };

  if (incident.kind === 'drift') {
    // What the change touched, as the account is now: the instances that use it are the incident's.
    const subjects = await driftSubjects(reader, ports, incident, config);
    incident = { ...incident, instanceIds: subjects.instanceIds };
    facts.incident.instanceIds = subjects.instanceIds;
    const by = driftBy(incident);
    facts.drift = { by, resource: incident.trigger.change?.resource ?? '?', resourceType: incident.trigger.change?.resourceType ?? null, inUse: subjects.inUse, launching: null, repairedBefore: repairsAfterChangesBy(by, extra.recentAudit ?? [], now, config.drift.flappingWindowSeconds) };
    const change = incident.trigger.change;
    const templateId = subjects.templateId ?? null;
    if (change?.resourceType === 'launch-template' && templateId && subjects.instanceIds.length) facts.drift.launching = await templateFacts(templateId, '$Default');
    if ((change?.resourceType === 'launch-template' || change?.resourceType === 'auto-scaling-group') && !subjects.instanceIds.length) {
      const launch = await launchSourcesOf({ reader, ports, config, facts, templateFacts, groupFacts, profileNamed }, incident, templateId);
      Object.assign(facts.drift, { launchSources: launch.sources, inUse: launch.inUse });
    }
  }
  const allIds = [...new Set([facts.denied.instanceId, ...incident.instanceIds, ...(trigger.launch?.instanceIds ?? [])].filter((id): id is string => !!id))];
  const ids = allIds.slice(0, MAX_INSTANCES);
  facts.leftOut = { actions: 0, instances: allIds.length - ids.length };
  // Two batched reads for every instance, not two per instance.
  const infos = new Map(((await reader.read('ec2:DescribeInstances', () => ports.ec2.describeInstances(ids))) ?? []).map((i) => [i.id, i]));
  const associations = (await reader.read('ec2:DescribeIamInstanceProfileAssociations', () => ports.ec2.describeProfileAssociationsOfInstances(ids))) ?? [];
  for (const id of ids) {
    const info = infos.get(id) ?? null;
    const association = activeAssociation(associations.filter((a) => a.instanceId === id));
    const profile = association ? await profileNamed(profileNameOf(association.instanceProfileArn)) : null;
    const launchTemplate = info?.launchTemplate ? await templateFacts(info.launchTemplate.id, info.launchTemplate.version) : null;
    const autoScalingGroup = info?.autoScalingGroup ? await groupFacts(info.autoScalingGroup) : null;
    facts.instances.push({ id, info, association, profile: profile ?? null, profileMissing: profile === null && !!association, launchTemplate, autoScalingGroup });
  }

  // Changes the intake did not deliver, from CloudTrail's event history (event-history.ts): evidence, and a removed role.
  const history = await withEventHistory(ports, incident, facts, eventHistoryMode(incident, extra.eventHistory));
  incident = history.incident;
  facts.eventHistory = history.history;
  await readRole(reader, ports, facts, incident);
  facts.chains = await readProfileChains(reader, ports, facts, incident);
  if (facts.role) {
    const role = facts.role;
    for (const entry of expectedPermissionsFor(role.info.name, config.expectedPermissions)) {
      for (const arn of entry.policyArns) {
        if (role.attachedPolicies.some((p) => p.arn === arn) || arn in facts.declaredPolicies) continue;
        facts.declaredPolicies[arn] = (await reader.read('iam:GetPolicyVersion', () => ports.iam.getManagedPolicyDocument(arn))) ?? null;
      }
    }
    if (facts.denied.action && incident.kind === 'access-denied') await simulateDeniedCalls(reader, ports, facts, incident, role.info.arn);
  }

  // Each instance's own suggestion (its template, group, tag) or the baseline: never another instance's.
  for (const instance of facts.instances) {
    if (instance.association && !instance.profileMissing) continue;
    const resolved = resolveExpectedProfile(instance, config);
    instance.expectedSearch = resolved.searched;
    instance.expected = null;
    if (resolved.found) {
      const profile = await profileNamed(resolved.found.name);
      instance.expected = { ...resolved.found, exists: !!profile, roles: profile?.roles ?? [] };
    }
  }
  for (const [name, profile] of profiles) {
    if (profile) facts.profiles[name] = { name, roles: profile.roles, tags: profile.tags ?? {} };
  }
  await readHandoutRoles(reader, ports, facts);
  facts.decoded = await decodeMessage(reader, ports, facts);
  facts.recentChanges = recentChangesOf(incident.recentChanges, extra.recentAudit ?? [], facts, now);
  return facts;
}

async function readTemplate(reader: Reader, ports: AccountPorts, id: string, reference: string): Promise<LaunchTemplateFacts | null> {
  const version = await reader.read('ec2:DescribeLaunchTemplateVersions', () => ports.ec2.describeLaunchTemplateVersion(id, reference));
  if (!version) return null;
  const defaultVersion: LaunchTemplateVersionInfo | null | undefined = version.defaultVersion
    ? version
    : await reader.read('ec2:DescribeLaunchTemplateVersions', () => ports.ec2.describeLaunchTemplateVersion(id, '$Default'));
  return { version, reference, defaultVersion: defaultVersion?.versionNumber ?? null };
}

/** The role the instance has now (through its profile); failing that, the denied session's role or a candidate for an empty profile. */
async function readRole(reader: Reader, ports: AccountPorts, facts: Facts, incident: Incident): Promise<void> {
  const profile = facts.instances[0]?.profile ?? null;
  const candidates: Array<[string | null | undefined, Facts['roleSource']]> = profile?.roles.length
    ? [[profile.roles[0], 'profile']]
    : [
        [facts.denied.roleName, 'denied-session'],
        [profile ? removedRoleOf(incident, profile.name) : null, 'removed-from-profile'],
        [profile?.name, 'profile-name'],
      ];
  for (const [name, source] of candidates) {
    if (!name) continue;
    const info = await reader.read('iam:GetRole', () => ports.iam.getRole(name));
    if (!info) {
      if (source === 'profile' || source === 'denied-session') facts.roleMissing = name;
      continue;
    }
    const inlinePolicies = (await reader.read('iam:ListRolePolicies', () => ports.iam.listInlinePolicies(name))) ?? {};
    const attachedPolicies = (await reader.read('iam:ListAttachedRolePolicies', () => ports.iam.listAttachedPolicies(name))) ?? [];
    facts.role = { info, inlinePolicies, attachedPolicies };
    facts.roleSource = source;
    if (source === 'profile') facts.roleMissing = null;
    return;
  }
}

export interface DeniedCall {
  action: string;
  resource: string | null;
}

/** The incident's distinct denied actions, the trigger's first (each with the resource it was denied on, where known). */
export function deniedCallsOf(incident: Incident, first: DeniedCall): DeniedCall[] {
  const calls = [first, ...(incident.deniedCalls ?? []), ...incident.actions.map((action) => ({ action, resource: null }))];
  return calls.filter((c, i, all) => all.findIndex((o) => o.action === c.action) === i);
}

/** Actions grouped by the resource they were denied on: one SimulatePrincipalPolicy call each. */
export function actionsByResource(calls: DeniedCall[]): Map<string | null, string[]> {
  const byResource = new Map<string | null, string[]>();
  for (const c of calls) byResource.set(c.resource, [...(byResource.get(c.resource) ?? []), c.action]);
  return byResource;
}

/** Each distinct denied action (bounded), the trigger's first: one simulation call per resource they were denied on. */
async function simulateDeniedCalls(reader: Reader, ports: AccountPorts, facts: Facts, incident: Incident, roleArn: string): Promise<void> {
  const calls = deniedCallsOf(incident, { action: facts.denied.action!, resource: facts.denied.resource });
  const simulated = calls.slice(0, MAX_SIMULATED_ACTIONS);
  const byResource = actionsByResource(simulated);
  const results: SimulationResult[] = [];
  facts.leftOut = { actions: calls.length - simulated.length, instances: facts.leftOut?.instances ?? 0 };
  for (const [resource, actions] of byResource) {
    const answer = await reader.attempt('iam:SimulatePrincipalPolicy', () =>
      ports.iam.simulatePrincipalPolicy({ roleArn, actions, resources: resource ? [resource] : undefined, context: simulationContext(facts, roleArn) }),
    );
    // Without the simulator, the documents decide (without-simulator.ts): it sharpens the diagnosis, it does not gate it.
    if (!answer.ok) return judgeWithoutSimulator(reader, ports, facts, simulated, answer.error);
    results.push(...answer.value);
  }
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const order = (r: SimulationResult) => simulated.findIndex((c) => same(c.action, r.action));
  facts.simulations = results.sort((a, b) => order(a) - order(b));
  facts.simulation = facts.simulations.find((r) => same(r.action, facts.denied.action!)) ?? null;
}

/** Context keys the event gives, so conditions on them evaluate as they did for the instance. */
function simulationContext(facts: Facts, roleArn: string) {
  const partition = roleArn.split(':')[1] ?? 'aws';
  const context: Array<{ key: string; values: string[]; type: 'string' }> = [
    { key: 'aws:RequestedRegion', values: [facts.incident.region], type: 'string' },
    { key: 'aws:PrincipalAccount', values: [facts.incident.accountId], type: 'string' },
  ];
  if (facts.denied.instanceId) {
    context.push({ key: 'ec2:SourceInstanceARN', values: [`arn:${partition}:ec2:${facts.incident.region}:${facts.incident.accountId}:instance/${facts.denied.instanceId}`], type: 'string' });
  }
  return context;
}

async function decodeMessage(reader: Reader, ports: AccountPorts, facts: Facts): Promise<DecodedMessage> {
  const denial = facts.denied.denial;
  if (!denial?.encodedMessage) return { status: 'absent' };
  // CloudTrail cuts errorMessage at about 1 KB: a cut blob cannot be decoded, so do not try.
  if (denial.encodedTruncated || !denial.encoded) return { status: 'truncated' };
  const raw = await reader.read('sts:DecodeAuthorizationMessage', () => ports.sts.decodeAuthorizationMessage(denial.encoded!));
  if (!raw) return { status: 'not-decodable' };
  const matched = (raw.matchedStatements as { items?: unknown[] } | undefined)?.items;
  return {
    status: 'decoded',
    allowed: typeof raw.allowed === 'boolean' ? raw.allowed : undefined,
    explicitDeny: typeof raw.explicitDeny === 'boolean' ? raw.explicitDeny : undefined,
    matchedStatements: Array.isArray(matched) ? matched : [],
    raw,
  };
}
