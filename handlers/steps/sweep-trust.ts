/**
 * The sweep's second finding: roles that lost EC2 trust. Only roles held by a profile that an inventoried
 * instance uses count (ARCHITECTURE.md); the trust is read with the same helper merge-trust relies on.
 */
import type { IamPort, InstanceInfo, RoleInfo } from '../core/ports.ts';
import type { Classification } from '../core/events/model.ts';
import { keyOf } from '../core/events/incident-key.ts';
import type { Incident } from '../core/incident.ts';
import { profileNameOf } from '../core/policy/principal.ts';
import { readTrust } from '../core/policy/trust.ts';
import type { SweepTarget } from './sweep.ts';

export interface RoleWithoutEc2Trust {
  role: RoleInfo;
  /** Profiles in use that hold the role. */
  profiles: string[];
  /** Instances using those profiles, running ones first: the first is the incident's subject. */
  instances: InstanceInfo[];
}

/** A profile in use that holds no role: its instances get no credentials at all. */
export interface ProfileWithoutRole {
  profile: string;
  instances: InstanceInfo[];
}

export interface ProfileFindings {
  rolesWithoutEc2Trust: RoleWithoutEc2Trust[];
  profilesWithoutRole: ProfileWithoutRole[];
}

/** One finding per role (one root cause), however many profiles and instances carry it. */
export async function rolesWithoutEc2Trust(iam: IamPort, instances: InstanceInfo[]): Promise<RoleWithoutEc2Trust[]> {
  return (await profileFindings(iam, instances)).rolesWithoutEc2Trust;
}

/** What is wrong with the profiles the inventoried instances use: roles EC2 cannot assume, and profiles without a role. */
export async function profileFindings(iam: IamPort, instances: InstanceInfo[]): Promise<ProfileFindings> {
  const usersOfProfile = new Map<string, InstanceInfo[]>();
  for (const instance of instances) {
    if (!instance.instanceProfileArn) continue;
    const name = profileNameOf(instance.instanceProfileArn);
    usersOfProfile.set(name, [...(usersOfProfile.get(name) ?? []), instance]);
  }
  const profilesWithoutRole: ProfileWithoutRole[] = [];
  if (usersOfProfile.size === 0) return { rolesWithoutEc2Trust: [], profilesWithoutRole };

  const byRole = new Map<string, { profiles: string[]; instances: InstanceInfo[] }>();
  for (const profile of await iam.listInstanceProfiles()) {
    const users = usersOfProfile.get(profile.name);
    const roleName = profile.roles[0];
    if (!users) continue; // unused
    if (!roleName) {
      // The sweep leaves an empty profile to the diagnosis of a launch or denial; the compliance report names it.
      profilesWithoutRole.push({ profile: profile.name, instances: users });
      continue;
    }
    const entry = byRole.get(roleName) ?? { profiles: [], instances: [] };
    entry.profiles.push(profile.name);
    entry.instances.push(...users);
    byRole.set(roleName, entry);
  }

  const found: RoleWithoutEc2Trust[] = [];
  for (const [roleName, entry] of byRole) {
    const role = await iam.getRole(roleName);
    if (!role || readTrust(role.trustPolicy).allowsEc2) continue; // a missing role is not a trust problem
    // Running instances are the ones failing now; a stopped one fails at its next start.
    const ordered = [...entry.instances.filter((i) => i.state === 'running'), ...entry.instances.filter((i) => i.state !== 'running')];
    found.push({ role, profiles: entry.profiles, instances: ordered });
  }
  return { rolesWithoutEc2Trust: found, profilesWithoutRole };
}

/** An incident the diagnosis reads like any other: instance → profile → role, whose trust lacks EC2. */
export function trustSweepIncident(target: SweepTarget, finding: RoleWithoutEc2Trust, at: Date): Incident {
  const time = at.toISOString();
  const ids = finding.instances.map((i) => i.id);
  const trigger: Classification = {
    eventId: null, eventName: 'Sweep', eventSource: 'iam-autoheal', eventTime: time, region: target.region, kind: 'launch',
    reason: `scheduled sweep: role ${finding.role.name} of profile ${finding.profiles.join(', ')} does not let ec2.amazonaws.com assume it`,
    principal: { roleName: finding.role.name, roleArn: finding.role.arn, instanceId: null, accountId: target.accountId },
    action: null, resource: null, denial: null, change: null,
    launch: { instanceIds: ids, instanceProfile: finding.profiles[0] ?? null, launchTemplate: null, viaAutoScaling: false },
  };
  return {
    // IAM is global: no region in the key, so the sweep of a second region finds the same execution.
    key: keyOf(['sweep-trust', target.accountId, finding.role.name], ['sweep-trust', target.accountId, finding.role.arn]),
    accountId: target.accountId, region: target.region, kind: 'sweep', trigger,
    instanceIds: ids, actions: [], eventCount: 0, firstSeen: time, lastSeen: time, recentChanges: [],
  };
}
