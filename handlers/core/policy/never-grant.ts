/**
 * The built-in never-grant list. A denial can be produced on purpose by whoever controls an
 * instance, so these are refused in every mode, whatever the configuration declares.
 */
import { listOf, statementsOf, type Statement } from './statements.ts';
import type { PolicyDocument } from '../ports.ts';
import { actionMatches, patternsOverlap } from './wildcard.ts';

interface NeverGrantRule {
  action: string;
  /** Only refused when a resource has a wildcard (e.g. sts:AssumeRole is fine on one named role). */
  onWildcardResourceOnly?: boolean;
  why: string;
}

const IAM_READ_ACTIONS = ['iam:Get*', 'iam:List*', 'iam:Simulate*', 'iam:Generate*'];

/**
 * How the list is chosen: a denial can be produced on purpose, so anything that would let the instance's code do
 * more than its own job is never granted, whatever is declared. Three kinds of writes qualify:
 * - **who can act**: IAM and STS, organizations and identity, key policies, instance profiles and launch templates,
 *   code and configuration of other workloads (Lambda), remote commands and shells on other instances;
 * - **expose data**: resource policies and ACLs that open a bucket, image, snapshot, repository, secret or function
 *   to other principals, public-access blocks, object access on every bucket (a wildcard resource);
 * - **erase evidence**: stopping or deleting trails, config and threat detection, deleting or shortening logs.
 * A wildcard resource for a whole service (`*`, the objects of every bucket) is refused by statementRefusal for every action.
 */
const RULES: NeverGrantRule[] = [
  // Who can act.
  { action: 'iam:*', why: 'IAM writes let a role grant itself anything' },
  { action: 'sts:AssumeRole', onWildcardResourceOnly: true, why: 'assuming any role escapes the instance role' },
  { action: 'sts:AssumeRoleWith*', onWildcardResourceOnly: true, why: 'assuming any role escapes the instance role' },
  { action: 'sts:GetFederationToken', why: 'federation tokens outlive the instance role' },
  { action: 'organizations:*', why: 'organization changes affect every account' },
  { action: 'account:*', why: 'account settings affect every workload in the account' },
  { action: 'sso:*', why: 'identity center changes grant people access' },
  { action: 'identitystore:*', why: 'identity store changes grant people access' },
  { action: 'kms:PutKeyPolicy', why: 'a key policy change hands over the key' },
  { action: 'kms:CreateGrant', why: 'a grant hands over the key' },
  { action: 'kms:ScheduleKeyDeletion', why: 'deleting a key destroys data' },
  { action: 'kms:DisableKey', why: 'disabling a key breaks everything that uses it' },
  { action: 'kms:DeleteImportedKeyMaterial', why: 'deleting key material destroys data' },
  { action: 'ec2:AssociateIamInstanceProfile', why: 'an instance could swap its own role' },
  { action: 'ec2:ReplaceIamInstanceProfileAssociation', why: 'an instance could swap its own role' },
  { action: 'ec2:ModifyInstanceAttribute', why: 'user data and profile changes run code as other roles' },
  { action: 'ec2:CreateLaunchTemplateVersion', why: 'launch templates choose the role of future instances' },
  { action: 'ec2:ModifyLaunchTemplate', why: 'the default version chooses the role of future instances' },
  { action: 'ec2-instance-connect:Send*', why: 'it opens a shell on other instances' },
  { action: 'lambda:UpdateFunctionCode', why: 'it runs its code as the function\'s role' },
  { action: 'lambda:UpdateFunctionConfiguration', why: 'it changes the function\'s role, layers and environment' },
  { action: 'ssm:SendCommand', why: 'it runs commands on other instances, as their roles' },
  { action: 'ssm:StartSession', why: 'it opens a shell on other instances' },
  { action: 'ssm:StartAutomationExecution', why: 'automation runs with its own, often broad, role' },
  // Expose data.
  { action: 's3:PutBucketPolicy', why: 'a bucket policy change opens the bucket to others' },
  { action: 's3:DeleteBucketPolicy', why: 'it removes the bucket owner\'s restrictions' },
  { action: 's3:PutBucketAcl', why: 'an ACL change opens the bucket to others' },
  { action: 's3:PutObjectAcl', why: 'an ACL change opens objects to others' },
  { action: 's3:PutAccountPublicAccessBlock', why: 'it can make buckets public' },
  { action: 's3:PutBucketPublicAccessBlock', why: 'it can make a bucket public' },
  { action: 'ec2:ModifySnapshotAttribute', why: 'it shares a disk snapshot with other accounts' },
  { action: 'ec2:ModifyImageAttribute', why: 'it shares an image with other accounts' },
  { action: 'ecr:SetRepositoryPolicy', why: 'it opens a repository to other principals' },
  { action: 'lambda:AddPermission', why: 'it opens a function to other principals' },
  { action: 'secretsmanager:PutResourcePolicy', why: 'it opens a secret to other principals' },
  // Erase evidence.
  { action: 'cloudtrail:StopLogging', why: 'it hides every later action' },
  { action: 'cloudtrail:Delete*', why: 'it erases the record of what happened' },
  { action: 'cloudtrail:UpdateTrail', why: 'it can hide every later action' },
  { action: 'cloudtrail:PutEventSelectors', why: 'it can hide every later action' },
  { action: 'logs:Delete*', why: 'it erases logs' },
  { action: 'logs:PutRetentionPolicy', why: 'a shorter retention erases logs' },
  { action: 'config:Stop*', why: 'it hides configuration drift' },
  { action: 'config:Delete*', why: 'it hides configuration drift' },
  { action: 'guardduty:Delete*', why: 'it disables threat detection' },
  { action: 'guardduty:Disable*', why: 'it disables threat detection' },
];

