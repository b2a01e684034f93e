/**
 * Drift of a launch template or Auto Scaling group that launches nothing yet (a new `CreateAutoScalingGroup`, a
 * template no instance came from): what it will launch is read — the version, the profile it names, that profile's
 * role and trust — so that the first launch gets a working role. In scope only when the template or a group that
 * launches it carries the opt-in tag. The profile to put in is only suggested (a group's or template's tag, an
 * earlier version, the baseline): the guard hands it out only when an IAM administrator authorized it.
 */
import type { Config } from '../config.ts';
import type { Incident } from '../incident.ts';
import type { AccountPorts } from '../ports.ts';
import { profileNameOf } from '../policy/principal.ts';
import { readTrust } from '../policy/trust.ts';
import { PROFILE_TAG } from './expected-profile.ts';
import type { AutoScalingGroupFacts, ExpectedProfile, Facts, LaunchTemplateFacts } from './facts.ts';
import { templateRepairPlan } from './plans.ts';
import type { Reader } from './reader.ts';
import type { Finding, Rule } from './rule.ts';

/** Earlier versions of a template looked at for the profile it used to name (one read each). */
const EARLIER_VERSIONS = 3;

export interface DriftLaunchSource {
  /** The version that launches: a group's reference resolved, or the template's default. */
  template: LaunchTemplateFacts;
  /** The groups that launch it; none: launches by the template's default version. */
  groups: AutoScalingGroupFacts[];
  /** For a version without a profile: the one it should name (a suggestion), and every place looked at. */
  expected: ExpectedProfile | null;
  expectedSearch: string[];
  /** The profile the version names, as IAM has it now (null: it names none). */
  named: { name: string; exists: boolean; roles: string[] } | null;
}

export interface LaunchReads {
  reader: Reader;
  ports: AccountPorts;
  config: Config;
  facts: Facts;
  templateFacts(id: string, reference: string): Promise<LaunchTemplateFacts | null>;
  groupFacts(name: string): Promise<AutoScalingGroupFacts | null>;
  profileNamed(name: string): Promise<{ roles: string[] } | null | undefined>;
}

const describe = (t: LaunchTemplateFacts) => `${t.version.launchTemplateId} version ${t.version.versionNumber}`;

/** What the changed template or group launches, when no in-scope instance uses it yet; `inUse` says what was found. */
export async function launchSourcesOf(reads: LaunchReads, incident: Incident, templateId: string | null): Promise<{ sources: DriftLaunchSource[]; inUse: string }> {
  const { reader, ports, config } = reads;
  const change = incident.trigger.change!;
  const tag = config.scope.tag;
  const carries = (tags: Record<string, string> | undefined) => !tag || tags?.[tag.key] === tag.value;
  const tagText = tag ? `${tag.key}=${tag.value}` : '';
  const sourceOf = async (template: LaunchTemplateFacts, groups: AutoScalingGroupFacts[]) => ({ template, groups, ...(await expectationOf(reads, template, groups)) });

  if (change.resourceType === 'auto-scaling-group') {
    const group = await reads.groupFacts(change.resource!);
    if (!group) return { sources: [], inUse: `group ${change.resource} does not exist now` };
    if (!group.launchTemplate) return { sources: [], inUse: `group ${group.name} launches from no launch template (a launch configuration, not read)` };
    if (!group.template) return { sources: [], inUse: `the launch template ${group.launchTemplate.id} of group ${group.name} could not be read` };
    if (!carries(group.tags) && !carries(group.template.version.tags)) return { sources: [], inUse: `group ${group.name} and its template carry no ${tagText}: out of scope` };
    return { sources: [await sourceOf(group.template, [group])], inUse: `group ${group.name}, no instance yet, launches ${describe(group.template)}` };
  }

  if (!templateId) return { sources: [], inUse: `no launch template is named ${change.resource} now` };
  const listed = (await reader.read('autoscaling:DescribeAutoScalingGroups', () => ports.autoScaling.listGroups({}))) ?? [];
  const byReference = new Map<string, AutoScalingGroupFacts[]>([['$Default', []]]);
  for (const g of listed.filter((g) => g.launchTemplate?.id === templateId)) {
    const reference = g.launchTemplate!.version;
    byReference.set(reference, [...(byReference.get(reference) ?? []), { name: g.name, launchTemplate: g.launchTemplate, tags: g.tags ?? {}, template: null }]);
  }
  const sources: DriftLaunchSource[] = [];
  for (const [reference, groups] of byReference) {
    const template = await reads.templateFacts(templateId, reference);
    if (!template) continue;
    const users = groups.map((g) => ({ ...g, template }));
    if (!carries(template.version.tags) && !users.some((g) => carries(g.tags))) continue;
    const same = sources.find((s) => s.template.version.versionNumber === template.version.versionNumber);
    if (same) same.groups.push(...users);
    else sources.push(await sourceOf(template, users));
  }
  if (!sources.length) return { sources: [], inUse: `launch template ${templateId} and the groups that launch it carry no ${tagText}: out of scope` };
  const what = sources.map((s) => `${describe(s.template)}${s.groups.length ? ` (group ${s.groups.map((g) => g.name).join(', ')})` : ' (its default)'}`);
  return { sources, inUse: `no instance yet; launch template ${templateId} launches ${what.join(', ')}` };
}

