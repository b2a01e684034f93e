/** AccountPorts for one account and region: the hub's own credentials, or a member's remediation role. */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { globalEventsRegion, type AccountPorts } from '../../core/ports.ts';
import { assumedRoleIdentity } from './assume-role.ts';
import { AwsAutoScalingPort } from './auto-scaling.ts';
import { AwsCloudTrailPort } from './cloudtrail.ts';
import { awsClient } from './clients.ts';
import { systemClock } from './clock.ts';
import { AwsEc2Port } from './ec2.ts';
import { AwsIamPort } from './iam.ts';
import { AwsStsPort } from './sts.ts';

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
    autoScaling: new AwsAutoScalingPort(awsClient(AutoScalingClient, region, identity)),
    sts: new AwsStsPort(awsClient(STSClient, region, identity)),
    cloudTrail: new AwsCloudTrailPort(awsClient(CloudTrailClient, region, identity), awsClient(CloudTrailClient, globalEventsRegion(region), identity)),
    clock: systemClock,
  };
}
