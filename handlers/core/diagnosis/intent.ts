/**
 * Never undo an incident response. A responder who quarantines an instance, takes its profile away, swaps in a
 * quarantine profile or detaches a policy made a decision: the service escalates instead of repairing. Signals:
 * - the quarantine tag (policy/authority.ts QUARANTINE_TAG) on an instance of the incident, its profile or role;
 * - a recent DisassociateIamInstanceProfile or ReplaceIamInstanceProfileAssociation of one of its instances by
 *   anyone but this service (change events delivered with the incident), or an `iam-autoheal undo` of one;
 * - an instance without a profile whose own launch template version names one: it was launched with that profile,
 *   so someone removed it since (this needs no event, so the sweep sees it too);
 * - a recent detach or delete of a declared policy of the role by anyone but this service.
 */
import type { Evidence } from '../incident.ts';
import { QUARANTINE_TAG } from '../policy/authority.ts';
import { expectedPermissionsFor } from '../policy/principal.ts';
import type { Config } from '../config.ts';
import type { Facts, RecentChange } from './facts.ts';
import { EXPECTED_INLINE_POLICY } from './plans.ts';
import { instanceList, type Rule } from './rule.ts';

const ASSOCIATION_CHANGES = new Set(['DisassociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation']);

const bySomeoneElse = (c: RecentChange) => c.by !== undefined && c.by !== 'iam-autoheal' && c.by !== 'aws';
const ago = (c: RecentChange) => `${Math.round(c.secondsAgo)}s ago`;

function quarantined(facts: Facts): Evidence[] {
  const found: Evidence[] = [];
  for (const i of facts.instances) {
    if (i.info?.tags[QUARANTINE_TAG] !== undefined) found.push({ kind: 'incident response', summary: `instance ${i.id} carries ${QUARANTINE_TAG}=${i.info.tags[QUARANTINE_TAG]}` });
    const profile = i.profile ? facts.profiles[i.profile.name] : undefined;
    if (profile?.tags[QUARANTINE_TAG] !== undefined) found.push({ kind: 'incident response', summary: `profile ${profile.name} of ${i.id} carries ${QUARANTINE_TAG}=${profile.tags[QUARANTINE_TAG]}` });
  }
  const role = facts.role?.info;
  if (role?.tags[QUARANTINE_TAG] !== undefined) found.push({ kind: 'incident response', summary: `role ${role.name} carries ${QUARANTINE_TAG}=${role.tags[QUARANTINE_TAG]}` });
  return dedupe(found);
}

function associationsTakenAway(facts: Facts): Evidence[] {
  const ids = new Set(facts.instances.map((i) => i.id));
  const found: Evidence[] = [];
  for (const c of facts.recentChanges) {
    if (!c.resource || !ids.has(c.resource)) continue;
    if (c.origin === 'event' && ASSOCIATION_CHANGES.has(c.what) && bySomeoneElse(c)) {
      found.push({ kind: 'incident response', summary: `${c.by} called ${c.what} on ${c.resource} ${ago(c)}${c.detail?.instanceProfile ? ` (profile ${c.detail.instanceProfile})` : ''}`, data: c });
    } else if (c.origin === 'audit' && c.breaking && bySomeoneElse(c)) {
      found.push({ kind: 'incident response', summary: `${c.by} undid ${c.resourceType} on ${c.resource} ${ago(c)} (iam-autoheal undo)`, data: c });
    }
  }
  for (const i of facts.instances) {
    const spec = i.launchTemplate?.version.iamInstanceProfile;
    if (!i.info || i.association || !spec || i.info.state === 'terminated') continue;
    // Moments after launch EC2 may not list the association yet: not a sign of anything.
    const age = i.info.launchTime ? (Date.parse(facts.now) - Date.parse(i.info.launchTime)) / 1000 : Infinity;
    if (age <= facts.propagationWindowSeconds) continue;
    const profile = 'name' in spec ? spec.name : spec.arn;
    found.push({
      kind: 'incident response',
      summary: `${i.id} was launched from ${i.launchTemplate!.version.launchTemplateId} version ${i.launchTemplate!.version.versionNumber}, which names profile ${profile}, and has none now: someone removed it after launch`,
    });
  }
  return found;
}

function declaredPoliciesDetached(facts: Facts, config: Config): Evidence[] {
  const role = facts.role?.info.name;
  if (!role) return [];
  const declared = new Set(expectedPermissionsFor(role, config.expectedPermissions).flatMap((e) => e.policyArns));
  return facts.recentChanges
    .filter((c) => c.origin === 'event' && c.resourceType === 'role-policy' && c.breaking && c.resource === role && bySomeoneElse(c))
    .filter((c) => (c.detail?.policyArn && declared.has(c.detail.policyArn)) || c.detail?.policyName === EXPECTED_INLINE_POLICY)
    .map((c) => ({ kind: 'incident response', summary: `${c.by} called ${c.what} on ${role} ${ago(c)} (${c.detail?.policyArn ?? c.detail?.policyName})`, data: c }));
}

function dedupe(evidence: Evidence[]): Evidence[] {
  return evidence.filter((e, i) => evidence.findIndex((o) => o.summary === e.summary) === i);
}

export const incidentResponse: Rule = (facts, config) => {
  const because = [...quarantined(facts), ...associationsTakenAway(facts), ...declaredPoliciesDetached(facts, config)];
  if (because.length === 0) return null;
  const what = because.length === 1 ? because[0]!.summary : `${because[0]!.summary}, and ${because.length - 1} more sign(s)`;
  const ids = instanceList(facts.instances.map((i) => i.id));
  return {
    cause: 'incident-response',
    summary: `${what}: an incident response is respected — nothing of ${ids || 'this incident'} is repaired automatically; a person decides when it ends`,
    plan: [],
    owner: 'the incident responders (whoever quarantined or removed it)',
    because,
  };
};
