/**
 * The incident account's ports (IAM, EC2, Auto Scaling, STS) for the Lambdas that read or change it.
 * Only Diagnose, Apply, Verify and Sweep import this module: the EC2 client alone costs ~300 ms of import.
 */
import type { Context } from 'aws-lambda';
import { createAwsAccountPorts } from '../adapters/aws/account.ts';
import type { AccountPorts } from '../core/ports.ts';
import { MEMBER_ROLE_VARIABLES, memberRoleArn, partitionOf, type MemberAccess } from '../core/member-role.ts';
import type { StepDeps } from '../steps/types.ts';
import { EnvironmentError } from './variables.ts';

/** The account a Lambda runs in, from its own ARN (arn:aws:lambda:region:ACCOUNT:function:name). */
function ownAccountOf(context: Pick<Context, 'invokedFunctionArn'>): string {
  return context.invokedFunctionArn.split(':')[4] ?? '';
}

/** In a hub (either member role variable set), the role of `access`; a hub without it fails loudly. */
function memberRoleName(access: MemberAccess): string | undefined {
  const names = { read: process.env[MEMBER_ROLE_VARIABLES.read], write: process.env[MEMBER_ROLE_VARIABLES.write] };
  if (!names.read && !names.write) return undefined;
  const name = names[access];
  if (!name) throw new EnvironmentError(`environment variable ${MEMBER_ROLE_VARIABLES[access]} is not set: this hub step cannot reach member accounts`);
  return name;
}

/**
 * Hub/member: the incident's account is reached through its member role of `access` (read: diagnose, verify,
 * sweep; write: apply), the hub's own account directly.
 */
export function accountPorts(context: Pick<Context, 'invokedFunctionArn'>, access: MemberAccess, accountId: string, region: string): AccountPorts {
  const own = ownAccountOf(context);
  const roleName = accountId !== own ? memberRoleName(access) : undefined;
  // Member roles live in the partition the hub runs in (aws, aws-cn, aws-us-gov), read from its own ARN.
  const assumeRoleArn = roleName ? memberRoleArn(partitionOf(context.invokedFunctionArn), accountId, roleName) : undefined;
  return createAwsAccountPorts({ accountId, region, ...(assumeRoleArn ? { assumeRoleArn, sessionName: `iam-autoheal-${access}` } : {}) });
}

/** StepDeps.portsFor of one invocation of a step that needs `access`. */
export function portsFor(context: Pick<Context, 'invokedFunctionArn'>, access: MemberAccess): StepDeps['portsFor'] {
  return (accountId, region) => accountPorts(context, access, accountId, region);
}
