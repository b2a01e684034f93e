/** Context options of the CDK app (bin/app.ts) that need more than a string: checked here, one clear error each. */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { VpcPlacement } from './autoheal-function.ts';

export class ContextError extends Error {
  override readonly name = 'ContextError' as const;
}

/** A comma-separated context value as a list (blanks dropped). */
export function list(value: string | undefined): string[] {
  return value?.split(',').map((item) => item.trim()).filter(Boolean) ?? [];
}

/** `logRetentionDays`: one of the periods CloudWatch Logs accepts, or `never`. Below 365 days the Control Tower check fails synth (CT.CLOUDWATCH.PR.2). */
export function logRetentionOf(value: string | undefined): RetentionDays | undefined {
  if (value === undefined) return undefined;
  if (value === 'never') return RetentionDays.INFINITE;
  const days = Number(value);
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE);
  if (!allowed.includes(days)) throw new ContextError(`context: logRetentionDays must be one of ${allowed.join(', ')} or never, not ${value}`);
  return days as RetentionDays;
}

/** `vpcSubnetIds` and `vpcSecurityGroupIds`: both or neither, real-looking ids. */
export function vpcOf(subnetIds: string[], securityGroupIds: string[]): VpcPlacement | undefined {
  if (subnetIds.length === 0 && securityGroupIds.length === 0) return undefined;
  if (subnetIds.length === 0 || securityGroupIds.length === 0) throw new ContextError('context: set both vpcSubnetIds and vpcSecurityGroupIds, or neither');
  const bad = [...subnetIds.filter((id) => !/^subnet-[0-9a-f]{8,17}$/.test(id)), ...securityGroupIds.filter((id) => !/^sg-[0-9a-f]{8,17}$/.test(id))];
  if (bad.length) throw new ContextError(`context: not a subnet or security group id: ${bad.join(', ')}`);
  return { subnetIds, securityGroupIds };
}
