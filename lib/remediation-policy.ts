/**
 * IAM statements generated from the remediation declarations (handlers/core/remediations):
 * the grants are never written twice. Also the read-only set of the diagnosis and the explicit
 * Deny that keeps the remediation role from escalating privileges whatever else it is given.
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Config } from '../handlers/core/config.ts';
import type { RequiredPermission } from '../handlers/core/remediations/types.ts';

/** Reads of the diagnosis that support no resource-level permissions: IAM accepts only "*". */
export const RESOURCELESS_READS = [
  'ec2:DescribeInstances',
  'ec2:DescribeIamInstanceProfileAssociations',
  'ec2:DescribeLaunchTemplateVersions',
  // The template's tags: where IAM checks the opt-in tag for template writes.
  'ec2:DescribeLaunchTemplates',
  // The sweep's inventory of profiles: a list call the Service Authorization Reference gives no resource type.
  'iam:ListInstanceProfiles',
  'autoscaling:DescribeAutoScalingGroups',
  'sts:DecodeAuthorizationMessage',
  // Recent changes the intake did not deliver (the event history): management events of the account, read only.
  'cloudtrail:LookupEvents',
] as const;

/** Where the `${Partition}`/`${Account}`/`${Region}` placeholders of a declaration point (tokens allowed). */
export interface PolicyScope {
  partition: string;
  account: string;
  region: string;
}

/** The part of a Remediation that grants depend on. */
export interface RemediationGrant {
  type: string;
  permissions: RequiredPermission[];
}

export interface RemediationPolicyOptions {
  /** The opt-in tag (config `scope.tag`): taggable writes are allowed only on resources carrying it. */
  optInTag: { key: string; value: string } | null;
  /** Policies the operator declared (config `expectedPermissions[].policyArns`): the only ones that may be attached. */
  attachablePolicyArns: readonly string[];
}

/** The options a configuration implies: its opt-in tag and the policies it declares. */
export function remediationOptions(config: Config): RemediationPolicyOptions {
  return { optInTag: config.scope.tag, attachablePolicyArns: config.expectedPermissions.flatMap((expected) => expected.policyArns) };
}

export class RemediationPolicyError extends Error {
  override readonly name = 'RemediationPolicyError' as const;
}

/** Allow statements for every declared permission: no `*` action, resources from the declaration. */
export function remediationStatements(remediations: readonly RemediationGrant[], scope: PolicyScope, options: RemediationPolicyOptions): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const remediation of remediations) {
    remediation.permissions.forEach((permission, index) => {
      for (const action of permission.actions) {
        if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
          throw new RemediationPolicyError(`remediation "${remediation.type}" permission ${index}: action "${action}" is not one exact prefix:Action (no wildcards)`);
        }
      }
      if (permission.resources.length === 0) throw new RemediationPolicyError(`remediation "${remediation.type}" permission ${index}: no resources`);
      // Attaching is limited to what the operator declared; with nothing declared there is nothing to attach.
      const attach = permission.actions.filter((action) => action === 'iam:AttachRolePolicy');
      const others = permission.actions.filter((action) => action !== 'iam:AttachRolePolicy');
      const resources = permission.resources.map((resource) => placeArn(resource, scope));
      const tagged = (statement: PolicyStatement) => {
        if (permission.taggable && options.optInTag) {
          statement.addCondition('StringEquals', { [`aws:ResourceTag/${options.optInTag.key}`]: options.optInTag.value });
        }
        return statement;
      };
      const name = `${remediation.type}-${index}`;
      // PassRole in its own statement: only roles carrying the opt-in tag may be handed to an instance (defense in depth).
      const pass = others.filter((action) => action === 'iam:PassRole');
      const rest = others.filter((action) => action !== 'iam:PassRole');
      if (rest.length) statements.push(tagged(new PolicyStatement({ sid: sid(name), actions: rest, resources })));
      if (pass.length) statements.push(passRoleStatement(sid(`${name}-pass-tagged-roles`), resources, options.optInTag));
      if (attach.length && options.attachablePolicyArns.length) {
        // Its own statement: iam:PolicyARN exists only in the request context of attach calls.
        const statement = tagged(new PolicyStatement({ sid: sid(`${name}-declared-policies`), actions: attach, resources }));
        statement.addCondition('ArnEquals', { 'iam:PolicyARN': [...options.attachablePolicyArns] });
        statements.push(statement);
      }
    });
  }
  return statements;
}