/** The profile a version names and its role (read into facts.role, whose trust the rule checks), or the one it should name. */
async function expectationOf(reads: LaunchReads, template: LaunchTemplateFacts, groups: AutoScalingGroupFacts[]): Promise<Pick<DriftLaunchSource, 'expected' | 'expectedSearch' | 'named'>> {
  const spec = template.version.iamInstanceProfile;
  if (spec) {
    const name = profileNameOf('name' in spec ? spec.name : spec.arn);
    const profile = await reads.profileNamed(name);
    if (profile?.roles[0] && !reads.facts.role) await readRoleOf(reads, profile.roles[0]);
    return { expected: null, expectedSearch: [], named: { name, exists: !!profile, roles: profile?.roles ?? [] } };
  }
  const searched: string[] = [];
  const candidates: Array<[ExpectedProfile['source'], () => Promise<string | null>, string]> = [
    ...groups.map((g): [ExpectedProfile['source'], () => Promise<string | null>, string] => ['auto-scaling-group', async () => g.tags[PROFILE_TAG] ?? null, `tag ${PROFILE_TAG} on group ${g.name}`]),
    ['launch-template', async () => template.version.tags?.[PROFILE_TAG] ?? null, `tag ${PROFILE_TAG} on launch template ${template.version.launchTemplateId}`],
    ['launch-template', () => earlierProfile(reads, template), `the nearest of the ${EARLIER_VERSIONS} versions of ${template.version.launchTemplateId} before ${template.version.versionNumber} that names a profile`],
    ['baseline', async () => reads.config.baselineInstanceProfile, 'configuration baselineInstanceProfile'],
  ];
  for (const [source, find, detail] of candidates) {
    const name = await find();
    searched.push(`${detail}: ${name ?? 'none'}`);
    if (!name) continue;
    const profile = await reads.profileNamed(name);
    return { expected: { name, source, detail, exists: !!profile, roles: profile?.roles ?? [] }, expectedSearch: searched, named: null };
  }
  return { expected: null, expectedSearch: searched, named: null };
}

async function earlierProfile(reads: LaunchReads, template: LaunchTemplateFacts): Promise<string | null> {
  const id = template.version.launchTemplateId;
  for (let n = template.version.versionNumber - 1; n >= Math.max(1, template.version.versionNumber - EARLIER_VERSIONS); n--) {
    const spec = (await reads.templateFacts(id, String(n)))?.version.iamInstanceProfile;
    if (spec) return profileNameOf('name' in spec ? spec.name : spec.arn);
  }
  return null;
}

