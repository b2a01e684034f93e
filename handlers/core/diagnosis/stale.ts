/** Stale credentials: every instance of the incident holds them, not just the first one seen. */
import type { Facts } from './facts.ts';
import type { Finding } from './rule.ts';

/** Fresh credentials for every associated instance of the incident (replace-association: no restart, no gap). */
export function staleCredentials(facts: Facts, summary: string): Finding {
  return {
    cause: 'stale-credentials',
    summary,
    plan: facts.instances
      .filter((i) => i.association?.state === 'associated' && i.profile?.roles.length)
      .map((i) => ({
        type: 'replace-association' as const,
        target: i.id,
        params: { profileName: i.profile!.name, associationId: i.association!.associationId },
        // Short: one entry per instance of the incident (the summary says why).
        reason: 'fresh credentials, no restart, no gap',
      })),
  };
}

/** The denied session's role is not the one the instance's profile holds now: its credentials predate the change. */
export function deniedAsAnotherRole(facts: Facts): boolean {
  return !!facts.denied.roleName && !!facts.role && facts.denied.roleName !== facts.role.info.name;
}