/**
 * iam:PassRole, which associating a profile, replacing an association and adding a role to a profile all need
 * on the profile's role: with an opt-in tag, only on roles that carry it. The role resource type supports
 * `iam:ResourceTag/<key>` (Service Authorization Reference); IAM tags need IAM permissions, so the tag is
 * authority an instance's launcher cannot forge. Passing to a service other than EC2, and passing the service's
 * own roles, are denied on top (privilegeEscalationDenyStatements).
 */
function passRoleStatement(statementSid: string, resources: string[], optInTag: RemediationPolicyOptions['optInTag']): PolicyStatement {
  const statement = new PolicyStatement({ sid: statementSid, actions: ['iam:PassRole'], resources });
  if (optInTag) statement.addCondition('StringEquals', { [`iam:ResourceTag/${optInTag.key}`]: optInTag.value });
  return statement;
}

/** Read-only calls of diagnosis, verification and the sweep (IAM is global, EC2 and Auto Scaling list by region). */
export function readOnlyStatements(scope: PolicyScope): PolicyStatement[] {
  const iam = (resource: string) => `arn:${scope.partition}:iam::${scope.account}:${resource}`;
  return [
    new PolicyStatement({
      sid: 'ReadRolesAndProfiles',
      actions: [
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
        'iam:SimulatePrincipalPolicy',
        'iam:GetInstanceProfile',
      ],
      resources: [iam('role/*'), iam('instance-profile/*')],
    }),
    new PolicyStatement({
      sid: 'ReadPolicies',
      actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
      resources: [iam('policy/*'), `arn:${scope.partition}:iam::aws:policy/*`],
    }),
    new PolicyStatement({
      sid: 'DescribeComputeAndDecode',
      // These calls support no resource-level permissions: IAM accepts only "*".
      actions: [...RESOURCELESS_READS],
      resources: ['*'],
    }),
  ];
}

/** Actions that would let the remediation role (or whoever controls it) widen its own or anyone's access. */
export const PRIVILEGE_ESCALATION_ACTIONS = [
  'iam:CreateUser',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:PutUserPolicy',
  'iam:AttachUserPolicy',
  'iam:PutGroupPolicy',
  'iam:AttachGroupPolicy',
  'iam:AddUserToGroup',
  'iam:CreateRole',
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:TagInstanceProfile',
  'iam:UntagInstanceProfile',
  'iam:UpdateRole',
  'ec2:CreateTags',
  'ec2:DeleteTags',
  'organizations:*',
  'account:*',
  'kms:PutKeyPolicy',
  'kms:CreateGrant',
] as const;

/**
 * Launching instances, directly or through a group, a fleet or a spot request. With the template writes and the
 * iam:PassRole the apply role holds, any of these would let a stolen session start code under a role it may pass.
 * Auto Scaling requires ec2:RunInstances on a template to point a group at it (AWS docs, "Control Amazon EC2 launch
 * template usage in Auto Scaling groups"), so the service repairs templates through their default version and leaves
 * a group pinned to a version number for a person (handlers/core/remediations/update-auto-scaling-group.ts).
 */
export const LAUNCH_ACTIONS = [
  'ec2:RunInstances',
  'ec2:RunScheduledInstances',
  'ec2:CreateFleet',
  'ec2:RequestSpotInstances',
  'ec2:RequestSpotFleet',
  'autoscaling:CreateAutoScalingGroup',
  'autoscaling:UpdateAutoScalingGroup',
  'autoscaling:CreateLaunchConfiguration',
] as const;

/**
 * Every IAM write, as action patterns (this Deny must also cover actions IAM adds later). Denied on the
 * service's own roles and policies: whatever a bug or a stolen session of the service tries, it cannot write
 * `*:*` onto itself, drop the policy holding its Deny, change its trust or boundary, or hand its roles out.
 */
export const IAM_WRITE_ACTIONS = [
  'iam:Put*', 'iam:Delete*', 'iam:Attach*', 'iam:Detach*', 'iam:Update*', 'iam:Tag*', 'iam:Untag*',
  'iam:Create*', 'iam:Add*', 'iam:Remove*', 'iam:Set*', 'iam:PassRole',
] as const;

/** Names the service gives its fixed roles (member read/write roles, hub step roles) and would give its policies. */
export const SERVICE_NAME_PREFIX = 'iam-autoheal';

