/** The Lambda wiring: configuration validated at cold start, hub/member credentials per incident account. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const created = vi.hoisted(() => [] as Array<{ accountId: string; region: string; assumeRoleArn?: string; sessionName?: string }>);
vi.mock('../../handlers/adapters/aws/account.ts', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createAwsAccountPorts: (target: { accountId: string; region: string; assumeRoleArn?: string; sessionName?: string }) => {
    created.push(target);
    return { accountId: target.accountId, region: target.region };
  },
}));

const HUB_FUNCTION = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:iam-autoheal-diagnose' };

beforeEach(() => {
  created.length = 0;
  vi.resetModules();
  vi.stubEnv('LOG_LEVEL', 'silent');
});
afterEach(() => vi.unstubAllEnvs());

describe('environment', () => {
  const hubRoles = () => {
    vi.stubEnv('MEMBER_READ_ROLE_NAME', 'iam-autoheal-read');
    vi.stubEnv('MEMBER_WRITE_ROLE_NAME', 'iam-autoheal-remediation');
  };

  it('reaches a member account through its read role to read and its write role to write, and the hub’s own account directly', async () => {
    vi.stubEnv('CONFIG', '{}');
    hubRoles();
    const { accountPorts } = await import('../../handlers/wiring/account.ts');
    accountPorts(HUB_FUNCTION, 'read', '222222222222', 'us-east-1');
    accountPorts(HUB_FUNCTION, 'write', '222222222222', 'us-east-1');
    accountPorts(HUB_FUNCTION, 'write', '111111111111', 'eu-west-1');
    expect(created).toEqual([
      { accountId: '222222222222', region: 'us-east-1', assumeRoleArn: 'arn:aws:iam::222222222222:role/iam-autoheal-read', sessionName: 'iam-autoheal-read' },
      { accountId: '222222222222', region: 'us-east-1', assumeRoleArn: 'arn:aws:iam::222222222222:role/iam-autoheal-remediation', sessionName: 'iam-autoheal-write' },
      { accountId: '111111111111', region: 'eu-west-1' },
    ]);
  });

  it('fails loudly in a hub whose step lacks the role variable it needs', async () => {
    vi.stubEnv('CONFIG', '{}');
    vi.stubEnv('MEMBER_READ_ROLE_NAME', 'iam-autoheal-read');
    const { accountPorts } = await import('../../handlers/wiring/account.ts');
    expect(() => accountPorts(HUB_FUNCTION, 'write', '222222222222', 'us-east-1')).toThrow(/MEMBER_WRITE_ROLE_NAME is not set/);
  });

  it('names the member role in the partition the hub runs in (aws-cn, aws-us-gov), aws when its ARN does not say', async () => {
    vi.stubEnv('CONFIG', '{}');
    hubRoles();
    const { accountPorts } = await import('../../handlers/wiring/account.ts');
    accountPorts({ invokedFunctionArn: 'arn:aws-cn:lambda:cn-north-1:111111111111:function:iam-autoheal-diagnose' }, 'write', '222222222222', 'cn-north-1');
    accountPorts({ invokedFunctionArn: 'arn:aws-us-gov:lambda:us-gov-west-1:111111111111:function:f' }, 'write', '333333333333', 'us-gov-west-1');
    accountPorts({ invokedFunctionArn: '' }, 'write', '444444444444', 'eu-west-1');
    expect(created.map((target) => target.assumeRoleArn)).toEqual([
      'arn:aws-cn:iam::222222222222:role/iam-autoheal-remediation',
      'arn:aws-us-gov:iam::333333333333:role/iam-autoheal-remediation',
      'arn:aws:iam::444444444444:role/iam-autoheal-remediation',
    ]);
  });

  it('uses its own credentials everywhere in a single-account deployment', async () => {
    vi.stubEnv('CONFIG', '{}');
    const { accountPorts } = await import('../../handlers/wiring/account.ts');
    accountPorts(HUB_FUNCTION, 'write', '222222222222', 'us-east-1');
    expect(created[0]!.assumeRoleArn).toBeUndefined();
  });

  it('fails at cold start on an invalid configuration, naming the field', async () => {
    vi.stubEnv('CONFIG', JSON.stringify({ modes: { 'no-instance-profile': 'sometimes' } }));
    await expect(import('../../handlers/environment.ts')).rejects.toThrow(/CONFIG: modes\.no-instance-profile/);
  });

  it('fails at cold start on a change budget above its upper bound', async () => {
    vi.stubEnv('CONFIG', JSON.stringify({ limits: { iamChangesPerAccountPerHour: 5000 } }));
    await expect(import('../../handlers/environment.ts')).rejects.toThrow(/CONFIG: limits\.iamChangesPerAccountPerHour: at most 200/);
  });

  it('fails at cold start when the Verify loop or the approval window would exceed a Step Functions limit', async () => {
    vi.stubEnv('CONFIG', JSON.stringify({ propagation: { firstWaitSeconds: 1, maxWaitSeconds: 1, budgetSeconds: 86_400 } }));
    await expect(import('../../handlers/environment.ts')).rejects.toThrow(/CONFIG: propagation\.budgetSeconds: .*more than 500 rounds .*25,000/);
    vi.resetModules();
    vi.stubEnv('CONFIG', JSON.stringify({ approvalTimeoutSeconds: 90 * 86_400 }));
    await expect(import('../../handlers/environment.ts')).rejects.toThrow(/CONFIG: approvalTimeoutSeconds: at most \d+ .*within the Step Functions limit of a year/);
  });

  it('fails at cold start when CONFIG is not JSON', async () => {
    vi.stubEnv('CONFIG', '{modes');
    await expect(import('../../handlers/environment.ts')).rejects.toMatchObject({ name: 'EnvironmentError' });
  });

  it('fails naming the port when a step uses one its Lambda entry does not wire', async () => {
    vi.stubEnv('CONFIG', '{}');
    const { stepDeps } = await import('../../handlers/environment.ts');
    const deps = stepDeps('incident-1', {});
    await expect(async () => deps.notifier.publish({} as never)).rejects.toThrow(/notifier is not wired/);
    expect(() => deps.portsFor('222222222222', 'eu-west-1')).toThrow(/portsFor is not wired/);
  });
});
