/** Who made a call: the role, the instance behind an instance-role session, and how sure we are of it. */
import type { Principal } from './model.ts';
import type { CloudTrailRecord, UserIdentity } from './records.ts';

/** EC2 instance ids: i- and 8 or 17 hex digits (sanitized samples mix the case). */
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/i;
/** Systems Manager's identity for an instance: not the instance role, though it ends in :i-… too. */
const SSM_INSTANCE_IDENTITY = 'aws:ec2-instance';
const AUTO_SCALING_SERVICE_ROLE = 'AWSServiceRoleForAutoScaling';

export function isInstanceId(value: string | null | undefined): boolean {
  return typeof value === 'string' && INSTANCE_ID.test(value);
}

function afterLast(value: string | undefined, separator: string): string | null {
  if (!value) return null;
  const at = value.lastIndexOf(separator);
  return at >= 0 ? value.slice(at + 1) : null;
}

function isSsmInstanceIdentity(identity: UserIdentity): boolean {
  const issuer = identity.sessionContext?.sessionIssuer;
  return (
    issuer?.userName === SSM_INSTANCE_IDENTITY ||
    (identity.principalId?.includes(`:${SSM_INSTANCE_IDENTITY}:`) ?? false) ||
    (identity.arn?.includes(`/${SSM_INSTANCE_IDENTITY}/`) ?? false)
  );
}

/** Session name of an assumed-role identity: from principalId ("AROA…:name"), else from the ARN. */
function sessionNameOf(identity: UserIdentity): string | null {
  const fromId = afterLast(identity.principalId, ':');
  if (fromId) return fromId;
  return identity.arn?.includes(':assumed-role/') ? afterLast(identity.arn, '/') : null;
}

/** The instance behind an EC2 instance-role session, or null when the caller is anything else. */
function instanceOf(identity: UserIdentity): string | null {
  if (identity.type !== 'AssumedRole' || isSsmInstanceIdentity(identity)) return null;
  const fromId = afterLast(identity.principalId, ':');
  if (isInstanceId(fromId)) return fromId;
  // Sanitized records replace principalIds with placeholders; the ARN keeps the session name.
  const fromArn = identity.arn?.includes(':assumed-role/') ? afterLast(identity.arn, '/') : null;
  return isInstanceId(fromArn) ? fromArn : null;
}

function roleNameFromArn(arn: string | undefined): string | null {
  if (!arn) return null;
  if (arn.includes(':role/')) return afterLast(arn, '/');
  const at = arn.indexOf(':assumed-role/');
  if (at < 0) return null;
  const rest = arn.slice(at + ':assumed-role/'.length);
  const slash = rest.indexOf('/');
  return slash >= 0 ? rest.slice(0, slash) : rest;
}

/** The principal fields of the triage contract; roleArn comes from sessionIssuer, which keeps the path. */
export function principalOf(record: CloudTrailRecord): Principal {
  const identity: UserIdentity = record.userIdentity ?? {};
  const issuer = identity.sessionContext?.sessionIssuer;
  const isRoleSession = identity.type === 'AssumedRole';
  const roleArn = isRoleSession ? (issuer?.arn ?? null) : null;
  const roleName = isRoleSession ? (issuer?.userName ?? roleNameFromArn(issuer?.arn) ?? roleNameFromArn(identity.arn)) : null;
  return {
    roleName,
    roleArn,
    instanceId: instanceOf(identity),
    accountId: issuer?.accountId ?? identity.accountId ?? record.recipientAccountId ?? null,
    type: identity.type ?? null,
    ec2RoleDelivery: identity.sessionContext?.ec2RoleDelivery ?? null,
    sessionName: isRoleSession ? sessionNameOf(identity) : (identity.userName ?? null),
  };
}

/** Why a caller is not an EC2 instance role, in words an operator reads in the triage table. */
export function notInstanceRoleReason(record: CloudTrailRecord, principal: Principal): string {
  const identity = record.userIdentity ?? {};
  switch (identity.type) {
    case undefined:
      return 'no userIdentity in the record';
    case 'IAMUser':
      return `IAM user ${identity.userName ?? afterLast(identity.arn, '/') ?? ''}`.trim();
    case 'Root':
      return identity.invokedBy ? `root via ${identity.invokedBy}` : 'root user';
    case 'AWSService':
      return `AWS service ${identity.invokedBy ?? ''}`.trim();
    case 'AWSAccount':
      return identity.principalId ? `another AWS account (${identity.accountId ?? 'unknown'})` : 'anonymous caller';
    case 'AssumedRole':
      if (isSsmInstanceIdentity(identity)) return "Systems Manager's aws:ec2-instance identity, not the instance role";
      if (principal.roleArn?.includes('/aws-reserved/sso.amazonaws.com/')) return `IAM Identity Center session of ${principal.roleName}`;
      return `role session "${principal.sessionName ?? '?'}" of ${principal.roleName ?? 'a role'} is not an EC2 instance session`;
    default:
      return `${identity.type} principal`;
  }
}

/** Auto Scaling launched it: invokedBy autoscaling, or a session of the Auto Scaling service-linked role. */
export function isAutoScalingCaller(record: CloudTrailRecord): boolean {
  const identity = record.userIdentity ?? {};
  if (identity.invokedBy === 'autoscaling.amazonaws.com') return true;
  const issuer = identity.sessionContext?.sessionIssuer;
  return issuer?.userName === AUTO_SCALING_SERVICE_ROLE || (identity.arn?.includes(`/${AUTO_SCALING_SERVICE_ROLE}/`) ?? false);
}
