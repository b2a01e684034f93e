/**
 * The incident account's ports (IAM, EC2, Auto Scaling, STS) for the Lambdas that read or change it.
 * Only Diagnose, Apply, Verify and Sweep import this module: the EC2 client alone costs ~300 ms of import.
 */
import type { Context } from 'aws-lambda';
import { createAwsAccountPorts } from '../adapters/aws/account.ts';
import type { AccountPorts } from '../core/ports.ts';
import { memberRoleArn, partitionOf } from '../core/member-role.ts';
import type { StepDeps } from '../steps/types.ts';

/** The account a Lambda runs in, from its own ARN (arn:aws:lambda:region:ACCOUNT:function:name). */
function ownAccountOf(context: Pick<Context, 'invokedFunctionArn'>): string {
  return context.invokedFunctionArn.split(':')[4] ?? '';
}

/** Hub/member: the incident's account is reached through its remediation role, the hub's own directly. */
export function accountPorts(context: Pick<Context, 'invokedFunctionArn'>, accountId: string, region: string): AccountPorts {
  const memberRole = process.env['MEMBER_ROLE_NAME'];
  const own = ownAccountOf(context);
  // Member roles live in the partition the hub runs in (aws, aws-cn, aws-us-gov), read from its own ARN.
  const assumeRoleArn = memberRole && accountId !== own ? memberRoleArn(partitionOf(context.invokedFunctionArn), accountId, memberRole) : undefined;
  return createAwsAccountPorts({ accountId, region, ...(assumeRoleArn ? { assumeRoleArn } : {}) });
}

/** StepDeps.portsFor of one invocation. */
export function portsFor(context: Pick<Context, 'invokedFunctionArn'>): StepDeps['portsFor'] {
  return (accountId, region) => accountPorts(context, accountId, region);
}
