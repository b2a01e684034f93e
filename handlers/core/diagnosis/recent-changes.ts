/** Changes to what the instance's credentials depend on, from the intake's change events and our own audit trail. */
import type { AuditRecord } from '../audit-record.ts';
import type { Classification } from '../events/model.ts';
import type { Facts, RecentChange } from './facts.ts';

/** Older changes are kept as evidence (a policy detached an hour ago explains a denial) but are not propagation. */
const EVIDENCE_HORIZON_SECONDS = 3600;

const BREAKING_ACTIONS = new Set(['undo']);

/** Names of everything the instance's credentials depend on. */
function relevantNames(facts: Facts): Set<string> {
  const names = new Set<string>();
  const add = (n: string | null | undefined) => n && names.add(n);
  add(facts.role?.info.name);
  for (const policy of facts.role?.attachedPolicies ?? []) add(policy.arn);
  for (const arn of Object.keys(facts.declaredPolicies)) add(arn);
  add(facts.denied.roleName);
  for (const instance of facts.instances) {
    add(instance.id);
    add(instance.association?.associationId);
    add(instance.profile?.name);
    add(instance.expected?.name);
    add(instance.launchTemplate?.version.launchTemplateId);
    add(instance.launchTemplate?.version.launchTemplateName);
    add(instance.autoScalingGroup?.name);
  }
  return names;
}

/** Our own roles and sessions: `iam-autoheal-…` (hub and member roles) or `IamAutoheal…` (names CDK derives from the stack). */
const OWN_PRINCIPAL = /iam-?autoheal/i;

/** Who made a change event: `iam-autoheal` (this service), `aws` (an AWS service), else the principal as recorded. */
export function changedBy(event: Classification): string {
  const p = event.principal;
  if (p.type === 'AWSService' || p.roleArn?.includes('/aws-service-role/')) return 'aws';
  if ([p.roleName, p.sessionName, p.roleArn].some((n) => n && OWN_PRINCIPAL.test(n))) return 'iam-autoheal';
  return p.roleName ? `${p.roleName}${p.sessionName ? `/${p.sessionName}` : ''}` : p.sessionName ?? p.type ?? 'someone';
}

export function recentChangesOf(events: Classification[], audit: AuditRecord[], facts: Facts, now: Date): RecentChange[] {
  const names = relevantNames(facts);
  const secondsAgo = (at: string) => (now.getTime() - Date.parse(at)) / 1000;
  const changes: RecentChange[] = [];
  for (const event of events) {
    if (!event.change || !event.eventTime || !event.change.resource || !names.has(event.change.resource)) continue;
    changes.push({
      what: event.eventName ?? event.change.resourceType, resourceType: event.change.resourceType, resource: event.change.resource,
      at: event.eventTime, secondsAgo: secondsAgo(event.eventTime), breaking: event.change.breaking, origin: 'event', detail: event.change.detail,
      by: changedBy(event),
    });
  }
  for (const record of audit) {
    if ((record.phase !== 'result' && record.phase !== 'undo-result') || record.result !== 'done' && record.result !== 'undone') continue;
    const target = record.target.slice(record.target.lastIndexOf('/') + 1);
    if (!names.has(record.target) && !names.has(target)) continue;
    changes.push({
      what: `${record.action} (iam-autoheal, ${record.incidentKey})`, resourceType: record.action, resource: target,
      at: record.timestamp, secondsAgo: secondsAgo(record.timestamp), breaking: record.phase === 'undo-result' || BREAKING_ACTIONS.has(record.action), origin: 'audit',
      // An undo is a person's decision (`iam-autoheal undo`), recorded with who ran it.
      by: record.phase === 'undo-result' ? record.actor : 'iam-autoheal',
    });
  }
  return changes
    .filter((c) => Number.isFinite(c.secondsAgo) && c.secondsAgo <= EVIDENCE_HORIZON_SECONDS)
    .sort((a, b) => a.secondsAgo - b.secondsAgo);
}