/** The service's own roles and policies, in any account: by name prefix (any path), plus the ARNs given. */
export function serviceOwnResources(partition: string, ownRoleArns: readonly string[] = []): string[] {
  return [
    ...['role', 'policy'].flatMap((type) => [`arn:${partition}:iam::*:${type}/${SERVICE_NAME_PREFIX}*`, `arn:${partition}:iam::*:${type}/*/${SERVICE_NAME_PREFIX}*`]),
    ...ownRoleArns,
  ];
}

/** Managed policies that are never attached by a remediation, whatever the configuration says. */
export const NEVER_ATTACHED_POLICIES = ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess'] as const;

export interface DenyOptions {
  /** The one role pattern a hub step may still assume (its member role). @default - none */
  assumableRoleArn?: string;
  /** ARNs of the deployment's own roles whose names the prefix does not cover (generated names). @default - none */
  ownRoleArns?: readonly string[];
}

/** The explicit Deny on every role of the service that acts on accounts: it wins over any Allow, now or added later. */
export function privilegeEscalationDenyStatements(partition: string, options: DenyOptions = {}): PolicyStatement[] {
  const { assumableRoleArn, ownRoleArns } = options;
  return [
    new PolicyStatement({ sid: 'DenyPrivilegeEscalation', effect: Effect.DENY, actions: [...PRIVILEGE_ESCALATION_ACTIONS], resources: ['*'] }),
    new PolicyStatement({ sid: 'DenyLaunchingInstances', effect: Effect.DENY, actions: [...LAUNCH_ACTIONS], resources: ['*'] }),
    new PolicyStatement({ sid: 'DenyWritingTheServiceItself', effect: Effect.DENY, actions: [...IAM_WRITE_ACTIONS], resources: serviceOwnResources(partition, ownRoleArns) }),
    new PolicyStatement({
      sid: 'DenyAssumingOtherRoles',
      effect: Effect.DENY,
      actions: ['sts:AssumeRole'],
      ...(assumableRoleArn ? { notResources: [assumableRoleArn] } : { resources: ['*'] }),
    }),
    // Roles may be passed only to EC2 (an instance profile), never to a service that would run code with them.
    new PolicyStatement({
      sid: 'DenyPassRoleExceptToEc2',
      effect: Effect.DENY,
      actions: ['iam:PassRole'],
      resources: ['*'],
      // Only when the request names a service (a missing key would make StringNotEquals deny every pass).
      conditions: { StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' }, Null: { 'iam:PassedToService': 'false' } },
    }),
    new PolicyStatement({
      sid: 'DenyAttachingAdministrativePolicies',
      effect: Effect.DENY,
      actions: ['iam:AttachRolePolicy'],
      resources: ['*'],
      conditions: { ArnLike: { 'iam:PolicyARN': NEVER_ATTACHED_POLICIES.map((name) => `arn:${partition}:iam::aws:policy/${name}`) } },
    }),
  ];
}

const READ_ACTION = /^[a-z0-9-]+:(Get|List|Describe)/;

/**
 * What an unscoped deployment (no `scope.tag`) allows, said loudly at synth: every declared write whose IAM
 * condition would be the opt-in tag applies to every matching resource of the account. Null when scoped.
 */
export function unscopedWritesWarning(remediations: readonly RemediationGrant[], config: Config): string | null {
  if (config.scope.tag) return null;
  const conditioned = remediations.flatMap((r) => r.permissions.filter((p) => p.taggable || p.actions.includes('iam:PassRole')).flatMap((p) => p.actions));
  const actions = [...new Set(conditioned.filter((action) => !READ_ACTION.test(action)))].sort();
  if (actions.length === 0) return null;
  return `scope.tag is not set: the writes ${actions.join(', ')} carry no opt-in tag condition and apply to every role, instance, launch template and Auto Scaling group of each watched account, and any role without the service's name prefix may be passed to EC2 (the guard still decides each change, and the explicit Deny still holds). Set scope.tag (docs/DEPLOY.md "Configuration") to let IAM itself refuse untagged resources.`;
}

function placeArn(pattern: string, scope: PolicyScope): string {
  return pattern.replaceAll('${Partition}', scope.partition).replaceAll('${Account}', scope.account).replaceAll('${Region}', scope.region);
}

function sid(text: string): string {
  return text.replace(/(^|-)([a-z0-9])/g, (_, __, char: string) => char.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');
}
