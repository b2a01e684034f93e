import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { AwsCallError, ThrottlingError, TransientAwsError } from '../../../handlers/core/ports.ts';
import { buildScenario, INSTANCE_ID, READ_CONFIG } from './build-scenario.ts';

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    return err;
  }
}

describe('throttling, faults and counters of the simulated account', () => {
  it('throttles IAM writes past iamWritesPerSecond and recovers as the clock moves', async () => {
    const account = new SimulatedAccount(buildScenario({ physics: { iamWritesPerSecond: 5 } }));
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await outcome(account.ports.iam.putRolePolicy('app', `p${i}`, READ_CONFIG)));
    expect(results.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(results[5]).toBeInstanceOf(ThrottlingError);
    expect((results[5] as Error).message).toBe('Throttling: Rate exceeded');
    expect((results[5] as Error).name).toBe('Throttling');
    expect(account.counters).toMatchObject({ iamWrites: 5, throttled: 2 });

    account.clock.advance(0.2); // one token back at 5 per second
    expect(await outcome(account.ports.iam.putRolePolicy('app', 'p5', READ_CONFIG))).toBe('ok');
    expect(await outcome(account.ports.iam.putRolePolicy('app', 'p6', READ_CONFIG))).toBeInstanceOf(ThrottlingError);
    account.clock.advance(1);
    expect(await outcome(account.ports.iam.putRolePolicy('app', 'p6', READ_CONFIG))).toBe('ok');
    // Reads have their own bucket: writes being throttled does not stop them.
    expect(await outcome(account.ports.iam.getRole('app'))).toBe('ok');
    expect(account.calls.filter((c) => c.outcome === 'throttled').map((c) => c.api)).toEqual(['PutRolePolicy', 'PutRolePolicy', 'PutRolePolicy']);
  });

  it('injects a fault `times` times, with the class a real adapter would raise, then stops', async () => {
    const account = new SimulatedAccount(
      buildScenario({
        physics: {
          faults: [
            { api: 'AssociateIamInstanceProfile', error: 'IncorrectState', times: 2 },
            { api: 'GetRole', error: 'AccessDenied', times: 1, message: 'not allowed' },
            { api: 'SimulatePrincipalPolicy', error: 'Throttling', times: 1 },
          ],
        },
      }),
    );
    const first = await outcome(account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' }));
    expect(first).toBeInstanceOf(TransientAwsError);
    expect(first).toMatchObject({ code: 'IncorrectState' });
    expect(await outcome(account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' }))).toBeInstanceOf(TransientAwsError);
    expect(await outcome(account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' }))).toBe('ok');
    expect(await outcome(account.ports.iam.getRole('app'))).toMatchObject({ name: 'AwsCallError', code: 'AccessDenied', message: 'AccessDenied: not allowed' });
    expect(await outcome(account.ports.iam.getRole('app'))).toBe('ok');
    const throttled = await outcome(account.ports.iam.simulatePrincipalPolicy({ roleArn: 'arn:aws:iam::111122223333:role/app', actions: ['s3:GetObject'] }));
    expect(throttled).toBeInstanceOf(ThrottlingError);
    expect(account.counters).toEqual({ reads: 1, iamWrites: 0, ec2Writes: 1, throttled: 1, faultsInjected: 4 });
    expect(account.calls.map((c) => c.outcome)).toEqual(['fault:IncorrectState', 'fault:IncorrectState', 'ok', 'fault:AccessDenied', 'ok', 'fault:Throttling']);
    expect(new AwsCallError('x', 'y').name).toBe('AwsCallError');
  });

  it('counts every successful call by kind: reads (inline policies one per document), IAM writes, EC2 writes', async () => {
    const account = new SimulatedAccount(buildScenario());
    await account.ports.iam.getRole('app');
    await account.ports.iam.listInlinePolicies('app'); // ListRolePolicies + GetRolePolicy
    await account.ports.iam.getInstanceProfile('app');
    await account.ports.ec2.describeInstance(INSTANCE_ID);
    await account.ports.sts.decodeAuthorizationMessage('truncated...');
    await account.ports.iam.attachRolePolicy('app', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    await account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' });
    await outcome(account.ports.iam.detachRolePolicy('app', 'arn:aws:iam::aws:policy/ReadOnlyAccess'));
    expect(account.counters).toEqual({ reads: 6, iamWrites: 1, ec2Writes: 1, throttled: 0, faultsInjected: 0 });
    expect(account.calls.at(-1)).toMatchObject({ api: 'DetachRolePolicy', outcome: 'error:NoSuchEntity' });
  });

  it('decodes the encoded messages the scenario declares, and not a truncated one', async () => {
    const decoded = { allowed: false, context: { action: 'ec2:RunInstances' } };
    const account = new SimulatedAccount(buildScenario({ account: { encodedAuthorizationMessages: { 'AbC123': decoded } } }));
    expect(await account.ports.sts.decodeAuthorizationMessage('AbC123')).toEqual(decoded);
    expect(await account.ports.sts.decodeAuthorizationMessage('AbC1...')).toBeNull();
  });

  it('keeps what the notifier published, with the virtual time', async () => {
    const account = new SimulatedAccount(buildScenario());
    account.clock.advance(30);
    const { messageId } = await account.notifier.publish({ subject: 'fixed', body: 'associated app' });
    expect(account.notifier.messages).toEqual([{ messageId, subject: 'fixed', body: 'associated app', at: '2026-10-02T08:00:30.000Z' }]);
  });
});
