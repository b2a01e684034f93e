/** Drift events: changes to what an instance role depends on, with the changed resource identified. */
import type { Change, ChangedResourceType } from './model.ts';
import { asObject, asString, profileRef } from './launch.ts';
import type { CloudTrailRecord } from './records.ts';

type Json = Record<string, unknown>;

/** A field under its CloudTrail spelling: IAM and Auto Scaling use camelCase, newer EC2 APIs PascalCase. */
function pick(obj: Json | null, name: string): unknown {
  if (!obj) return undefined;
  if (obj[name] !== undefined) return obj[name];
  const upper = name[0].toUpperCase() + name.slice(1);
  return obj[upper];
}

function text(obj: Json | null, name: string): string | null {
  return asString(pick(obj, name));
}

/** Newer EC2 APIs wrap parameters as {"<EventName>Request": {...}} and {"<EventName>Response": {...}}. */
function unwrap(value: unknown, wrapper: string): Json | null {
  const obj = asObject(value);
  return asObject(obj?.[wrapper]) ?? obj;
}

const EC2_SERVICE = 'ec2.amazonaws.com';

/** A trust policy that lets EC2 assume the role; unreadable documents count as not letting it. */
function trustAllowsEc2(policyDocument: unknown): boolean {
  let doc: unknown = policyDocument;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      return false;
    }
  }
  const statements = asObject(doc)?.Statement;
  for (const st of Array.isArray(statements) ? statements : [statements]) {
    const s = asObject(st);
    if (!s || s.Effect !== 'Allow') continue;
    const service = asObject(s.Principal)?.Service;
    const services = Array.isArray(service) ? service : [service];
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    if (services.includes(EC2_SERVICE) && actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return true;
  }
  return false;
}

type ChangeReader = (request: Json | null, response: Json | null) => Change;

function change(
  resourceType: ChangedResourceType,
  resource: string | null,
  breaking: boolean,
  detail?: Record<string, string | null>,
): Change {
  return detail ? { resourceType, resource, breaking, detail } : { resourceType, resource, breaking };
}

function associationOf(response: Json | null): Json | null {
  return asObject(pick(response, 'iamInstanceProfileAssociation'));
}

function launchTemplateVersionProfile(data: unknown): string | null {
  return profileRef(pick(asObject(data), 'iamInstanceProfile'));
}

/**
 * The change events of ARCHITECTURE.md. `breaking` marks removals and replacements (and a trust
 * policy or template version that leaves EC2 or the profile out); additions are not breaking.
 */