/** AWS managed policies that are never attached, whatever their current document says. */
const NEVER_ATTACH: RegExp[] = [
  /:iam::aws:policy\/(AdministratorAccess|PowerUserAccess)$/,
  // Every "…FullAccess" managed policy includes writes far beyond what one denial shows a need for.
  /:iam::aws:policy\/(.*\/)?[A-Za-z0-9]*FullAccess$/,
];

/** `*`, or an ARN whose resource part starts with a wildcard (`arn:aws:sqs:r:a:*`; `arn:aws:s3:::*` followed by any key: every bucket). */
function isWildcardResource(resource: string): boolean {
  if (resource === '*') return true;
  const parts = resource.split(':');
  return parts.length >= 6 && /^[*?]/.test(parts.slice(5).join(':'));
}

/** Why an action (possibly a pattern) may never be granted with these resources; null when it may. */
export function neverGrantReason(action: string, resources: string[] = []): string | null {
  if (action === '*' || /^[^:]+:\*$/.test(action)) return `"${action}" grants every action of a service`;
  // `role/*` is as open as `*` for sts:AssumeRole: any wildcard counts.
  const wildcardResource = resources.length === 0 || resources.some((r) => r.includes('*') || r.includes('?'));
  for (const rule of RULES) {
    if (!patternsOverlap(action, rule.action)) continue;
    if (rule.onWildcardResourceOnly && !wildcardResource) continue;
    if (rule.action === 'iam:*' && !action.includes('*') && !action.includes('?') && IAM_READ_ACTIONS.some((r) => actionMatches(r, action))) continue;
    return `${action} is on the never-grant list (${rule.why})`;
  }
  return null;
}

/** Why a statement may never be granted; null when every action and resource in it is acceptable. */
export function statementRefusal(statement: Statement): string | null {
  if (statement.Effect !== 'Allow') return null;
  if (statement.NotAction !== undefined) return 'a statement with NotAction grants everything not listed';
  if (statement.NotResource !== undefined) return 'a statement with NotResource grants every resource not listed';
  const resources = listOf(statement.Resource);
  if (resources.length === 0) return 'a statement without Resource cannot be checked';
  const wildcard = resources.find(isWildcardResource);
  if (wildcard) return `resource "${wildcard}" is a wildcard for a whole service`;
  const actions = listOf(statement.Action);
  if (actions.length === 0) return 'a statement without Action cannot be checked';
  for (const action of actions) {
    const reason = neverGrantReason(action, resources);
    if (reason) return reason;
  }
  return null;
}

/** Why a whole policy document may never be granted; null when every statement is acceptable. */
export function documentRefusal(document: PolicyDocument): string | null {
  for (const statement of statementsOf(document)) {
    const reason = statementRefusal(statement);
    if (reason) return reason;
  }
  return null;
}

/** Why a managed policy may never be attached by ARN alone; null otherwise. */
export function managedPolicyRefusal(policyArn: string): string | null {
  return NEVER_ATTACH.some((pattern) => pattern.test(policyArn))
    ? `${policyArn} grants broad administrative access and is never attached automatically`
    : null;
}
