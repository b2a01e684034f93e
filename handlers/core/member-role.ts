/** The remediation role a hub reaches member accounts through: one name, shared by the CDK app, the steps and the CLI. */

export const DEFAULT_MEMBER_ROLE_NAME = 'iam-autoheal-remediation';

/** The member role's ARN in an account, in the partition the caller runs in (aws, aws-cn, aws-us-gov). */
export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The partition an ARN belongs to (its second field); `aws` when it names none. */
export function partitionOf(arn: string): string {
  return arn.split(':')[1] || 'aws';
}