async function readRoleOf({ reader, ports, facts }: LaunchReads, name: string): Promise<void> {
  const info = await reader.read('iam:GetRole', () => ports.iam.getRole(name));
  if (!info) return;
  const inlinePolicies = (await reader.read('iam:ListRolePolicies', () => ports.iam.listInlinePolicies(name))) ?? {};
  const attachedPolicies = (await reader.read('iam:ListAttachedRolePolicies', () => ports.iam.listAttachedPolicies(name))) ?? [];
  facts.role = { info, inlinePolicies, attachedPolicies };
  facts.roleSource = 'profile';
}

/** What is wrong with what one source launches; null when its first instance would get a working role. */
function problemOf(source: DriftLaunchSource, facts: Facts, by: string): Finding | null {
  const what = describe(source.template);
  const named = source.named;
  if (!named) {
    const expected = source.expected;
    const launcher = source.groups.length ? `group ${source.groups.map((g) => g.name).join(', ')}` : `launch template ${source.template.version.launchTemplateId} (its default)`;
    const head = `${by} leaves ${launcher} launching ${what}, which names no instance profile (no instance yet)`;
    if (!expected) return { cause: 'stale-launch-template', summary: `${head}; no profile is known for it (${source.expectedSearch.join('; ')}): a person decides`, plan: [] };
    if (!expected.exists || !expected.roles.length) {
      return { cause: 'stale-launch-template', summary: `${head}; the profile suggested by the ${expected.detail}, ${expected.name}, ${expected.exists ? 'holds no role' : 'does not exist'}: a person decides`, plan: [] };
    }
    return {
      cause: 'stale-launch-template',
      summary: `${head}: the first launch would get no role; put in ${expected.name} (suggested by the ${expected.detail}) before it`,
      plan: templateRepairPlan(source.template, source.groups, expected.name),
    };
  }
  if (!named.exists) return { cause: 'stale-launch-template', summary: `${what} names profile ${named.name}, which does not exist: its first launch would fail; a person decides`, plan: [] };
  if (!named.roles.length) return { cause: 'profile-without-role', summary: `${what} names profile ${named.name}, which holds no role: its first instance would get no credentials; a person decides which role`, plan: [] };
  const role = facts.role?.info.name === named.roles[0] ? facts.role : null;
  if (!role) return { cause: 'unknown', summary: `the role ${named.roles[0]} of profile ${named.name}, which ${what} names, could not be read`, plan: [] };
  const trust = readTrust(role.info.trustPolicy);
  if (trust.allowsEc2) return null;
  if (trust.deniedExplicitly) return { cause: 'trust-missing-ec2', summary: `the trust policy of ${role.info.name} (profile ${named.name}, which ${what} names) denies ec2.amazonaws.com explicitly; a Deny is never removed automatically`, plan: [] };
  return {
    cause: 'trust-missing-ec2',
    summary: `${by} leaves ${what} naming profile ${named.name}, whose role ${role.info.name} EC2 may not assume: the first launch would get no credentials; merge EC2 back before it`,
    plan: [{ type: 'merge-trust', target: role.info.name, params: {}, reason: `${role.info.name} is held by profile ${named.name}, which ${what} launches with` }],
  };
}

/** A template or group that launches nothing yet: repair what its first launch would get, or say it is fine. */
export const driftLaunchesNothingYet: Rule = (facts) => {
  const drift = facts.drift;
  const sources = drift?.launchSources ?? [];
  if (facts.incident.kind !== 'drift' || !drift || facts.instances.length || !sources.length) return null;
  const by = `${drift.by}'s change`;
  const problems = sources.map((s) => problemOf(s, facts, by)).filter((p): p is Finding => p !== null);
  if (!problems.length) return { cause: 'unknown', summary: `${by} leaves what launches working (${drift.inUse}): its first instance gets a role EC2 may assume; nothing to do`, healthy: true };
  const [first, ...rest] = problems;
  if (!rest.length) return first!;
  // One repair at a time: the others are named, and a person (or the next change record) takes them.
  return { ...first!, summary: `${first!.summary}; also, not repaired here: ${rest.map((p) => p.summary).join('; ')}` };
};
