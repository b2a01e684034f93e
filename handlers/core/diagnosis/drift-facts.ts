/**
 * The reads of a drift incident: which instances use what the change touched (the account as it is now), the
 * version a changed launch template launches, and whether we repaired the same drift of the same principal lately.
 */
import type { AuditRecord } from '../audit-record.ts';
import type { Config } from '../config.ts';
import type { Incident } from '../incident.ts';
import type { AccountPorts, InstanceInfo } from '../ports.ts';
import { profileNameOf } from '../policy/principal.ts';
import { changedBy } from './recent-changes.ts';
import type { DriftFacts } from './facts.ts';
import type { Reader } from './reader.ts';

/** Instances that fail when what they use breaks: running ones now, stopped ones at their next start. */
const IN_USE = ['running', 'stopped'] as const;

export interface DriftSubjects {
  instanceIds: string[];
  inUse: string;
  /** A changed launch template's id, resolved from its name when the record names it by name only. */
  templateId?: string | null;
}

const TEMPLATE_ID = /^lt-[0-9a-f]+$/;

/** A record may name a launch template by name only (CreateLaunchTemplate, ModifyLaunchTemplate --launch-template-name): its id. */
async function templateIdOf(reader: Reader, ports: AccountPorts, resource: string): Promise<string | null> {
  if (TEMPLATE_ID.test(resource)) return resource;
  return (await reader.read('ec2:DescribeLaunchTemplates', () => ports.ec2.describeLaunchTemplateByName(resource)))?.id ?? null;
}

/** The in-scope instances that use the changed role, profile, association, launch template or group. */
export async function driftSubjects(reader: Reader, ports: AccountPorts, incident: Incident, config: Config): Promise<DriftSubjects> {
  const change = incident.trigger.change;
  const resource = change?.resource ?? '';
  const inventory = async (): Promise<InstanceInfo[]> =>
    (await reader.read('ec2:DescribeInstances', () => ports.ec2.listInstances({ states: [...IN_USE], tag: config.scope.tag }))) ?? [];
  const using = (profiles: string[], instances: InstanceInfo[]) =>
    instances.filter((i) => i.instanceProfileArn && profiles.includes(profileNameOf(i.instanceProfileArn)));
  const found = (instances: InstanceInfo[], what: string): DriftSubjects => ({
    instanceIds: instances.filter((i) => i.state === 'running').concat(instances.filter((i) => i.state !== 'running')).map((i) => i.id),
    inUse: instances.length ? `${instances.length} instance(s) ${what}` : `no in-scope instance ${what}`,
  });
  switch (change?.resourceType) {
    case 'role-trust':
    case 'role-policy': {
      const profiles = ((await reader.read('iam:ListInstanceProfilesForRole', () => ports.iam.listInstanceProfilesForRole(resource))) ?? []).map((p) => p.name);
      if (!profiles.length) return { instanceIds: [], inUse: `no instance profile holds ${resource}` };
      return found(using(profiles, await inventory()), `using profile ${profiles.join(', ')}, which hold${profiles.length === 1 ? 's' : ''} ${resource}`);
    }
    case 'instance-profile':
      return found(using([resource], await inventory()), `using profile ${resource}`);
    case 'profile-association': {
      const instance = (await inventory()).filter((i) => i.id === resource && i.state === 'running');
      return found(instance, `(${resource}, running and in scope)`);
    }
    case 'launch-template': {
      const templateId = await templateIdOf(reader, ports, resource);
      const named = templateId && templateId !== resource ? `${resource} (${templateId})` : resource;
      return { ...found((await inventory()).filter((i) => !!templateId && i.launchTemplate?.id === templateId), `launched from ${named}`), templateId };
    }
    case 'auto-scaling-group':
      return found((await inventory()).filter((i) => i.autoScalingGroup === resource), `in group ${resource}`);
    default:
      return { instanceIds: [], inUse: 'the change touches nothing an instance uses' };
  }
}

/** Results of our repairs after a change by `by` of this incident's resource (its audit trail), within the window. */
export function repairsAfterChangesBy(by: string, audit: AuditRecord[], now: Date, windowSeconds: number): DriftFacts['repairedBefore'] {
  return audit
    .filter((r) => r.phase === 'result' && r.result === 'done' && r.params?.['driftBy'] === by)
    .filter((r) => (now.getTime() - Date.parse(r.timestamp)) / 1000 <= windowSeconds)
    .map((r) => ({ at: r.timestamp, action: r.action, target: r.target }));
}

export function driftBy(incident: Incident): string {
  return changedBy(incident.trigger);
}
