/** The accounts, fleets, physics and expected blocks the drift scenarios share (used by make-drift-scenarios.ts). */
import { EC2_TRUST, OPT_IN, SSM_CORE } from './scenario-parts.ts';
import { hex, instanceId, isoPlus } from './cloudtrail-records.ts';

export const AUDIT_ONLY_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'SecurityAuditReadOnly', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999900001111:role/security-audit' }, Action: 'sts:AssumeRole' }],
};

/** Running instances of one group, all using `profile`, launched from `lt` version `version`. */
export function fleet(name: string, count: number, profile: string | null, lt: string | null, version: string, group: string | null) {
  return Array.from({ length: count }, (_, i) => ({
    id: instanceId(`${name}-${i}`), state: 'running', instanceProfile: profile, associatedAt: '2026-11-02T08:00:00Z',
    launchTemplate: lt ? { id: lt, version } : null, autoScalingGroup: group, tags: { ...OPT_IN, Name: name },
  }));
}

export function role(name: string, extra: Record<string, unknown> = {}) {
  return { name, path: '/', trustPolicy: EC2_TRUST, inlinePolicies: {}, managedPolicies: [SSM_CORE], permissionsBoundary: null, tags: OPT_IN, ...extra };
}

/** Physics of a drift scenario: the service runs `after` seconds after the change. */
export function physicsAt(at: string, after: number) {
  return { propagationSeconds: 4, iamWritesPerSecond: 5, startTime: isoPlus(at, after), faults: [] };
}

/** The expected block of one change record that makes one incident. */
export function oneChange(cause: string, status: string, actions: string[], iam: number, ec2: number) {
  return { incidents: 1, events: 1, ignoredEvents: 0, changeEvents: 1, cause, status, actions, writes: { iam, ec2 } };
}

/** An account where `count` running instances use the profile `app`, which holds the role `app`. */
export function appAccount(accountId: string, region: string, app: string, count: number, options: { role?: Record<string, unknown>; profileRoles?: string[]; profileUpdatedAt?: string; policies?: unknown[] } = {}) {
  const profile = { name: app, path: '/', roles: options.profileRoles ?? [app], ...(options.profileUpdatedAt ? { updatedAt: options.profileUpdatedAt } : {}) };
  return { accountId, region, roles: [role(app, options.role)], ...(options.policies ? { policies: options.policies } : {}), instanceProfiles: [profile], instances: fleet(app, count, app, null, '1', null) };
}
