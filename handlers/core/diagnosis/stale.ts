/** Stale credentials: every instance of the incident holds them, not just the first one seen. */
import type { Facts, InstanceFacts } from './facts.ts';
import type { Finding } from './rule.ts';

/** Fresh credentials for every associated instance of the incident (replace-association: no restart, no gap). */
export function staleCredentials(facts: Facts, summary: string): Finding {
  return {
    cause: 'stale-credentials',
    summary,
    plan: facts.instances
      // A stopped instance gets fresh credentials when it starts (and EC2 replaces associations of running instances only).
      .filter((i) => i.association?.state === 'associated' && i.profile?.roles.length && !isStopped(i))
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

/** Stopped or stopping: no credentials in use now; EC2 replaces the association of a running instance only. */
export function isStopped(instance: Pick<InstanceFacts, 'info'>): boolean {
  return instance.info?.state === 'stopped' || instance.info?.state === 'stopping';
}
