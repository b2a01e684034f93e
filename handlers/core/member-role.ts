/**
 * The roles a hub reaches member accounts through: one name each, shared by the CDK app, the steps and the CLI.
 * Two roles, so that code running in a read-only step can never write: diagnose, verify and the sweep assume
 * the read role; only apply (and an operator's `undo`) assume the write role.
 */

/** What a step does in a member account, and so which role it assumes there. */
export type MemberAccess = 'read' | 'write';

/** The write role keeps the name it always had (operators' `undo --member-role-name` and trust policies name it). */
export const DEFAULT_MEMBER_ROLE_NAME = 'iam-autoheal-remediation';
export const DEFAULT_MEMBER_READ_ROLE_NAME = 'iam-autoheal-read';

export const DEFAULT_MEMBER_ROLE_NAMES: Readonly<Record<MemberAccess, string>> = { read: DEFAULT_MEMBER_READ_ROLE_NAME, write: DEFAULT_MEMBER_ROLE_NAME };

/** The Lambda environment variable naming the member role of each access (set in a hub only). */
export const MEMBER_ROLE_VARIABLES: Readonly<Record<MemberAccess, string>> = { read: 'MEMBER_READ_ROLE_NAME', write: 'MEMBER_WRITE_ROLE_NAME' };

/** The member role's ARN in an account, in the partition the caller runs in (aws, aws-cn, aws-us-gov). */
export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The partition an ARN belongs to (its second field); `aws` when it names none. */
export function partitionOf(arn: string): string {
  return arn.split(':')[1] || 'aws';
}
