/**
 * Which profile an instance should have: its launch template version's, its Auto Scaling group's
 * template's, the `iam-autoheal:profile` tag's, or the configured baseline — in that order. All but the
 * baseline are set by whoever launches, tags or templates, so they only suggest: the guard hands the profile
 * out only when IAM administrators authorized it (policy/authority.ts).
 */
import type { Config } from '../config.ts';
import { profileNameOf } from '../policy/principal.ts';
import type { ExpectedProfileSource, InstanceFacts, LaunchTemplateFacts } from './facts.ts';

export const PROFILE_TAG = 'iam-autoheal:profile';

export interface ExpectedProfileResolution {
  found: { name: string; source: ExpectedProfileSource; detail: string } | null;
  /** Every place looked at, in order, with what it said. */
  searched: string[];
}

function templateProfile(template: LaunchTemplateFacts | null): string | null {
  const spec = template?.version.iamInstanceProfile;
  if (!spec) return null;
  return profileNameOf('name' in spec ? spec.name : spec.arn);
}

function describeTemplate(template: LaunchTemplateFacts): string {
  return `${template.version.launchTemplateId} (${template.version.launchTemplateName}) version ${template.version.versionNumber}`;
}

export function resolveExpectedProfile(instance: InstanceFacts | null, config: Config): ExpectedProfileResolution {
  const searched: string[] = [];
  const candidates: Array<[ExpectedProfileSource, string | null, string]> = [];
  if (instance?.launchTemplate) {
    candidates.push(['launch-template', templateProfile(instance.launchTemplate), `launch template ${describeTemplate(instance.launchTemplate)}`]);
  }
  if (instance?.autoScalingGroup?.template) {
    candidates.push(['auto-scaling-group', templateProfile(instance.autoScalingGroup.template), `Auto Scaling group ${instance.autoScalingGroup.name} → ${describeTemplate(instance.autoScalingGroup.template)}`]);
  }
  candidates.push(['tag', instance?.info?.tags[PROFILE_TAG] ?? null, `tag ${PROFILE_TAG} on ${instance?.id ?? 'the instance'}`]);
  candidates.push(['baseline', config.baselineInstanceProfile, 'configuration baselineInstanceProfile']);
  for (const [source, name, detail] of candidates) {
    if (name) return { found: { name, source, detail }, searched: [...searched, `${detail}: ${name}`] };
    searched.push(`${detail}: none`);
  }
  return { found: null, searched };
}
