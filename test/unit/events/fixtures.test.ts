import { describe, expect, it } from 'vitest';
import { classifyDelivered, extractDelivered } from '../../../handlers/core/events/index.ts';
import type { Classification, RecordKind } from '../../../handlers/core/events/index.ts';
import { fixtureFiles, readFixture } from './records.ts';

/** Fixtures whose recording account (recipientAccountId) the publisher sanitized into something that is no account id. */
const MALFORMED_RECORDING_ACCOUNT = new Set([
  'change--attach-role-policy--iam-user-2.json',
  'change--update-assume-role-policy--iam-user-2.json',
  'ignored--iam-user--secretsmanager-getsecretvalue-success.json',
  'ignored--iam-user--ssm-getparameters-success.json',
  'launch--runinstances--iam-user--no-profile.json',
]);

/** The kind a fixture's file name promises (test/fixtures/cloudtrail/SOURCES.md); a malformed recording account is never used. */
function expectedKind(file: string): RecordKind {
  if (MALFORMED_RECORDING_ACCOUNT.has(file)) return 'ignored';
  if (file.startsWith('denied--instance-role--')) return 'access-denied';
  if (file.startsWith('launch--')) return file.includes('dryrun') ? 'ignored' : 'launch';
  if (file.startsWith('change--')) return 'change';
  return 'ignored';
}

