/**
 * The profiles and roles a plan hands to instances, with the facts the guard authorizes them on (who suggested
 * each, its tags, whether its role is privileged), and the evidence lines that say so.
 */
import type { Config } from '../config.ts';
import type { Evidence, Handout, PlannedAction } from '../incident.ts';
import { authoritiesOf, handoutTargetOf } from '../policy/authority.ts';
import { profileNameOf } from '../policy/principal.ts';
import type { Facts } from './facts.ts';
import { roleSourceOf } from './profile-chains.ts';

const ROLE_SOURCES: Record<NonNullable<Facts['roleSource']>, string> = {
  'denied-session': 'the role of the denied session (event field)',
  'removed-from-profile': 'the role CloudTrail shows was removed from the profile (a change event or the event history)',
  'profile-name': 'a role named like the profile',
  profile: 'the role the profile holds',
};

/** Where a plan action's profile or role came from: hints, never authority. */
function suggestionsOf(action: PlannedAction, profile: string, facts: Facts): string[] {
  switch (action.type) {
    case 'add-role-to-profile':
      return [ROLE_SOURCES[roleSourceOf(facts, action.target) ?? 'profile']];
    case 'merge-trust':
      return [`profile ${profile}, which ${facts.instances.filter((i) => i.profile?.name === profile).map((i) => i.id).slice(0, 3).join(', ') || 'an instance'} uses`];
    case 'replace-association':
      if (facts.instances.some((i) => i.id === action.target && i.profile?.name === profile)) return [`the current association of ${action.target}`];
      break;
    default:
      break;
  }
  const details = [...facts.instances, ...(facts.drift?.launchSources ?? [])].filter((i) => i.expected?.name === profile).map((i) => i.expected!.detail);
  return [...new Set(details)];
}

export function handoutsOf(plan: PlannedAction[], facts: Facts): Handout[] {
  const handouts = new Map<string, Handout>();
  for (const action of plan) {
    const target = handoutTargetOf(action);
    if (!target) continue;
    // merge-trust names a role: the profile is the one an instance of the incident uses that holds it (else any profile read that holds it).
    const profile = target.profile ?? facts.instances.find((i) => i.profile?.roles.includes(target.role!))?.profile?.name
      ?? Object.values(facts.profiles).find((p) => p.roles.includes(target.role!))?.name ?? '';
    const role = target.role ?? facts.profiles[profile]?.roles[0] ?? null;
    const key = `${profile}|${role ?? ''}`;
    let handout = handouts.get(key);
    if (!handout) {
      const roleFacts = role ? facts.handoutRoles[role] : undefined;
      handout = {
        profile, role, suggestedBy: [],
        associatedWith: facts.instances.filter((i) => i.association && profileNameOf(i.association.instanceProfileArn) === profile).map((i) => i.id),
        roleTags: roleFacts?.tags ?? {},
        profileTags: facts.profiles[profile]?.tags ?? {},
        privileged: role === null ? null : roleFacts ? roleFacts.privileged : `role ${role} was not read, so it cannot be shown not to be privileged`,
      };
      handouts.set(key, handout);
    }
    for (const s of suggestionsOf(action, profile, facts)) if (!handout.suggestedBy.includes(s)) handout.suggestedBy.push(s);
  }
  return [...handouts.values()];
}

/** One line per handout: suggested by what, authorized by what (or nothing), privileged or not. */
export function handoutEvidence(handouts: Handout[], plan: PlannedAction[], config: Config): Evidence[] {
  return handouts.map((h) => {
    const action = plan.find((a) => { const t = handoutTargetOf(a); return t && (t.profile === null ? t.role === h.role : t.profile === h.profile); })!;
    const authorities = authoritiesOf(h, action, config);
    const what = `profile ${h.profile}${h.role ? ` (role ${h.role})` : ' (no role)'}`;
    return {
      kind: 'authorization',
      summary: `${what}: suggested by ${h.suggestedBy.join('; ') || 'the incident'}; ${authorities.length ? `authorized by ${authorities.join(', ')}` : 'authorized by nothing an IAM administrator controls'}; ${h.privileged ? `privileged: ${h.privileged}` : 'not privileged'}`,
      data: h,
    };
  });
}
