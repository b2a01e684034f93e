/**
 * EC2 replaces the profile association of a running instance only (API reference, ReplaceIamInstanceProfileAssociation):
 * a stopped instance is never planned a replace it would refuse.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../handlers/core/config.ts';
import { decide } from '../../../handlers/core/diagnosis/decide.ts';
import { guard } from '../../../handlers/core/guard.ts';
import { diagnosis, NO_CHANGES_YET } from '../guard/build-diagnosis.ts';
import { ACCOUNT, BASELINE_APP, config, facts, instance, INSTANCE } from './build-facts.ts';

const STOPPED = 'i-0bbb2222cccc3333d';
const stopped = (over: Parameters<typeof instance>[1] = {}) => {
  const base = instance(STOPPED, over);
  return { ...base, info: { ...base.info!, state: 'stopped' as const } };
};

describe('a stopped instance', () => {
  it('is not planned fresh credentials: it gets them when it starts', () => {
    const f = facts({ instances: [instance(), stopped()], denied: { ...facts().denied, roleName: 'old-app' }, simulation: { action: 's3:GetObject', resource: 'arn:aws:s3:::config-bucket/app.json', decision: 'allowed', matchedStatements: [] } });
    const d = decide(f, config());
    expect(d.cause).toBe('stale-credentials');
    expect(d.plan.map((a) => `${a.type} ${a.target}`)).toEqual([`replace-association ${INSTANCE}`]);
  });

  it('holding a deleted profile: its replace is planned as stopped, and the guard leaves it for a person with the steps', () => {
    const deleted = { ...instance().association!, instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/deleted` };
    const running = instance(INSTANCE, { profile: null, profileMissing: true, association: deleted, expected: BASELINE_APP });
    const halted = stopped({ profile: null, profileMissing: true, association: { ...deleted, associationId: 'iip-assoc-stopped', instanceId: STOPPED }, expected: BASELINE_APP });
    const d = decide(facts({ instances: [running, halted], role: null, roleSource: null }), config());
    expect(d.plan).toEqual([
      expect.objectContaining({ type: 'replace-association', target: INSTANCE, params: { profileName: 'app' } }),
      expect.objectContaining({ type: 'replace-association', target: STOPPED, params: { profileName: 'app', instanceState: 'stopped' } }),
    ]);
    const g = guard(diagnosis({ plan: d.plan }, { instanceIds: [INSTANCE, STOPPED], optIn: { tag: 'iam-autoheal=on', roles: ['app'], instanceIds: [INSTANCE, STOPPED], launchTemplateIds: [], autoScalingGroups: [] } }),
      parseConfig({ allowedInstanceProfiles: ['app'], modes: { 'no-instance-profile': 'auto' } }), NO_CHANGES_YET);
    expect(g.verdict).toBe('apply');
    expect(g.allowed.map((a) => a.target)).toEqual([INSTANCE]);
    expect(g.deferred).toEqual([expect.objectContaining({ reason: expect.stringMatching(new RegExp(`^${STOPPED} is stopped and EC2 replaces a profile association only on a running instance: disassociate its profile and associate app before starting it`)) })]);
  });
});
