/** Constructed CloudTrail records for the shapes no real fixture shows. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CloudTrailRecord, UserIdentity } from '../../../handlers/core/events/index.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/cloudtrail/', import.meta.url));

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();
}

export function readFixture(file: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURE_DIR}${file}`, 'utf8'));
}

export const ACCOUNT = '111122223333';

/** An EC2 instance-role session (credentials delivered by EC2 unless told otherwise). */
export function instanceRole(instanceId = 'i-0abc1234def567890', roleName = 'app', path = '/svc/', delivery: string | null = '2.0'): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLEID0001:${instanceId}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${instanceId}`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLE',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLEID0001', arn: `arn:aws:iam::${ACCOUNT}:role${path}${roleName}`, accountId: ACCOUNT, userName: roleName },
      attributes: { creationDate: '2026-10-02T07:00:00Z', mfaAuthenticated: 'false' },
      ...(delivery ? { ec2RoleDelivery: delivery } : {}),
    },
  };
}

/** A role session with any session name (Lambda function, SSO user, ECS task id, SDK session, …). */
export function roleSession(roleName: string, sessionName: string, path = '/'): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEOTHER0001:${sessionName}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${sessionName}`,
    accountId: ACCOUNT,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEOTHER0001', arn: `arn:aws:iam::${ACCOUNT}:role${path}${roleName}`, accountId: ACCOUNT, userName: roleName },
    },
  };
}

export const IAM_USER: UserIdentity = {
  type: 'IAMUser', principalId: 'AIDAEXAMPLEUSER00001', arn: `arn:aws:iam::${ACCOUNT}:user/jo`, accountId: ACCOUNT, userName: 'jo',
};
export const ROOT: UserIdentity = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };
export const AWS_SERVICE: UserIdentity = { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' };
/** Systems Manager's identity for a managed instance: ends in :i-… and carries ec2RoleDelivery, yet is not the instance role. */
export const SSM_INSTANCE: UserIdentity = {
  type: 'AssumedRole',
  principalId: `${ACCOUNT}:aws:ec2-instance:i-0abc1234def567890`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/aws:ec2-instance/i-0abc1234def567890`,
  accountId: ACCOUNT,
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: `${ACCOUNT}:aws:ec2-instance`, arn: `arn:aws:iam::${ACCOUNT}:role/aws:ec2-instance`, accountId: ACCOUNT, userName: 'aws:ec2-instance' },
    ec2RoleDelivery: '2.0',
  },
};

let counter = 0;

export function record(fields: Partial<CloudTrailRecord> & { userIdentity?: UserIdentity }): CloudTrailRecord {
  counter += 1;
  return {
    eventVersion: '1.10',
    eventID: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    eventTime: '2026-10-02T08:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'eu-west-1',
    recipientAccountId: ACCOUNT,
    userIdentity: instanceRole(),
    requestParameters: null,
    responseElements: null,
    ...fields,
  };
}

/** A denial of s3:GetObject (or what `fields` says) by an instance-role session. */
export function denial(fields: Partial<CloudTrailRecord> = {}): CloudTrailRecord {
  return record({
    errorCode: 'AccessDenied',
    errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0abc1234def567890 is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" because no identity-based policy allows the s3:GetObject action`,
    ...fields,
  });
}
