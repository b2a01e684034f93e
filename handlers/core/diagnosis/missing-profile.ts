/**
 * Instances without a working profile, planned per instance: each gets the profile its own launch data or the
 * configuration suggests (never another instance's), grouped by what they share — launch template, group,
 * profile — and every launch template that launches instances without a profile is repaired first.
 */
import { isStopped } from './stale.ts';
import type { PlannedAction } from '../incident.ts';
import { profileNameOf } from '../policy/principal.ts';
import { PROFILE_TAG } from './expected-profile.ts';
import type { AutoScalingGroupFacts, InstanceFacts, LaunchTemplateFacts } from './facts.ts';
import { associatePlan, launchingTemplate, templateRepairPlan } from './plans.ts';
import { instanceList, type Rule } from './rule.ts';

const gone = (i: InstanceFacts) => i.info?.state === 'terminated' || i.info?.state === 'shutting-down';

/** Instances that share the profile they should get and the template that launched them without one. */
interface Group {
  profile: string;
  detail: string;
  template: LaunchTemplateFacts | null;
  instances: InstanceFacts[];
}

function groupsOf(instances: InstanceFacts[]): Group[] {
  const groups = new Map<string, Group>();
  for (const instance of instances) {
    const expected = instance.expected!;
    const template = launchingTemplate(instance);
    const key = `${expected.name}|${template ? `${template.version.launchTemplateId}@${template.version.versionNumber}` : ''}`;
    const group = groups.get(key) ?? { profile: expected.name, detail: expected.detail, template, instances: [] };
    group.instances.push(instance);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Why some instances cannot be planned (no expected profile, or it does not exist); null when every one can. */
function unplannable(missing: InstanceFacts[]): string | null {
  const unknown = missing.filter((i) => !i.expected).map((i) => i.id);
  const absent = missing.filter((i) => i.expected && !i.expected.exists);
  const parts: string[] = [];
  if (unknown.length) parts.push(`no expected profile is known for ${instanceList(unknown)} (set baselineInstanceProfile, or give its launch template a profile; an ${PROFILE_TAG} tag only suggests one)`);
  for (const name of [...new Set(absent.map((i) => i.expected!.name))]) {
    parts.push(`the expected profile ${name} of ${instanceList(absent.filter((i) => i.expected!.name === name).map((i) => i.id))} does not exist`);
  }
  return parts.length ? parts.join('; ') : null;
}

/** Templates to repair: each one whose launching version has no profile, when its instances agree on the profile. */
function templateRepairs(groups: Group[]): { plan: PlannedAction[]; repaired: string[]; ambiguous: string[] } {
  const byTemplate = new Map<string, Group[]>();
  for (const g of groups) {
    if (!g.template || g.template.version.iamInstanceProfile) continue;
    const id = g.template.version.launchTemplateId;
    byTemplate.set(id, [...(byTemplate.get(id) ?? []), g]);
  }
  const plan: PlannedAction[] = [];
  const repaired: string[] = [];
  const ambiguous: string[] = [];
  for (const [id, users] of byTemplate) {
    const profiles = [...new Set(users.map((g) => g.profile))];
    if (profiles.length > 1) {
      ambiguous.push(`${id} (its instances should get ${profiles.join(' or ')})`);
      continue;
    }
    const asgs = new Map<string, AutoScalingGroupFacts>();
    let withoutGroup = false;
    for (const instance of users.flatMap((g) => g.instances)) {
      if (instance.autoScalingGroup) asgs.set(instance.autoScalingGroup.name, instance.autoScalingGroup);
      else withoutGroup = true;
    }
    plan.push(...templateRepairPlan(users[0]!.template!, [...asgs.values(), ...(withoutGroup && asgs.size ? [null] : [])], profiles[0]!));
    repaired.push(`${id} version ${users[0]!.template!.version.versionNumber}`);
  }
  return { plan, repaired, ambiguous };
}

export const instanceWithoutProfile: Rule = (facts) => {
  if (!facts.instances.some((i) => i.info)) return null;
  const missing = facts.instances.filter((i) => i.info && !i.association && !gone(i));
  if (missing.length === 0) return null;
  const ids = instanceList(missing.map((i) => i.id));
  const has = missing.length > 1 ? 'have' : 'has';
  const blocked = unplannable(missing);
  if (blocked) return { cause: 'no-instance-profile', summary: `${ids} ${has} no instance profile; ${blocked}`, plan: [] };

  const groups = groupsOf(missing);
  const repairs = templateRepairs(groups);
  // Short reasons: one entry per instance, carried three times in the workflow's state (the summary says where from).
  const plan = [...repairs.plan, ...groups.flatMap((g) => associatePlan(g.instances, g.profile, repairs.repaired.length ? 'after the template' : `expected ${g.profile}`))];
  const each = groups.map((g) => `${g.profile} to ${instanceList(g.instances.map((i) => i.id))} (from the ${g.detail})`).join('; ');
  const ambiguous = repairs.ambiguous.length ? `; not repaired, its instances disagree: ${repairs.ambiguous.join(', ')}` : '';
  if (repairs.repaired.length) {
    return {
      cause: 'stale-launch-template',
      summary: `${repairs.repaired.join(', ')} launch${repairs.repaired.length === 1 ? 'es' : ''} instances without a profile (${ids} so far): fix the template${repairs.repaired.length === 1 ? '' : 's'} first, then associate ${each}${ambiguous}`,
      plan,
    };
  }
  return { cause: 'no-instance-profile', summary: `${ids} ${has} no instance profile: associate ${each}${ambiguous}`, plan };
};

export const associatedProfileGone: Rule = (facts) => {
  const broken = facts.instances.filter((i) => i.profileMissing && i.association?.state === 'associated');
  if (broken.length === 0) return null;
  const goneName = (i: InstanceFacts) => profileNameOf(i.association!.instanceProfileArn);
  const without = broken.filter((i) => !i.expected?.exists || i.expected.name === goneName(i));
  if (without.length) {
    const i = without[0]!;
    return { cause: 'no-instance-profile', summary: `${i.id} is associated with profile ${goneName(i)}, which no longer exists, and no other expected profile is known`, plan: [] };
  }
  const each = broken.map((i) => `${i.id}: ${goneName(i)} → ${i.expected!.name} (from the ${i.expected!.detail})`);
  return {
    cause: 'no-instance-profile',
    summary: `the associated profile no longer exists; replace it: ${each.slice(0, 3).join('; ')}${each.length > 3 ? ` and ${each.length - 3} more` : ''}`,
    plan: broken.map((i) => ({
      // A stopped instance's association cannot be replaced (EC2: running instances only): the guard leaves it for a person.
      type: 'replace-association' as const, target: i.id, params: { profileName: i.expected!.name, ...(isStopped(i) ? { instanceState: 'stopped' } : {}) },
      reason: `the associated profile ${goneName(i)} was deleted; replacing keeps the instance from a gap without any profile`,
    })),
  };
};
