/**
 * Which role's credentials an instance holds at a moment. EC2 delivers credentials when an association
 * takes effect (associate or replace) and refreshes them periodically; a role swapped inside the
 * profile reaches the instance only at its next refresh, and only if the trust lets EC2 assume it.
 */
import type { EffectiveIam } from './effective.ts';
import type { Physics } from './scenario.ts';
import type { AccountState, InstanceRecord } from './state.ts';

export interface HeldCredentials {
  roleName: string;
  associationId: string;
  /** When EC2 delivered them (virtual ms). */
  deliveredAt: number;
}

export type CredentialsAnswer = { held: HeldCredentials; reason: string } | { held: null; reason: string };

export async function credentialsAt(state: AccountState, effective: EffectiveIam, physics: Physics, instance: InstanceRecord, nowMs: number): Promise<CredentialsAnswer> {
  const associations = instance.associations;
  const newest = associations[associations.length - 1];
  if (!newest) return { held: null, reason: `instance ${instance.id} has no instance profile association` };
  if (newest.endedAt !== null && newest.endedAt <= nowMs) return { held: null, reason: `the instance profile of ${instance.id} was disassociated` };
  const deliveryDelayMs = Math.max(physics.associationSeconds, physics.propagationSeconds) * 1000;
  const refreshMs = physics.credentialRefreshSeconds * 1000;
  // Newest association first: an older one's credentials serve until the newer one's arrive.
  for (let i = associations.length - 1; i >= 0; i--) {
    const association = associations[i]!;
    if (association.endedBy === 'disassociate') break;
    const firstDelivery = association.preexisting ? state.startMs : association.createdAt + deliveryDelayMs;
    if (firstDelivery > nowMs) continue;
    const lastDelivery = firstDelivery + Math.floor((nowMs - firstDelivery) / refreshMs) * refreshMs;
    // The scenario may say which role's credentials the instance held when it started (e.g. before a role swap).
    const declared = association.initial === true && lastDelivery <= state.startMs && instance.credentialsRole !== undefined;
    let attempt = await deliver(effective, association.profileName, lastDelivery, declared ? instance.credentialsRole ?? null : undefined);
    // An instance left without credentials keeps asking EC2 for them, so a fix reaches it without waiting for the hourly refresh.
    if (typeof attempt === 'string' && nowMs > lastDelivery) attempt = await deliver(effective, association.profileName, nowMs);
    if (typeof attempt === 'string') return { held: null, reason: attempt };
    const held = { roleName: attempt.roleName, associationId: association.id, deliveredAt: attempt.at };
    return { held, reason: `holds credentials of role ${held.roleName} delivered at ${new Date(held.deliveredAt).toISOString()}` };
  }
  return { held: null, reason: `the association of ${instance.id} has not taken effect yet (no credentials delivered)` };
}

/** EC2 delivering credentials at `at`: the profile's role then (or the declared one), if its trust lets EC2 assume it; else why not. */
async function deliver(effective: EffectiveIam, profileName: string, at: number, declaredRole?: string | null): Promise<{ roleName: string; at: number } | string> {
  const roleName = declaredRole !== undefined ? declaredRole : effective.profileRolesAt(profileName, at)?.[0];
  if (!roleName) return `instance profile ${profileName} held no role when EC2 last delivered credentials`;
  if (!(await effective.trustAllowsEc2(roleName, at))) return `the trust policy of role ${roleName} does not let ec2.amazonaws.com assume it`;
  return { roleName, at };
}