const CHANGE_READERS: Readonly<Record<string, ChangeReader>> = {
  UpdateAssumeRolePolicy: (rq) =>
    change('role-trust', text(rq, 'roleName'), !trustAllowsEc2(pick(rq, 'policyDocument'))),
  PutRolePolicy: (rq) => change('role-policy', text(rq, 'roleName'), false, { policyName: text(rq, 'policyName') }),
  DeleteRolePolicy: (rq) => change('role-policy', text(rq, 'roleName'), true, { policyName: text(rq, 'policyName') }),
  AttachRolePolicy: (rq) => change('role-policy', text(rq, 'roleName'), false, { policyArn: text(rq, 'policyArn') }),
  DetachRolePolicy: (rq) => change('role-policy', text(rq, 'roleName'), true, { policyArn: text(rq, 'policyArn') }),
  DeletePolicy: (rq) => change('managed-policy', text(rq, 'policyArn'), true),
  CreatePolicyVersion: (rq) =>
    change('managed-policy', text(rq, 'policyArn'), pick(rq, 'setAsDefault') === true, { setAsDefault: String(pick(rq, 'setAsDefault') === true) }),
  SetDefaultPolicyVersion: (rq) => change('managed-policy', text(rq, 'policyArn'), true, { versionId: text(rq, 'versionId') }),
  AddRoleToInstanceProfile: (rq) =>
    change('instance-profile', text(rq, 'instanceProfileName'), false, { roleName: text(rq, 'roleName') }),
  RemoveRoleFromInstanceProfile: (rq) =>
    change('instance-profile', text(rq, 'instanceProfileName'), true, { roleName: text(rq, 'roleName') }),
  AssociateIamInstanceProfile: (rq, rs) => {
    const association = associationOf(rs);
    return change('profile-association', text(rq, 'instanceId') ?? text(association, 'instanceId'), false, {
      instanceProfile: profileRef(pick(rq, 'iamInstanceProfile')) ?? profileRef(pick(association, 'iamInstanceProfile')),
      associationId: text(association, 'associationId'),
    });
  },
  ReplaceIamInstanceProfileAssociation: (rq, rs) => {
    const association = associationOf(rs);
    return change('profile-association', text(association, 'instanceId'), true, {
      instanceProfile: profileRef(pick(rq, 'iamInstanceProfile')) ?? profileRef(pick(association, 'iamInstanceProfile')),
      replacedAssociationId: text(rq, 'associationId'),
      associationId: text(association, 'associationId'),
    });
  },
  DisassociateIamInstanceProfile: (rq, rs) => {
    const association = associationOf(rs);
    return change('profile-association', text(association, 'instanceId'), true, {
      associationId: text(rq, 'associationId') ?? text(association, 'associationId'),
      instanceProfile: profileRef(pick(association, 'iamInstanceProfile')),
    });
  },
  CreateLaunchTemplate: (rq, rs) => {
    const created = asObject(pick(rs, 'launchTemplate'));
    const profile = launchTemplateVersionProfile(pick(rq, 'launchTemplateData'));
    return change('launch-template', text(created, 'launchTemplateId') ?? text(rq, 'launchTemplateName'), profile === null, {
      launchTemplateName: text(rq, 'launchTemplateName') ?? text(created, 'launchTemplateName'),
      instanceProfile: profile,
    });
  },
  CreateLaunchTemplateVersion: (rq, rs) => {
    const created = asObject(pick(rs, 'launchTemplateVersion'));
    const profile = launchTemplateVersionProfile(pick(rq, 'launchTemplateData'));
    // A version built from a source version inherits its profile unless the new data overrides it.
    const breaking = profile === null && text(rq, 'sourceVersion') === null;
    return change('launch-template', text(rq, 'launchTemplateId') ?? text(created, 'launchTemplateId') ?? text(rq, 'launchTemplateName'), breaking, {
      launchTemplateName: text(rq, 'launchTemplateName') ?? text(created, 'launchTemplateName'),
      version: text(created, 'versionNumber'),
      instanceProfile: profile,
    });
  },
  ModifyLaunchTemplate: (rq) =>
    change('launch-template', text(rq, 'launchTemplateId') ?? text(rq, 'launchTemplateName'), true, {
      defaultVersion: text(rq, 'setDefaultVersion') ?? text(rq, 'defaultVersion'),
    }),
  CreateAutoScalingGroup: (rq) => change('auto-scaling-group', text(rq, 'autoScalingGroupName'), false, asgTemplate(rq)),
  UpdateAutoScalingGroup: (rq) => {
    const detail = asgTemplate(rq);
    const launchSource = detail.launchTemplateId ?? detail.launchTemplateName ?? detail.launchConfigurationName ?? detail.mixedInstancesPolicy;
    return change('auto-scaling-group', text(rq, 'autoScalingGroupName'), launchSource !== null, detail);
  },
};

function asgTemplate(rq: Json | null): Record<string, string | null> {
  const lt = asObject(pick(rq, 'launchTemplate'));
  return {
    launchTemplateId: text(lt, 'launchTemplateId'),
    launchTemplateName: text(lt, 'launchTemplateName'),
    version: text(lt, 'version'),
    launchConfigurationName: text(rq, 'launchConfigurationName'),
    mixedInstancesPolicy: pick(rq, 'mixedInstancesPolicy') !== undefined ? 'set' : null,
  };
}

export function isChangeEvent(eventName: string): boolean {
  return Object.hasOwn(CHANGE_READERS, eventName);
}

/** The changed resource of a change event; null for any other event. */
export function changeOf(record: CloudTrailRecord): Change | null {
  const read = Object.hasOwn(CHANGE_READERS, record.eventName) ? CHANGE_READERS[record.eventName] : undefined;
  if (!read) return null;
  return read(
    unwrap(record.requestParameters, `${record.eventName}Request`),
    unwrap(record.responseElements, `${record.eventName}Response`),
  );
}
