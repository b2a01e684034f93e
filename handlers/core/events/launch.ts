/** What a RunInstances record says about the instances it launched. */
import type { Launch, LaunchTemplateRef } from './model.ts';
import { isAutoScalingCaller } from './principal.ts';
import type { CloudTrailRecord } from './records.ts';

type Json = Record<string, unknown>;

const ASG_TAG = 'aws:autoscaling:groupName';

export function asObject(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

export function asString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

/** CloudTrail's EC2 lists: {"items": [...]} (or a bare array in some exports). */
export function itemsOf(value: unknown): Json[] {
  const list = Array.isArray(value) ? value : asObject(value)?.items;
  return Array.isArray(list) ? (list.filter((v) => asObject(v) !== null) as Json[]) : [];
}

/** A profile reference {name} | {arn} | {arn, id} → the name or ARN an operator recognises. */
export function profileRef(value: unknown): string | null {
  const ref = asObject(value);
  if (!ref) return null;
  return asString(ref.name) ?? asString(ref.Name) ?? asString(ref.arn) ?? asString(ref.Arn) ?? asString(ref.id);
}

function launchTemplateOf(request: Json | null): LaunchTemplateRef | null {
  const lt = asObject(request?.launchTemplate);
  if (!lt) return null;
  return {
    launchTemplateId: asString(lt.launchTemplateId),
    launchTemplateName: asString(lt.launchTemplateName),
    version: asString(lt.version),
  };
}

function tagValue(tags: Json[], key: string): string | null {
  for (const tag of tags) if (tag.key === key || tag.Key === key) return asString(tag.value ?? tag.Value);
  return null;
}

function autoScalingGroupOf(request: Json | null, instances: Json[]): string | null {
  for (const spec of itemsOf(request?.tagSpecificationSet)) {
    const group = tagValue(itemsOf(spec.tags ?? spec.tagSet), ASG_TAG);
    if (group) return group;
  }
  for (const instance of instances) {
    const group = tagValue(itemsOf(instance.tagSet), ASG_TAG);
    if (group) return group;
  }
  return null;
}

/**
 * The launch fields of the triage contract: the profile from the request ({name} | {arn}), else from
 * the response items ({arn, id}, how Auto Scaling launches record it); the template from the request.
 */
export function launchOf(record: CloudTrailRecord): Launch {
  const request = asObject(record.requestParameters);
  const instances = itemsOf(asObject(record.responseElements)?.instancesSet);
  let instanceProfile = profileRef(request?.iamInstanceProfile);
  if (!instanceProfile) {
    for (const instance of instances) {
      instanceProfile = profileRef(instance.iamInstanceProfile);
      if (instanceProfile) break;
    }
  }
  const instanceIds: string[] = [];
  for (const instance of instances) {
    const id = asString(instance.instanceId);
    if (id) instanceIds.push(id);
  }
  return {
    instanceIds,
    instanceProfile,
    launchTemplate: launchTemplateOf(request),
    viaAutoScaling: isAutoScalingCaller(record),
    autoScalingGroup: autoScalingGroupOf(request, instances),
  };
}
