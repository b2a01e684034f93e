/**
 * Who may authorize handing a profile or role to instances. Only what IAM administrators control counts: the
 * opt-in tag on the role or the profile (tagging needs iam:TagRole / iam:TagInstanceProfile), the configuration
 * (`allowedInstanceProfiles`, `baselineInstanceProfile`), and — for a refresh of the same profile only — the
 * instance's current association (EC2 checked iam:PassRole when it was made). Instance tags, launch template
 * data, group settings, event fields and session names only suggest (docs/SECURITY.md).
 */
import type { Config } from '../config.ts';
import type { Handout, PlannedAction } from '../incident.ts';
import { wildcardMatch } from './wildcard.ts';

/** A responder's marker on an instance, profile or role: never repaired, always escalated (any value). */
export const QUARANTINE_TAG = 'iam-autoheal:quarantine';

/** Plan actions that hand a profile or role to instances, and which one. */
export function handoutTargetOf(action: PlannedAction): { profile: string | null; role: string | null } | null {
  switch (action.type) {
    case 'associate-profile':
    case 'replace-association':
    case 'create-launch-template-version':
    case 'set-default-launch-template-version':
    case 'update-auto-scaling-group':
      return { profile: typeof action.params.profileName === 'string' ? action.params.profileName : '', role: null };
    case 'add-role-to-profile':
      return { profile: action.target, role: typeof action.params.roleName === 'string' ? action.params.roleName : '' };
    case 'merge-trust':
      return { profile: null, role: action.target };
    default:
      return null;
  }
}

/** The handout an action names, among those the diagnosis read; null when it read none (the guard then refuses). */
export function handoutFor(action: PlannedAction, handouts: Handout[]): Handout | null {
  const target = handoutTargetOf(action);
  if (!target) return null;
  return handouts.find((h) => (target.profile === null || h.profile === target.profile) && (target.role === null || h.role === target.role)) ?? null;
}

/** What authorizes this handout for this action, in words; empty when nothing an IAM administrator controls does. */
export function authoritiesOf(handout: Handout, action: PlannedAction, config: Config): string[] {
  const found: string[] = [];
  const pattern = config.allowedInstanceProfiles.find((p) => wildcardMatch(p, handout.profile));
  if (pattern) found.push(`configuration allowedInstanceProfiles "${pattern}"`);
  if (config.baselineInstanceProfile === handout.profile) found.push('configuration baselineInstanceProfile');
  const tag = config.scope.tag;
  if (tag && handout.role && handout.roleTags[tag.key] === tag.value) found.push(`tag ${tag.key}=${tag.value} on role ${handout.role}`);
  if (tag && handout.profileTags[tag.key] === tag.value) found.push(`tag ${tag.key}=${tag.value} on profile ${handout.profile}`);
  // Refreshing the association an instance already has hands it nothing new; a merge-trust is never a refresh.
  if (action.type === 'replace-association' && handout.associatedWith.includes(action.target)) found.push(`the current association of ${action.target}`);
  return found;
}

/** Why this action may not hand out its profile or role; null when it hands out nothing, or something authorized and not privileged. */
export function handoutRefusal(action: PlannedAction, handouts: Handout[], config: Config): string | null {
  const target = handoutTargetOf(action);
  if (!target) return null;
  const handout = handoutFor(action, handouts);
  const named = target.profile !== null ? `profile ${target.profile}${target.role ? ` with role ${target.role}` : ''}` : `role ${target.role}`;
  if (!handout) return `nothing the diagnosis read shows who authorized ${named}`;
  const what = `profile ${handout.profile}${handout.role ? ` (role ${handout.role})` : ''}`;
  if (handout.roleTags[QUARANTINE_TAG] !== undefined || handout.profileTags[QUARANTINE_TAG] !== undefined) {
    return `${what} carries the quarantine tag ${QUARANTINE_TAG}: a responder's decision, never undone automatically`;
  }
  if (handout.privileged) return `${what} is privileged — ${handout.privileged} — and a privileged role is never handed out, in any mode`;
  if (authoritiesOf(handout, action, config).length === 0) {
    const from = handout.suggestedBy.length ? handout.suggestedBy.join('; ') : 'the incident';
    return `${what} is only suggested (by ${from}) and nothing an IAM administrator controls authorizes it: tag the role or profile ${config.scope.tag ? `${config.scope.tag.key}=${config.scope.tag.value}` : 'with the scope.tag opt-in tag'}, or name it in allowedInstanceProfiles or baselineInstanceProfile`;
  }
  return null;
}
