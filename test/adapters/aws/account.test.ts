import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeAutoScalingGroupsCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createAwsAccountPorts } from '../../../handlers/adapters/aws/account.ts';
import { fakeCredentials } from './fake-aws.ts';

const stsMock = mockClient(STSClient);
const iamMock = mockClient(IAMClient);
const ec2Mock = mockClient(EC2Client);
const autoScalingMock = mockClient(AutoScalingClient);

type Resolvable = { config: { credentials: () => Promise<{ accessKeyId: string; sessionToken?: string }>; region: () => Promise<string> } };
/** Credentials and region the client that made the n-th call would sign with. */
async function signingOf(mock: { send: { getCall(n: number): { thisValue: unknown } } }, n = 0) {
  const client = mock.send.getCall(n).thisValue as Resolvable;
  const { accessKeyId, sessionToken } = await client.config.credentials();
  return { accessKeyId, sessionToken, region: await client.config.region() };
}

const memberCredentials = (id: string, expiresInMs: number) => ({
  Credentials: { AccessKeyId: id, SecretAccessKey: 'member-secret', SessionToken: `token-${id}`, Expiration: new Date(Date.now() + expiresInMs) },
});

beforeEach(() => {
  stsMock.reset();
  iamMock.reset();
  ec2Mock.reset();
  autoScalingMock.reset();
  iamMock.on(GetRoleCommand).resolves({});
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
});

describe('createAwsAccountPorts', () => {
  it("signs a member account's calls with its assumed remediation role", async () => {
    stsMock.on(AssumeRoleCommand).resolves(memberCredentials('ASIAMEMBER1', 3600_000));
    const roleArn = 'arn:aws:iam::444455556666:role/iam-autoheal-remediation';
    const ports = createAwsAccountPorts({ accountId: '444455556666', region: 'eu-west-1', assumeRoleArn: roleArn, externalId: 'ext-1' });
    await ports.iam.getRole('app');
    await ports.ec2.describeInstance('i-0abc');
    expect(await signingOf(iamMock)).toEqual({ accessKeyId: 'ASIAMEMBER1', sessionToken: 'token-ASIAMEMBER1', region: 'eu-west-1' });
    expect(await signingOf(ec2Mock)).toEqual({ accessKeyId: 'ASIAMEMBER1', sessionToken: 'token-ASIAMEMBER1', region: 'eu-west-1' });
    expect(stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: roleArn, RoleSessionName: 'iam-autoheal', ExternalId: 'ext-1' },
    ]);
    expect(ports).toMatchObject({ accountId: '444455556666', region: 'eu-west-1' });
  });

  it('reuses clients and credentials for the same target, and assumes again near expiry', async () => {
    stsMock.on(AssumeRoleCommand)
      .resolvesOnce(memberCredentials('ASIASHORT', 60_000))
      .resolves(memberCredentials('ASIAFRESH', 3600_000));
    const target = { accountId: '777788889999', region: 'us-east-1', assumeRoleArn: 'arn:aws:iam::777788889999:role/remediation' };
    const first = createAwsAccountPorts(target);
    const again = createAwsAccountPorts(target);
    await first.iam.getRole('app');
    await again.iam.getRole('app');
    expect(iamMock.send.getCall(0).thisValue).toBe(iamMock.send.getCall(1).thisValue);
    // Credentials expiring within minutes are never signed with: the role is assumed again, once.
    for (let use = 0; use < 3; use++) expect((await signingOf(iamMock, use % 2)).accessKeyId).toBe('ASIAFRESH');
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it("uses the default credential chain for the hub's own account", async () => {
    const ports = createAwsAccountPorts({ accountId: '111122223333', region: 'us-east-1' });
    await ports.iam.getRole('app');
    expect(await signingOf(iamMock)).toEqual({ accessKeyId: fakeCredentials.accessKeyId, sessionToken: undefined, region: 'us-east-1' });
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('loads the Auto Scaling and STS adapters on their first call, signed with the same member credentials', async () => {
    stsMock.on(AssumeRoleCommand).resolves(memberCredentials('ASIALAZY', 3600_000));
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '121212121212', Arn: 'arn:aws:sts::121212121212:assumed-role/remediation/iam-autoheal' });
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const ports = createAwsAccountPorts({ accountId: '121212121212', region: 'ap-southeast-2', assumeRoleArn: 'arn:aws:iam::121212121212:role/remediation' });
    expect(await ports.sts.callerIdentity()).toEqual({ accountId: '121212121212', arn: 'arn:aws:sts::121212121212:assumed-role/remediation/iam-autoheal' });
    expect(await ports.autoScaling.describeGroup('web')).toBeNull();
    expect(await signingOf(autoScalingMock)).toEqual({ accessKeyId: 'ASIALAZY', sessionToken: 'token-ASIALAZY', region: 'ap-southeast-2' });
    const identityCall = stsMock.send.getCalls().findIndex((call) => call.args[0] instanceof GetCallerIdentityCommand);
    expect(await signingOf(stsMock, identityCall)).toEqual({ accessKeyId: 'ASIALAZY', sessionToken: 'token-ASIALAZY', region: 'ap-southeast-2' });
  });
});
