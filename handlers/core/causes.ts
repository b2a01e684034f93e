/** Causes of ARCHITECTURE.md, and how each is handled by default. */

export const FIXABLE_CAUSES = [
  'no-instance-profile',
  'profile-without-role',
  'trust-missing-ec2',
  'missing-permission',
  'stale-credentials',
  'propagation-delay',
  'throttling',
  'stale-launch-template',
] as const;

export const ESCALATED_CAUSES = [
  'explicit-deny',
  'permissions-boundary',
  'organization-policy',
  'resource-policy',
  'session-policy',
  'vpc-endpoint-policy',
  'not-instance-role',
  'incident-response',
  'drift-flapping',
  'unknown',
] as const;

export type FixableCause = (typeof FIXABLE_CAUSES)[number];
export type EscalatedCause = (typeof ESCALATED_CAUSES)[number];
export type Cause = FixableCause | EscalatedCause;

export const ALL_CAUSES: readonly Cause[] = [...FIXABLE_CAUSES, ...ESCALATED_CAUSES];

export type Mode = 'observe' | 'approve' | 'auto';

/** Default mode per cause (ARCHITECTURE.md "fix (default mode)"). */
export const DEFAULT_MODES: Record<FixableCause, Mode> = {
  'no-instance-profile': 'auto',
  'profile-without-role': 'approve',
  'trust-missing-ec2': 'auto',
  'missing-permission': 'approve',
  'stale-credentials': 'auto',
  'propagation-delay': 'auto',
  'throttling': 'auto',
  'stale-launch-template': 'approve',
};

export function isFixable(cause: Cause): cause is FixableCause {
  return (FIXABLE_CAUSES as readonly string[]).includes(cause);
}
