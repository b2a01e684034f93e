/**
 * The operator's own AWS access for the commands that read a real account (`check`): the default credential
 * chain and region checked before any call, and each port call retried on throttling and named by the IAM
 * permission it needs when it is denied.
 */
import type { AccountPorts } from '../core/ports.ts';
import { AwsCallError, ThrottlingError } from '../core/ports.ts';
import { AwsAccessError } from './errors.ts';

/** The permission each port method the operator commands call needs (docs: README "Run it by hand"). */
export const OPERATOR_PERMISSIONS: Record<string, Record<string, string>> = {
  ec2: {
    listInstances: 'ec2:DescribeInstances', describeInstance: 'ec2:DescribeInstances', describeInstances: 'ec2:DescribeInstances',
    describeLaunchTemplateVersion: 'ec2:DescribeLaunchTemplateVersions and ec2:DescribeLaunchTemplates', describeLaunchTemplateByName: 'ec2:DescribeLaunchTemplates',
    describeProfileAssociations: 'ec2:DescribeIamInstanceProfileAssociations', describeProfileAssociationsOfInstances: 'ec2:DescribeIamInstanceProfileAssociations',
    associateProfile: 'ec2:AssociateIamInstanceProfile and iam:PassRole', replaceProfileAssociation: 'ec2:ReplaceIamInstanceProfileAssociation and iam:PassRole',
    disassociateProfile: 'ec2:DisassociateIamInstanceProfile', createLaunchTemplateVersion: 'ec2:CreateLaunchTemplateVersion',
    setDefaultLaunchTemplateVersion: 'ec2:ModifyLaunchTemplate', deleteLaunchTemplateVersion: 'ec2:DeleteLaunchTemplateVersions',
  },
  iam: {
    listInstanceProfiles: 'iam:ListInstanceProfiles', getRole: 'iam:GetRole', listInlinePolicies: 'iam:ListRolePolicies and iam:GetRolePolicy',
    listAttachedPolicies: 'iam:ListAttachedRolePolicies', getManagedPolicyDocument: 'iam:GetPolicy and iam:GetPolicyVersion',
    getInstanceProfile: 'iam:GetInstanceProfile', listInstanceProfilesForRole: 'iam:ListInstanceProfilesForRole', simulatePrincipalPolicy: 'iam:SimulatePrincipalPolicy',
    updateAssumeRolePolicy: 'iam:UpdateAssumeRolePolicy', attachRolePolicy: 'iam:AttachRolePolicy', detachRolePolicy: 'iam:DetachRolePolicy',
    putRolePolicy: 'iam:PutRolePolicy', deleteRolePolicy: 'iam:DeleteRolePolicy', addRoleToInstanceProfile: 'iam:AddRoleToInstanceProfile',
    removeRoleFromInstanceProfile: 'iam:RemoveRoleFromInstanceProfile',
  },
  autoScaling: { describeGroup: 'autoscaling:DescribeAutoScalingGroups', listGroups: 'autoscaling:DescribeAutoScalingGroups', setGroupLaunchTemplate: 'autoscaling:UpdateAutoScalingGroup' },
  sts: { callerIdentity: 'sts:GetCallerIdentity', decodeAuthorizationMessage: 'sts:DecodeAuthorizationMessage' },
  cloudTrail: { lookupEvents: 'cloudtrail:LookupEvents' },
};

/** The IAM permission a port call needs, as errors name it. */
export function permissionOf(service: string, method: string): string {
  return OPERATOR_PERMISSIONS[service]?.[method] ?? `${service}.${method}`;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthFailure', 'InvalidClientTokenId', 'ExpiredToken', 'SignatureDoesNotMatch']);

export interface RetryPolicy {
  attempts: number;
  /** Delay before attempt n (1-based, after a throttle). */
  delayMs(attempt: number): number;
}
export const THROTTLE_RETRY: RetryPolicy = { attempts: 6, delayMs: (n) => Math.min(200 * 2 ** n, 5_000) };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One line for an error of the operator's access: missing credentials or region, access denied naming the permission. */
export function accessErrorOf(err: unknown, permission: string): Error {
  if (err instanceof AwsAccessError) return err;
  const e = err as { name?: string; message?: string; code?: string };
  if (e?.name === 'CredentialsProviderError') {
    return new AwsAccessError('no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`');
  }
  if (/region is missing/i.test(e?.message ?? '')) return new AwsAccessError('no AWS region: pass --region or set AWS_REGION (or a region in your AWS profile)');
  if (err instanceof AwsCallError && ACCESS_DENIED.has(err.code)) {
    if (['InvalidClientTokenId', 'ExpiredToken', 'SignatureDoesNotMatch', 'AuthFailure'].includes(err.code)) {
      return new AwsAccessError(`AWS refused the credentials (${err.code}) on ${permission}: refresh them (e.g. \`aws sso login\`)`);
    }
    // IAM, STS and Auto Scaling name the action ("is not authorized to perform: iam:GetRole"); EC2 does not.
    const named = /perform: ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(err.message)?.[1] ?? permission;
    return new AwsAccessError(`access denied: the caller needs ${named} (${err.message.split('\n')[0]})`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

async function guarded<T>(call: () => Promise<T>, permission: string, retry: RetryPolicy, onThrottle?: (permission: string) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ThrottlingError && attempt < retry.attempts) {
        onThrottle?.(permission);
        await sleep(retry.delayMs(attempt));
        continue;
      }
      if (err instanceof ThrottlingError) throw new AwsAccessError(`still throttled after ${retry.attempts} attempts of ${permission}: try again later`);
      throw accessErrorOf(err, permission);
    }
  }
}

/** `ports` whose ec2, iam, autoScaling and sts calls retry on throttling and name the permission they were denied. */
export function guardedPorts(ports: AccountPorts, retry: RetryPolicy = THROTTLE_RETRY, onThrottle?: (permission: string) => void): AccountPorts {
  const wrap = <P extends object>(port: P, name: string): P => new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      const permission = permissionOf(name, key);
      return (...args: unknown[]) => guarded(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args), permission, retry, onThrottle);
    },
  });
  return { ...ports, ec2: wrap(ports.ec2, 'ec2'), iam: wrap(ports.iam, 'iam'), autoScaling: wrap(ports.autoScaling, 'autoScaling'), sts: wrap(ports.sts, 'sts') };
}
