/**
 * AccountPorts for one account and region: the hub's own credentials, or a member's remediation role.
 * IAM and EC2, which every step that reads an account calls, load with this module; Auto Scaling, STS and
 * CloudTrail, which only some invocations call (an instance in a group, an encoded message, the event history)
 * and the sweep never, load on their first call (lazy-port.ts): each is a chunk of its own in a Lambda bundle.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import type { AccountPorts, AutoScalingPort, CloudTrailPort, StsPort } from '../../core/ports.ts';
import { assumedRoleIdentity } from './assume-role.ts';
import { awsClient } from './clients.ts';
import { systemClock } from './clock.ts';
import { AwsEc2Port } from './ec2.ts';
import { AwsIamPort } from './iam.ts';
import { lazyPort } from './lazy-port.ts';

export interface AwsAccountTarget {
  accountId: string;
  region: string;
  /** Member account's remediation role; without it the default credential chain is used. */
  assumeRoleArn?: string;
  externalId?: string;
  /** Session name of the assumed role, as the member's CloudTrail shows it. @default SESSION_NAME */
  sessionName?: string;
}

export { systemClock };

export function createAwsAccountPorts(target: AwsAccountTarget): AccountPorts {
  const { accountId, region, assumeRoleArn, externalId, sessionName } = target;
  const identity = assumeRoleArn ? assumedRoleIdentity(assumeRoleArn, region, externalId, sessionName) : undefined;
  return {
    accountId,
    region,
    iam: new AwsIamPort(awsClient(IAMClient, region, identity)),
    ec2: new AwsEc2Port(awsClient(EC2Client, region, identity)),
    autoScaling: lazyPort<AutoScalingPort>({ describeGroup: true, listGroups: true, setGroupLaunchTemplate: true },
      async () => (await import('./auto-scaling.ts')).autoScalingPortOf(region, identity)),
    sts: lazyPort<StsPort>({ decodeAuthorizationMessage: true, callerIdentity: true }, async () => (await import('./sts.ts')).stsPortOf(region, identity)),
    cloudTrail: lazyPort<CloudTrailPort>({ lookupEvents: true }, async () => (await import('./cloudtrail.ts')).cloudTrailPortOf(region, identity)),
    clock: systemClock,
  };
}
