import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { ThrottlingError } from '../../../handlers/core/ports.ts';
import { buildScenario, INSTANCE_ID } from './build-scenario.ts';

const OPT_IN = { 'iam-autoheal': 'on' };
const fleet = (physics = {}) =>
  new SimulatedAccount(buildScenario({
    physics,
    account: {
      instances: [
        { id: INSTANCE_ID, state: 'running', instanceProfile: 'app', tags: OPT_IN },
        { id: 'i-05709bed', state: 'stopped', instanceProfile: null, tags: OPT_IN },
        { id: 'i-0d0e', state: 'terminated', instanceProfile: null, tags: OPT_IN },
        { id: 'i-0a7e4', state: 'running', instanceProfile: null, tags: { team: 'data' } },
      ],
    },
  }));

describe('the inventory of the simulated account', () => {
  it('lists instances in the given states with the scope tag, as DescribeInstances with filters would', async () => {
    const account = fleet();
    const listed = await account.ports.ec2.listInstances({ states: ['running', 'stopped'], tag: { key: 'iam-autoheal', value: 'on' } });
    expect(listed.map((i) => [i.id, i.state, i.instanceProfileArn])).toEqual([
      [INSTANCE_ID, 'running', 'arn:aws:iam::111122223333:instance-profile/app'],
      ['i-05709bed', 'stopped', null],
    ]);
    expect(await account.ports.ec2.describeInstance(INSTANCE_ID)).toEqual(listed[0]);
    const untagged = await account.ports.ec2.listInstances({ states: ['running'], tag: null });
    expect(untagged.map((i) => i.id)).toEqual([INSTANCE_ID, 'i-0a7e4']);
    expect(account.calls.map((c) => c.api)).toEqual(['DescribeInstances', 'DescribeInstances', 'DescribeInstances']);
    expect(account.counters.reads).toBe(3);
  });

  it('throttles listing like the other EC2 reads', async () => {
    const account = fleet({ apiRates: { 'ec2-read': 1 } });
    await account.ports.ec2.listInstances({ states: ['running'] });
    await expect(account.ports.ec2.listInstances({ states: ['running'] })).rejects.toBeInstanceOf(ThrottlingError);
    await expect(account.ports.ec2.describeInstance(INSTANCE_ID)).rejects.toBeInstanceOf(ThrottlingError);
    account.clock.advance(1);
    expect(await account.ports.ec2.listInstances({ states: ['running'] })).toHaveLength(2);
  });

  it('lists every instance profile with the role it holds now, as one IAM read', async () => {
    const account = fleet();
    await account.ports.iam.removeRoleFromInstanceProfile('app', 'app');
    expect(await account.ports.iam.listInstanceProfiles()).toEqual([
      { name: 'app', path: '/', arn: 'arn:aws:iam::111122223333:instance-profile/app', roles: [] },
      { name: 'empty', path: '/', arn: 'arn:aws:iam::111122223333:instance-profile/empty', roles: [] },
    ]);
    expect(account.calls.at(-1)).toMatchObject({ api: 'ListInstanceProfiles', outcome: 'ok' });
  });
});
