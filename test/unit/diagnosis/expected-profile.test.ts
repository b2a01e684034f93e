import { describe, expect, it } from 'vitest';
import { resolveExpectedProfile } from '../../../handlers/core/diagnosis/expected-profile.ts';
import type { LaunchTemplateFacts } from '../../../handlers/core/diagnosis/facts.ts';
import { bareInstance, config, INSTANCE } from './build-facts.ts';

function template(profile: string | null): LaunchTemplateFacts {
  return { version: { launchTemplateId: 'lt-1', launchTemplateName: 'web', versionNumber: 4, defaultVersion: true, iamInstanceProfile: profile ? { arn: `arn:aws:iam::111122223333:instance-profile/team/${profile}` } : null }, reference: '$Default', defaultVersion: 4 };
}

describe('expected profile: launch template, then group, then tag, then baseline', () => {
  const tagged = (tags: Record<string, string>) => ({ ...bareInstance().info!, tags });

  it("takes the instance's launch template version first (name from an ARN)", () => {
    const r = resolveExpectedProfile(bareInstance(INSTANCE, { launchTemplate: template('from-template'), info: tagged({ 'iam-autoheal:profile': 'from-tag' }) }), config({ baselineInstanceProfile: 'base' }));
    expect(r.found).toMatchObject({ name: 'from-template', source: 'launch-template' });
  });

  it("falls back to the group's template when the instance's has none", () => {
    const group = { name: 'web', launchTemplate: { id: 'lt-1', version: '$Default' }, template: template('from-group'), tags: {} };
    const r = resolveExpectedProfile(bareInstance(INSTANCE, { launchTemplate: template(null), autoScalingGroup: group }), config({ baselineInstanceProfile: 'base' }));
    expect(r.found).toMatchObject({ name: 'from-group', source: 'auto-scaling-group' });
    expect(r.searched[0]).toMatch(/launch template lt-1 .*: none/);
  });

  it('then the iam-autoheal:profile tag, then the baseline', () => {
    expect(resolveExpectedProfile(bareInstance(INSTANCE, { info: tagged({ 'iam-autoheal:profile': 'from-tag' }) }), config({ baselineInstanceProfile: 'base' })).found).toMatchObject({ name: 'from-tag', source: 'tag' });
    expect(resolveExpectedProfile(bareInstance(), config({ baselineInstanceProfile: 'base' })).found).toMatchObject({ name: 'base', source: 'baseline' });
  });

  it('none found: lists every place looked at', () => {
    const r = resolveExpectedProfile(bareInstance(), config());
    expect(r.found).toBeNull();
    expect(r.searched).toEqual([`tag iam-autoheal:profile on ${INSTANCE}: none`, 'configuration baselineInstanceProfile: none']);
  });
});