/** What matters in each real record, beyond its kind. Every fixture has an entry. */
const EXPECTED: Record<string, (c: Classification) => void> = {
  'change--attach-role-policy--iam-user-2.json': (c) => {
    expect(c.change).toMatchObject({ resourceType: 'role-policy', resource: 'cloudtrail-role', breaking: false });
    expect(c.change?.detail?.policyArn).toBe('arn:aws:iam::aws:policy/SecurityAudit');
  },
  'change--attach-role-policy--iam-user.json': (c) => {
    expect(c.change).toMatchObject({ resourceType: 'role-policy', resource: 'stratus-red-team-malicious-iam-role' });
    expect(c.change?.detail?.policyArn).toBe('arn:aws:iam::aws:policy/AdministratorAccess');
  },
  'change--update-assume-role-policy--iam-user-2.json': (c) => {
    // The new trust policy names only an account, so EC2 can no longer assume the role.
    expect(c.change).toMatchObject({ resourceType: 'role-trust', resource: 'cloudtrail-role', breaking: true });
  },
  'change--update-assume-role-policy--iam-user.json': (c) => {
    expect(c.change).toMatchObject({ resourceType: 'role-trust', resource: 'stratus-red-team-backdoor-r-role', breaking: false });
  },
  'denied--assumed-role--ec2-describeinstanceattribute--encoded.json': (c) => {
    expect(c.principal).toMatchObject({ instanceId: null, roleArn: 'arn:aws:iam::321848314756:role/stratus-red-team-get-usr-data-role' });
    expect(c.action).toBe('ec2:DescribeInstanceAttribute');
    expect(c.resource).toBe('arn:aws:ec2:apiso-westcentral-3r:751353041310:instance/*');
    expect(c.denial).toMatchObject({ explicit: false, policyType: 'identity-based', encodedMessage: true, encodedTruncated: true });
    expect(c.denial?.encoded).toMatch(/^K2-zhDkMqUq/);
  },
  'denied--assumed-role--ec2-getpassworddata--encoded.json': (c) => {
    expect(c.action).toBe('ec2:GetPasswordData');
    expect(c.denial).toMatchObject({ explicit: false, policyType: 'identity-based', encodedMessage: true, encodedTruncated: true });
  },
  'denied--assumed-role--ec2-runinstances--encoded.json': (c) => {
    // A failed RunInstances is no launch.
    expect(c.launch).toBeNull();
    expect(c.action).toBe('ec2:RunInstances');
    expect(c.denial).toMatchObject({ policyType: 'identity-based', encodedMessage: true, encodedTruncated: true });
    expect(c.denial?.encoded?.endsWith('...')).toBe(true);
  },
  'denied--assumed-role--lambda-listfunctions--explicit-deny-legacy.json': (c) => {
    expect(c.action).toBe('lambda:ListFunctions');
    expect(c.resource).toBe('*');
    expect(c.denial).toMatchObject({ explicit: true, policyType: null, encodedMessage: false });
  },
  'denied--assumed-role--organizations-leaveorganization--new-style.json': (c) => {
    expect(c.action).toBe('organizations:LeaveOrganization');
    expect(c.denial).toMatchObject({ explicit: false, policyType: 'identity-based' });
  },
  'denied--instance-role--ec2-describeinstances--legacy-message.json': (c) => {
    expect(c.principal).toMatchObject({
      roleName: 'mytest-role.ec2',
      roleArn: 'arn:aws:iam::466204357409:role/mytest-role.ec2',
      instanceId: 'i-0faac5b395d439771',
      accountId: '466204357409',
      ec2RoleDelivery: null,
    });
    expect(c.action).toBe('ec2:DescribeInstances');
    expect(c.denial).toMatchObject({ explicit: null, policyType: null, encodedMessage: false, message: 'You are not authorized to perform this operation.' });
    expect(c.reason).toMatch(/no ec2RoleDelivery/);
  },
  'denied--instance-role--eks-auth-assumeroleforpodidentity.json': (c) => {
    expect(c.principal).toMatchObject({
      roleArn: 'arn:aws:iam::753273931759:role/eks-bootstrap-template-ws-EKSNodegroupRole-E1potkq4Auqa',
      instanceId: 'i-02930ce60274d87a7',
      ec2RoleDelivery: '2.0',
    });
    expect(c.action).toBe('eks-auth:AssumeRoleForPodIdentity');
    expect(c.denial).toMatchObject({ explicit: null, policyType: null });
  },
  'ignored--anonymous--s3-getobject-success.json': (c) => {
    expect(c.principal.type).toBe('AWSAccount');
    expect(c.action).toBe('s3:GetObject');
  },
  'ignored--aws-account--kms-listkeys--vpce-denied-network-activity.json': (c) => {
    // AWS's documented network activity event: the fixed message names no action; eventSource + eventName do.
    expect(c.action).toBe('kms:ListKeys');
    expect(c.denial).toMatchObject({ explicit: null, policyType: 'vpc-endpoint', vpcEndpointId: 'vpce-EXAMPLE08c1b6b9b7', vpcEndpointAccountId: '123456789012', networkActivity: true });
    expect(c.reason).toMatch(/not an EC2 instance role: another AWS account \(777788889999\)/);
    expect(c.accountId).toBe('123456789012');
  },
  'ignored--assumed-role--s3-createbucket.eventbridge.json': (c) => {
    expect(c.region).toBe('us-east-1');
    expect(c.principal.roleName).toBe('Sandbox_Dev');
  },
  'ignored--ecs-task-role--s3-listbuckets-success.json': (c) => {
    expect(c.action).toBe('s3:ListAllMyBuckets');
    expect(c.principal.instanceId).toBeNull();
  },
  'ignored--iam-user--ec2-describesecuritygroups-success.json': (c) => {
    expect(c.principal).toMatchObject({ type: 'IAMUser', roleArn: null });
  },
  'ignored--iam-user--lambda-listfunctions--denied-new-style.json': (c) => {
    expect(c.reason).toMatch(/IAM user exposed\.user/);
    expect(c.eventTime).toBe('2024-06-02T20:16:32Z');
    expect(c.denial).toMatchObject({ explicit: false, policyType: 'identity-based' });
  },
  'ignored--iam-user--secretsmanager-getsecretvalue-success.json': (c) => {
    expect(c.action).toBe('secretsmanager:GetSecretValue');
  },
  'ignored--iam-user--ssm-getparameters-success.json': (c) => {
    expect(c.action).toBe('ssm:GetParameters');
  },
  'ignored--iam-user--sts-assumerole--denied.json': (c) => {
    expect(c.action).toBe('sts:AssumeRole');
    expect(c.resource).toBe('arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role');
    expect(c.denial).toMatchObject({ explicit: null, policyType: null });
  },
  'ignored--instance-role--ec2-describeinstances-success.json': (c) => {
    // An instance role, but the call succeeded; the sanitized id keeps its mixed case.
    expect(c.principal).toMatchObject({ instanceId: 'i-786a3A8B5C0d92eF4', ec2RoleDelivery: '1.0' });
  },
  'ignored--instance-role--eks-auth-assumeroleforpodidentity-success.json': (c) => {
    expect(c.principal.instanceId).toBe('i-07574d724fb843fda');
  },
  'ignored--instance-role--ssm-opencontrolchannel-success.json': (c) => {
    // Placeholder principalId: the instance comes from the session name in the ARN.
    expect(c.principal).toMatchObject({ instanceId: 'i-021987ab2dbf04585', roleArn: 'arn:aws:iam::000000000000:role/ec2-instance-role' });
    expect(c.action).toBe('ssmmessages:OpenControlChannel');
  },
  'ignored--instance-role--sts-getcalleridentity-success.json': (c) => {
    expect(c.action).toBe('sts:GetCallerIdentity');
  },
  'ignored--lambda-role--logs-createlogstream--denied.json': (c) => {
    expect(c.principal.roleArn).toBe('arn:aws:iam::653711331788:role/service-role/level1');
    expect(c.reason).toMatch(/not an EC2 instance/);
    expect(c.resource).toBe('arn:aws:logs:us-east-1:653711331788:log-group:/aws/lambda/level1:log-stream:2018/11/28/[$LATEST]2d75b45ba94f495598fd2fed9f3ca60e');
  },
  'ignored--root--s3-createbucket-success.eventbridge.json': (c) => {
    expect(c.principal.type).toBe('Root');
    expect(c.region).toBe('us-west-2');
  },
  'ignored--sso-role--ec2-enableserialconsoleaccess-success.json': (c) => {
    expect(c.principal.roleName).toBe('AWSReservedSSO_account-admin_599c9e90e350d2ff');
  },
  'ignored--sso-role--secretsmanager-getsecretvalue--denied-no-message.json': (c) => {
    expect(c.reason).toMatch(/IAM Identity Center/);
    expect(c.denial).toMatchObject({ explicit: null, policyType: null, message: null, encodedMessage: false });
    expect(c.eventTime).toBe('2024-10-17T21:48:45Z');
  },
  'launch--runinstances--assumed-role--no-profile.json': (c) => {
    expect(c.launch).toMatchObject({ instanceIds: ['i-0f7c711dc84bedda0'], instanceProfile: null, launchTemplate: null, viaAutoScaling: false });
    // The caller's role names an 11-digit account: the launch belongs to the account that recorded it.
    expect(c.principal.accountId).toBe('03412312600');
    expect(c.accountId).toBe('644160558196');
    expect(c.reason).toMatch(/caller of account 03412312600, diagnosed in 644160558196/);
  },
  'launch--runinstances--autoscaling-legacy-root--with-profile.json': (c) => {
    expect(c.launch).toMatchObject({ instanceIds: ['i-784cdacd', 'i-7b4cdace'], instanceProfile: 'BaseIAMRole', viaAutoScaling: true });
  },
  'launch--runinstances--autoscaling-service-linked-role.json': (c) => {
    expect(c.launch).toMatchObject({
      instanceIds: ['i-07d06021b0da55115'],
      instanceProfile: 'arn:aws:iam::111122223333:instance-profile/profile-id',
      viaAutoScaling: true,
      autoScalingGroup: 'eks-ng-0ca246e9-cac9e862-bfd9-a821-c9fd-9916df5654eb',
    });
    expect(c.eventTime).toBe('2024-12-16T18:41:07Z');
  },
  'launch--runinstances--iam-user--no-profile.json': (c) => {
    expect(c.launch).toMatchObject({ instanceIds: ['i-0f2f135de18b555e3'], instanceProfile: null, viaAutoScaling: false });
  },
  'launch--runinstances--iam-user-console--no-profile.json': (c) => {
    // invokedBy signin (the console) is no Auto Scaling.
    expect(c.launch).toMatchObject({ instanceProfile: null, viaAutoScaling: false });
  },
  'launch--runinstances--launch-template--dryrun-aws-internal.json': (c) => {
    expect(c.reason).toMatch(/dry run/);
    expect(c.denial).toBeNull();
    expect(c.launch?.launchTemplate).toMatchObject({ launchTemplateId: 'lt-064c1a4dbc97b01fc', version: '5' });
    expect(c.eventTime).toBe('2022-10-13T16:34:53Z');
  },
  'launch--runinstances--launch-template--eks-nodegroup-dryrun.json': (c) => {
    expect(c.denial).toBeNull();
    expect(c.launch).toMatchObject({ launchTemplate: { launchTemplateId: 'lt-0622a7ff26539376a', version: '4' }, viaAutoScaling: false });
  },
};

describe('every real CloudTrail fixture', () => {
  const files = fixtureFiles();

  it('has an expectation here (a new fixture needs one)', () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
    expect(files.filter((f) => !(f in EXPECTED))).toEqual([]);
  });

  it.each(files)('%s', (file) => {
    const records = extractDelivered(readFixture(file), file);
    expect(records).toHaveLength(1);
    const c = classifyDelivered(records[0]!);
    if (MALFORMED_RECORDING_ACCOUNT.has(file)) {
      expect(c.accountId).toBeNull();
      expect(c.rejection).toMatch(/is not a 12-digit account id: reported, not used/);
    } else {
      expect(c.accountId).toMatch(/^\d{12}$/);
      expect(c.rejection).toBeNull();
    }
    expect(c.kind).toBe(expectedKind(file));
    expect(c.eventId).toBeTruthy();
    expect(c.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    expect(c.reason.length).toBeGreaterThan(0);
    if (c.kind === 'access-denied') expect(c.principal.roleArn).toBeTruthy();
    EXPECTED[file]?.(c);
  });
});
