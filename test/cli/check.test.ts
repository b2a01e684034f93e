/**
 * `iam-autoheal check` over a mocked AWS account (aws-sdk-client-mock: nothing reaches AWS): the findings,
 * pagination, throttling, access denied naming the permission, scope, exit codes; and, as a user runs it,
 * --help and the one-line error without credentials.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, ListInstanceProfilesCommand } from '@aws-sdk/client-iam';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsError, urlEncoded } from '../adapters/aws/fake-aws.ts';
import { runCheck, type CheckResult } from '../../handlers/cli/check.ts';
import { AwsAccessError } from '../../handlers/cli/errors.ts';
import { cli, cliWithEnv, scratchDir, scratchFile } from './run-cli.ts';

const ACCOUNT = '111122223333';
const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const asg = mockClient(AutoScalingClient);
const sts = mockClient(STSClient);
const NO_WAIT = { attempts: 3, delayMs: () => 0 };

const profileArn = (name: string) => `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`;
const instance = (id: string, profile: string | null, tags: Record<string, string> = {}) => ({
  InstanceId: id, State: { Name: 'running' as const, Code: 16 },
  ...(profile ? { IamInstanceProfile: { Arn: profileArn(profile), Id: `AIPA${id}` } } : {}),
  Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
});
const trust = (service: string) => urlEncoded({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
const role = (name: string, service: string) => ({ Role: { RoleName: name, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, RoleId: `AROA${name}`, CreateDate: new Date(), AssumeRolePolicyDocument: trust(service) } });
const profile = (name: string, roles: string[]) => ({
  InstanceProfileName: name, InstanceProfileId: `AIPA${name}`, Arn: profileArn(name), Path: '/', CreateDate: new Date(),
  Roles: roles.map((r) => role(r, 'ec2.amazonaws.com').Role),
});

async function check(options: Parameters<typeof runCheck>[0] = { region: ['us-east-1'] }) {
  let stdout = '';
  const progress: string[] = [];
  const code = await runCheck(options, { stdout: (t) => (stdout += t), progress: (t) => progress.push(t), retry: NO_WAIT });
  return { code, stdout, progress };
}

beforeEach(() => {
  for (const mock of [ec2, iam, asg, sts]) mock.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operator/me`, UserId: 'AROAX:me' });
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
});

function brokenAccount(): void {
  // Two pages of instances: the report must read both.
  ec2.on(DescribeInstancesCommand)
    .resolvesOnce({ Reservations: [{ Instances: [instance('i-asg1', null, { 'aws:autoscaling:groupName': 'web-asg', 'aws:ec2launchtemplate:id': 'lt-web', 'aws:ec2launchtemplate:version': '3' })] }], NextToken: 'page2' })
    .resolvesOnce({ Reservations: [{ Instances: [instance('i-empty', 'empty'), instance('i-lambda', 'wrong-trust'), instance('i-ok', 'ok'), instance('i-hand', null)] }] });
  iam.on(ListInstanceProfilesCommand)
    .resolvesOnce({ InstanceProfiles: [profile('empty', []), profile('wrong-trust', ['lambda-role'])], IsTruncated: true, Marker: 'm2' })
    .resolvesOnce({ InstanceProfiles: [profile('ok', ['ok-role']), profile('unused', [])], IsTruncated: false });
  iam.on(GetRoleCommand, { RoleName: 'lambda-role' }).resolves(role('lambda-role', 'lambda.amazonaws.com'));
  iam.on(GetRoleCommand, { RoleName: 'ok-role' }).resolves(role('ok-role', 'ec2.amazonaws.com'));
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{
    AutoScalingGroupName: 'web-asg', LaunchTemplate: { LaunchTemplateId: 'lt-web', Version: '$Latest' }, Instances: [{ InstanceId: 'i-asg1' } as never],
    MinSize: 1, MaxSize: 2, DesiredCapacity: 1, DefaultCooldown: 300, AvailabilityZones: ['us-east-1a'], HealthCheckType: 'EC2', CreatedTime: new Date(),
  }] });
  ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateId: 'lt-web', LaunchTemplateName: 'web', VersionNumber: 3, DefaultVersion: true, LaunchTemplateData: {} }] });
  ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-web', LaunchTemplateName: 'web', Tags: [] }] });
}

describe('iam-autoheal check over a mocked account', () => {
  it('reports every kind of finding across pages and exits 1', async () => {
    brokenAccount();
    const { code, stdout } = await check({ region: ['us-east-1'], json: true });
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as CheckResult;
    const [report] = result.regions;
    expect(result).toMatchObject({ accountId: ACCOUNT, compliant: false });
    expect(report!.checked).toBe(5);
    expect(report!.groupsChecked).toBe(1);
    expect(report!.instancesWithoutProfile).toEqual([
      { instanceId: 'i-asg1', launchedBy: 'auto scaling group web-asg' },
      { instanceId: 'i-hand', launchedBy: 'by hand' },
    ]);
    expect(report!.profilesWithoutRole).toEqual([{ profile: 'empty', instanceIds: ['i-empty'] }]);
    expect(report!.rolesEc2CannotAssume).toEqual([{ role: 'lambda-role', profiles: ['wrong-trust'], instanceIds: ['i-lambda'] }]);
    expect(report!.launchSourcesWithoutProfile).toEqual([{ kind: 'auto-scaling-group', name: 'web-asg', launchTemplate: { id: 'lt-web', version: '$Latest' }, instanceIds: ['i-asg1'] }]);
    // The group's own reference is read, as its next launch will use it.
    expect(ec2.commandCalls(DescribeLaunchTemplateVersionsCommand)[0]!.args[0].input).toMatchObject({ LaunchTemplateId: 'lt-web', Versions: ['$Latest'] });
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
    expect(iam.commandCalls(ListInstanceProfilesCommand)).toHaveLength(2);
  });

  it('prints a table naming each finding', async () => {
    brokenAccount();
    const { code, stdout } = await check();
    expect(code).toBe(1);
    expect(stdout).toMatch(/account 111122223333, us-east-1: 5 instance\(s\) and 1 Auto Scaling group\(s\) checked — NON-COMPLIANT \(5 finding\(s\)\)/);
    expect(stdout).toMatch(/instance without profile\s+i-hand\s+launched by hand/);
    expect(stdout).toMatch(/profile without role\s+empty\s+used by i-empty/);
    expect(stdout).toMatch(/role EC2 cannot assume\s+lambda-role\s+profile wrong-trust/);
    expect(stdout).toMatch(/launches without profile\s+group web-asg\s+launch template lt-web version \$Latest has no instance profile/);
  });

  it('exits 0 on a compliant account, once per region of a comma list and repeated option', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance('i-ok', 'ok')] }] });
    iam.on(ListInstanceProfilesCommand).resolves({ InstanceProfiles: [profile('ok', ['ok-role'])] });
    iam.on(GetRoleCommand).resolves(role('ok-role', 'ec2.amazonaws.com'));
    const { code, stdout, progress } = await check({ region: ['us-east-1,eu-west-1', 'us-east-1', 'ap-south-1'] });
    expect(code).toBe(0);
    expect(stdout).toMatch(/us-east-1, eu-west-1, ap-south-1: 3 instance\(s\) and 0 Auto Scaling group\(s\) checked — compliant/);
    expect(progress.filter((p) => p.includes('checking'))).toEqual(['[1/3] checking 111122223333 us-east-1…', '[2/3] checking 111122223333 eu-west-1…', '[3/3] checking 111122223333 ap-south-1…']);
    expect(progress.filter((p) => p.startsWith('[2/3]'))).toEqual([
      '[2/3] checking 111122223333 eu-west-1…', '[2/3] eu-west-1: listing instances…', '[2/3] eu-west-1: 1 instance(s) listed',
      '[2/3] eu-west-1: listing Auto Scaling groups…', '[2/3] eu-west-1: 0 group(s) listed',
    ]);
  });

  it('reports groups that launch without a profile before their first instance, reading every page and each template version once', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    iam.on(ListInstanceProfilesCommand).resolves({ InstanceProfiles: [] });
    const group = (name: string, version: string) => ({
      AutoScalingGroupName: name, LaunchTemplate: { LaunchTemplateId: 'lt-new', Version: version }, Instances: [],
      MinSize: 0, MaxSize: 4, DesiredCapacity: 0, DefaultCooldown: 300, AvailabilityZones: ['us-east-1a'], HealthCheckType: 'EC2', CreatedTime: new Date(),
    });
    asg.on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [group('queue-a', '2'), group('queue-b', '2')], NextToken: 'g2' })
      .resolvesOnce({ AutoScalingGroups: [group('queue-c', '3')] });
    ec2.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: 'lt-new', Versions: ['2'] })
      .resolves({ LaunchTemplateVersions: [{ LaunchTemplateId: 'lt-new', LaunchTemplateName: 'queue', VersionNumber: 2, LaunchTemplateData: {} }] });
    ec2.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: 'lt-new', Versions: ['3'] })
      .resolves({ LaunchTemplateVersions: [{ LaunchTemplateId: 'lt-new', LaunchTemplateName: 'queue', VersionNumber: 3, LaunchTemplateData: { IamInstanceProfile: { Name: 'queue' } } }] });
    ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-new', LaunchTemplateName: 'queue', Tags: [] }] });
    const config = scratchFile('tagged.json', { scope: { tag: { key: 'iam-autoheal', value: 'on' } } });
    const { code, stdout } = await check({ region: ['us-east-1'], config });
    expect(code).toBe(1);
    expect(stdout).toMatch(/0 instance\(s\) and 3 Auto Scaling group\(s\) checked — NON-COMPLIANT \(2 finding\(s\)\)/);
    expect(stdout).toMatch(/launches without profile\s+group queue-a\s+launch template lt-new version 2 has no instance profile \(no instance yet\)/);
    expect(stdout).toMatch(/group queue-b/);
    expect(stdout).not.toMatch(/queue-c/);
    // In scope by the group's own tag, filtered by Auto Scaling; one read of version 2 for both groups.
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)[0]!.args[0].input).toMatchObject({ Filters: [{ Name: 'tag:iam-autoheal', Values: ['on'] }] });
    expect(ec2.commandCalls(DescribeLaunchTemplateVersionsCommand).map((c) => c.args[0].input.Versions)).toEqual([['2'], ['3']]);
  });

  it('names autoscaling:DescribeAutoScalingGroups when listing groups is denied', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    iam.on(ListInstanceProfilesCommand).resolves({ InstanceProfiles: [] });
    asg.on(DescribeAutoScalingGroupsCommand).rejects(awsError('AccessDenied', `User: arn:aws:sts::${ACCOUNT}:assumed-role/Operator/me is not authorized to perform: autoscaling:DescribeAutoScalingGroups`));
    await expect(check()).rejects.toThrow(/^access denied: the caller needs autoscaling:DescribeAutoScalingGroups/);
  });

  it('retries a throttled call and still reports', async () => {
    ec2.on(DescribeInstancesCommand).rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.')).resolves({ Reservations: [{ Instances: [instance('i-hand', null)] }] });
    iam.on(ListInstanceProfilesCommand).resolves({ InstanceProfiles: [] });
    const { code, stdout, progress } = await check();
    expect(code).toBe(1);
    expect(stdout).toMatch(/i-hand/);
    expect(progress).toContain('throttled on ec2:DescribeInstances: retrying');
  });

  it('gives up with a clear error when throttling persists', async () => {
    ec2.on(DescribeInstancesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    await expect(check()).rejects.toThrow(new AwsAccessError('still throttled after 3 attempts of ec2:DescribeInstances: try again later'));
  });

  it('names the permission an access denied lacks, IAM and EC2 alike', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance('i-ok', 'ok')] }] });
    iam.on(ListInstanceProfilesCommand).rejects(awsError('AccessDenied', `User: arn:aws:sts::${ACCOUNT}:assumed-role/Operator/me is not authorized to perform: iam:ListInstanceProfiles`));
    await expect(check()).rejects.toThrow(/^access denied: the caller needs iam:ListInstanceProfiles/);
    ec2.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(check()).rejects.toThrow(/^access denied: the caller needs ec2:DescribeInstances/);
  });

  it('refuses an account outside the configured scope before reading it', async () => {
    const config = scratchFile('config.json', { scope: { accounts: ['999999999999'] } });
    await expect(check({ region: ['us-east-1'], config })).rejects.toThrow(`account ${ACCOUNT} of these credentials is outside the configured scope (999999999999)`);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });
});

describe('iam-autoheal check as a user runs it', () => {
  // No credentials anywhere: an empty home, no profile, no instance metadata.
  const bare = { HOME: scratchDir('home'), AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', NODE_NO_WARNINGS: '1' };

  it('--help describes the command and its exit codes', () => {
    const r = cli('check', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit 0 compliant, 1 non-compliant, 2 error/);
    expect(r.stdout).toMatch(/--region/);
    expect(r.stdout).toMatch(/--progress +progress lines on stderr even when it is not a terminal/);
  });

  it('fails with one line and exit 2 without credentials or without a region', () => {
    const noCreds = cliWithEnv(bare, 'check', '--region', 'eu-west-1');
    expect(noCreds.code).toBe(2);
    expect(noCreds.stderr.trim()).toBe('iam-autoheal: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`');
    const noRegion = cliWithEnv(bare, 'check');
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr.trim()).toBe('iam-autoheal: no AWS region: pass --region or set AWS_REGION (or a region in your AWS profile)');
  });
});
