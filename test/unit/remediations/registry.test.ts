import { describe, expect, it } from 'vitest';
import type { ActionType } from '../../../handlers/core/incident.ts';
import { REMEDIATIONS, remediationFor } from '../../../handlers/core/remediations/index.ts';
import { account, action } from './build-account.ts';

const TYPES: ActionType[] = [
  'associate-profile', 'replace-association', 'merge-trust', 'attach-policy', 'put-inline-policy', 'add-role-to-profile',
  'create-launch-template-version', 'set-default-launch-template-version', 'update-auto-scaling-group', 'propose-policy', 'wait',
];

describe('remediation registry', () => {
  it('has exactly one remediation per action type, and none for notify', () => {
    expect(REMEDIATIONS.map((r) => r.type).sort()).toEqual([...TYPES].sort());
    for (const type of TYPES) expect(remediationFor(type).type).toBe(type);
    expect(() => remediationFor('notify')).toThrow(/no remediation of type "notify"/);
  });

  it('every write declares the permissions it needs as ARN patterns with placeholders, never a literal account', () => {
    for (const r of REMEDIATIONS) {
      expect(r.causes.length).toBeGreaterThan(0);
      if (r.writes === 'none') continue;
      expect(r.permissions.length).toBeGreaterThan(0);
      for (const p of r.permissions) {
        for (const resource of p.resources) expect(resource === '*' || resource.startsWith('arn:${Partition}:')).toBe(true);
        for (const a of p.actions) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    }
  });

  it('propose-policy and wait never write', async () => {
    const a = account();
    const proposed = await remediationFor('propose-policy').apply(a.ports, action('propose-policy', 'app', { statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' } }));
    expect(proposed.result).toBe('proposed');
    expect((await remediationFor('wait').apply(a.ports, action('wait', 'app', { seconds: 2 }))).detail).toMatch(/no change; waiting 2s/);
    expect(a.counters).toMatchObject({ iamWrites: 0, ec2Writes: 0 });
  });
});
