/**
 * Per profile, not per incident: instances of one incident may hold different profiles (a sweep of an account, manual
 * launches sharing one key), each with its own role chain. Each distinct profile's role is read once (bounded), and
 * each broken one gets its own repair: an empty profile its role back, a role EC2 may not assume its trust merged.
 */
import type { Cause } from '../causes.ts';
import type { AccountPorts } from '../ports.ts';
import type { Incident, PlannedAction } from '../incident.ts';
import { readTrust } from '../policy/trust.ts';
import type { Facts, ProfileChain } from './facts.ts';
import type { Reader } from './reader.ts';
import { instanceList, type Finding } from './rule.ts';

/** Distinct profiles whose chain is read per incident; the rest are named in the summary as left out. */
export const MAX_CHAINS = 20;

/** The role a change the intake delivered (or the event history found) says was removed from the profile. */
export function removedRoleOf(incident: Incident, profile: string): string | null {
  return incident.recentChanges.find((c) => c.change?.resourceType === 'instance-profile' && c.change.resource === profile && c.change.detail?.roleName)?.change?.detail?.roleName ?? null;
}

export async function readProfileChains(reader: Reader, ports: AccountPorts, facts: Facts, incident: Incident): Promise<ProfileChain[]> {
  const held = new Map<string, { roles: string[]; instanceIds: string[] }>();
  for (const instance of facts.instances) {
    if (!instance.profile || instance.profileMissing) continue;
    const entry = held.get(instance.profile.name) ?? { roles: instance.profile.roles, instanceIds: [] };
    entry.instanceIds.push(instance.id);
    held.set(instance.profile.name, entry);
  }
  const primary = facts.instances[0]?.profile?.name;
  const chains: ProfileChain[] = [];
  for (const [profile, { roles, instanceIds }] of [...held].slice(0, MAX_CHAINS)) {
    const chain: ProfileChain = { profile, instanceIds, empty: roles.length === 0, role: null, roleSource: null, roleMissing: null };
    if (profile === primary) {
      // The primary instance's chain is the one `readRole` read (with the denied session's role as a candidate).
      chains.push({ ...chain, role: facts.role?.info ?? null, roleSource: facts.roleSource, roleMissing: facts.roleMissing });
      continue;
    }
    const candidates: Array<[string | null | undefined, ProfileChain['roleSource']]> = roles.length
      ? [[roles[0], 'profile']]
      : [[removedRoleOf(incident, profile), 'removed-from-profile'], [profile, 'profile-name']];
    for (const [name, source] of candidates) {
      if (!name) continue;
      const info = facts.role?.info.name === name ? facts.role.info : await reader.read('iam:GetRole', () => ports.iam.getRole(name));
      if (!info) {
        if (source === 'profile') chain.roleMissing = name;
        continue;
      }
      Object.assign(chain, { role: info, roleSource: source, roleMissing: null });
      break;
    }
    chains.push(chain);
  }
  return chains;
}

const SOURCES: Record<NonNullable<ProfileChain['roleSource']>, string> = {
  'denied-session': 'the role of the denied session',
  'removed-from-profile': 'the role CloudTrail shows was removed from it',
  'profile-name': 'the role named like the profile',
  profile: 'its role',
};

/** Where an empty profile's role came from, for the evidence of who suggested it. */
export function roleSourceOf(facts: Facts, profile: string): ProfileChain['roleSource'] {
  return facts.chains?.find((c) => c.profile === profile)?.roleSource ?? facts.roleSource;
}

/** The chains the facts hold; without them (facts built before chains existed), the primary instance's alone. */
function chainsOf(facts: Facts): ProfileChain[] {
  if (facts.chains) return facts.chains;
  const primary = facts.instances[0];
  if (!primary?.profile) return [];
  return [{ profile: primary.profile.name, instanceIds: [primary.id], empty: primary.profile.roles.length === 0, role: facts.role?.info ?? null, roleSource: facts.roleSource, roleMissing: facts.roleMissing }];
}

interface ChainRepairs {
  emptied: { plan: PlannedAction[]; said: string[]; unknown: string[] };
  trust: { plan: PlannedAction[]; said: string[]; denied: string[] };
}

function chainRepairs(facts: Facts): ChainRepairs {
  const repairs: ChainRepairs = { emptied: { plan: [], said: [], unknown: [] }, trust: { plan: [], said: [], denied: [] } };
  const merged = new Set<string>();
  for (const chain of chainsOf(facts)) {
    const of = `${chain.profile} of ${instanceList(chain.instanceIds)}`;
    if (chain.empty) {
      if (!chain.role) {
        repairs.emptied.unknown.push(`profile ${of} holds no role, and no role for it is known`);
        continue;
      }
      const source = SOURCES[chain.roleSource ?? 'profile'];
      repairs.emptied.plan.push({ type: 'add-role-to-profile', target: chain.profile, params: { roleName: chain.role.name }, reason: `${source} is ${chain.role.name}` });
      repairs.emptied.said.push(`profile ${of} holds no role: add ${chain.role.name} (${source})`);
      continue;
    }
    if (!chain.role || chain.roleSource !== 'profile' || merged.has(chain.role.name)) continue;
    const trust = readTrust(chain.role.trustPolicy);
    if (trust.allowsEc2) continue;
    merged.add(chain.role.name);
    const name = chain.role.name;
    if (trust.deniedExplicitly) {
      repairs.trust.denied.push(`the trust policy of ${name} denies ec2.amazonaws.com explicitly; a Deny is never removed automatically`);
      continue;
    }
    repairs.trust.plan.push({ type: 'merge-trust', target: name, params: {}, reason: `${name} is held by profile ${chain.profile}, which an instance uses` });
    repairs.trust.said.push(`the trust policy of ${name} does not let ec2.amazonaws.com assume it, so instances with its profile get no credentials (profile ${of})`);
  }
  return repairs;
}

const sentence = (parts: string[]): string => parts.join('; ');

/** Empty profiles, each given its own role back; roles of other profiles that lost EC2 trust are merged in the same plan. */
export const profileWithoutRole = (facts: Facts): Finding | null => {
  const { emptied, trust } = chainRepairs(facts);
  if (emptied.plan.length + emptied.unknown.length === 0) return null;
  const also: Cause[] = trust.plan.length ? ['trust-missing-ec2'] : [];
  return {
    cause: 'profile-without-role',
    summary: sentence([...emptied.said, ...emptied.unknown, ...trust.said, ...trust.denied]),
    plan: [...emptied.plan, ...trust.plan],
    ...(also.length ? { also } : {}),
  };
};

/** Roles held by the incident's profiles whose trust does not let EC2 assume them: EC2 merged into each. */
export const trustMissingEc2 = (facts: Facts): Finding | null => {
  const { trust } = chainRepairs(facts);
  if (trust.plan.length + trust.denied.length === 0) return null;
  return { cause: 'trust-missing-ec2', summary: sentence([...trust.said, ...trust.denied]), plan: trust.plan };
};
