/** The guard decides scope per planned action: untagged instances and templates are left for a person, the rest applied. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../handlers/core/config.ts';
import { guard } from '../../../handlers/core/guard.ts';
import type { PlannedAction } from '../../../handlers/core/incident.ts';
import { diagnosis, NO_CHANGES_YET } from './build-diagnosis.ts';

const TAGGED = 'i-0aaa1111bbbb2222c';
const UNTAGGED = 'i-0bbb2222cccc3333d';
const cfg = (scope: Record<string, unknown> = {}) =>
  parseConfig({ allowedInstanceProfiles: ['app'], modes: { 'no-instance-profile': 'auto', 'stale-launch-template': 'auto', 'trust-missing-ec2': 'auto' }, scope: { tag: { key: 'iam-autoheal', value: 'on' }, ...scope } });
const associate = (id: string): PlannedAction => ({ type: 'associate-profile', target: id, params: { profileName: 'app' }, reason: 'no profile' });
const templateRepair: PlannedAction[] = [
  { type: 'create-launch-template-version', target: 'lt-0123', params: { sourceVersion: 3, profileName: 'app' }, reason: 'v3 has no profile' },
  { type: 'set-default-launch-template-version', target: 'lt-0123', params: { profileName: 'app' }, reason: 'launches use $Default' },
];
const optIn = (over: Record<string, string[]> = {}) => ({ tag: 'iam-autoheal=on', roles: ['app'], instanceIds: [TAGGED], launchTemplateIds: [], autoScalingGroups: [], ...over });

describe('guard: partial remediation by scope', () => {
  it('an untagged instance is left for a person, the tagged one is associated', () => {
    const d = diagnosis({ plan: [associate(TAGGED), associate(UNTAGGED)] }, { instanceIds: [TAGGED, UNTAGGED], optIn: optIn() });
    const g = guard(d, cfg(), NO_CHANGES_YET);
    expect(g.verdict).toBe('apply');
    expect(g.allowed).toEqual([associate(TAGGED)]);
    expect(g.deferred).toEqual([{ action: associate(UNTAGGED), reason: `out of scope: instance ${UNTAGGED} is not tagged iam-autoheal=on` }]);
  });

  it('an untagged template is repaired as a unit by a person; the tagged instances it launched are associated', () => {
    const d = diagnosis({ cause: 'stale-launch-template', plan: [...templateRepair, associate(TAGGED)] }, { optIn: optIn() });
    const g = guard(d, cfg(), NO_CHANGES_YET);
    expect(g.verdict).toBe('apply');
    expect(g.allowed).toEqual([associate(TAGGED)]);
    expect(g.deferred.map((x) => x.action)).toEqual(templateRepair);
    expect(g.reason).toMatch(/Left for a person \(2\): create-launch-template-version lt-0123; set-default-launch-template-version lt-0123/);
  });

  it('a group pinned to the repaired template is left for a person with the template when the template is out of scope', () => {
    const pin: PlannedAction = { type: 'update-auto-scaling-group', target: 'web', params: { launchTemplateId: 'lt-0123', profileName: 'app' }, reason: 'pins v3' };
    const d = diagnosis({ cause: 'stale-launch-template', plan: [...templateRepair, pin, associate(TAGGED)] }, { optIn: optIn({ autoScalingGroups: ['web'] }) });
    const g = guard(d, cfg(), NO_CHANGES_YET);
    expect(g.deferred.map((x) => x.action.type)).toEqual(['create-launch-template-version', 'set-default-launch-template-version', 'update-auto-scaling-group']);
    expect(g.deferred[2]!.reason).toMatch(/part of the repair of launch template lt-0123, which is not tagged/);
    expect(g.allowed).toEqual([associate(TAGGED)]);
  });

  it('nothing in scope: observe, nothing deferred and nothing allowed to apply', () => {
    const d = diagnosis({ plan: [associate(UNTAGGED)] }, { instanceIds: [UNTAGGED], optIn: optIn({ instanceIds: [] }) });
    const g = guard(d, cfg(), NO_CHANGES_YET);
    expect(g.verdict).toBe('observe');
    expect(g.deferred).toEqual([]);
    expect(g.reason).toMatch(/^Out of scope: instance i-0bbb2222cccc3333d is not tagged/);
  });

  it('a part every association relies on (the role chain) out of scope stops the whole plan', () => {
    const merge: PlannedAction = { type: 'merge-trust', target: 'app', params: {}, reason: 'EC2 missing' };
    const d = diagnosis({ cause: 'trust-missing-ec2', plan: [merge, associate(TAGGED)] }, { optIn: optIn({ roles: [] }) });
    const g = guard(d, cfg(), NO_CHANGES_YET);
    expect(g.verdict).toBe('observe');
    expect(g.deferred).toEqual([]);
    expect(g.reason).toMatch(/role app is not tagged iam-autoheal=on/);
  });

  it('an account or region out of scope is never split: the whole incident is observed', () => {
    const d = diagnosis({ plan: [associate(TAGGED), associate(UNTAGGED)] }, { instanceIds: [TAGGED, UNTAGGED], optIn: optIn() });
    for (const scope of [{ accounts: ['999999999999'] }, { regions: ['us-east-1'] }]) {
      const g = guard(d, cfg(scope), NO_CHANGES_YET);
      expect(g).toMatchObject({ verdict: 'observe', deferred: [] });
    }
  });

  it('approve mode asks only for the in-scope changes and says what is left for a person', () => {
    const d = diagnosis({ plan: [associate(TAGGED), associate(UNTAGGED)] }, { instanceIds: [TAGGED, UNTAGGED], optIn: optIn() });
    const g = guard(d, parseConfig({ allowedInstanceProfiles: ['app'], modes: { 'no-instance-profile': 'approve' }, scope: { tag: { key: 'iam-autoheal', value: 'on' } } }), NO_CHANGES_YET);
    expect(g.verdict).toBe('await-approval');
    expect(g.allowed).toEqual([associate(TAGGED)]);
    expect(g.reason).toMatch(/approve 1 change\(s\)\. Left for a person \(1\): associate-profile i-0bbb2222cccc3333d/);
  });

  it('the change budget counts only the changes that will be made', () => {
    const d = diagnosis({ plan: [associate(TAGGED), associate(UNTAGGED)] }, { instanceIds: [TAGGED, UNTAGGED], optIn: optIn() });
    const tight = parseConfig({ allowedInstanceProfiles: ['app'], modes: { 'no-instance-profile': 'auto' }, scope: { tag: { key: 'iam-autoheal', value: 'on' } }, limits: { ec2ChangesPerAccountPerHour: 1 } });
    expect(guard(d, tight, NO_CHANGES_YET).verdict).toBe('apply');
  });
});
