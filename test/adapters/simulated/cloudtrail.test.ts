/** The simulated account's CloudTrail event history: what LookupEvents answers after writes, by whom, when, where. */
import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { classify } from '../../../handlers/core/events/index.ts';
import type { CloudTrailRecord } from '../../../handlers/core/events/records.ts';
import { AwsCallError, ThrottlingError, type EventLookup } from '../../../handlers/core/ports.ts';
import { buildScenario, INSTANCE_ID, rejection } from './build-scenario.ts';

const lookup = (account: SimulatedAccount, value: string, extra: Partial<EventLookup> = {}) =>
  account.ports.cloudTrail!.lookupEvents({ attribute: { key: 'ResourceName', value }, startTime: new Date(account.clock.nowMs() - 86_400_000), endTime: account.clock.now(), maxPages: 3, global: true, ...extra });

describe('the simulated CloudTrail event history', () => {
  it('records each write as CloudTrail does, visible after eventHistorySeconds, IAM in us-east-1 and EC2 in the account region', async () => {
    const account = new SimulatedAccount(buildScenario({ physics: { eventHistorySeconds: 300, apiRates: { cloudtrail: 10 } } }));
    await account.ports.iam.addRoleToInstanceProfile('empty', 'app');
    await account.asUser('alice', (ports) => ports.iam.removeRoleFromInstanceProfile('empty', 'app'));
    await account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' });

    expect((await lookup(account, 'empty')).events, 'not in the history before it is delivered').toEqual([]);
    account.clock.advance(300);
    const iam = await lookup(account, 'empty');
    expect(iam.events.map((e) => [e.eventName, e.username])).toEqual([['RemoveRoleFromInstanceProfile', 'alice'], ['AddRoleToInstanceProfile', 'iam-autoheal']]);
    // The record is what the project's own classifier reads from a delivered event: same change, same resource.
    const removal = classify(iam.events[0]!.record as unknown as CloudTrailRecord);
    expect(removal).toMatchObject({ kind: 'change', change: { resourceType: 'instance-profile', resource: 'empty', breaking: true, detail: { roleName: 'app' } }, principal: { type: 'IAMUser' } });
    expect(iam.events[0]!.record).toMatchObject({ awsRegion: 'us-east-1', recipientAccountId: '111122223333', userIdentity: { arn: 'arn:aws:iam::111122223333:user/alice' } });

    expect((await lookup(account, INSTANCE_ID)).events, 'EC2 events are not in the global region').toEqual([]);
    const ec2 = await lookup(account, INSTANCE_ID, { global: false });
    expect(ec2.events.map((e) => e.eventName)).toEqual(['AssociateIamInstanceProfile']);
    expect(classify(ec2.events[0]!.record as unknown as CloudTrailRecord).change).toMatchObject({ resourceType: 'profile-association', resource: INSTANCE_ID, detail: { instanceProfile: 'app' } });
  });

  it('pages 50 events at a time through NextToken, newest first, and stops at maxPages', async () => {
    const account = new SimulatedAccount(buildScenario({ physics: { eventHistorySeconds: 0, iamWritesPerSecond: 1000, apiRates: { cloudtrail: 100 } } }));
    for (let i = 0; i < 60; i++) {
      await account.ports.iam.putRolePolicy('app', `p${i}`, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] });
      account.clock.advance(1);
    }
    const all = await lookup(account, 'app');
    expect(all).toMatchObject({ pages: 2, truncated: false });
    expect(all.events).toHaveLength(60);
    expect(all.events[0]!.record).toMatchObject({ requestParameters: { policyName: 'p59' } });
    const one = await lookup(account, 'app', { maxPages: 1 });
    expect(one).toMatchObject({ pages: 1, truncated: true });
    expect(one.events).toHaveLength(50);
  });

  it('answers Throttling past 2 lookups per second, and an injected fault like any other call', async () => {
    const account = new SimulatedAccount(buildScenario({ physics: { faults: [{ api: 'LookupEvents', error: 'AccessDeniedException', times: 1, message: 'User is not authorized to perform: cloudtrail:LookupEvents' }] } }));
    const denied = await rejection(lookup(account, 'app'));
    expect(denied).toBeInstanceOf(AwsCallError);
    expect(denied.message).toMatch(/cloudtrail:LookupEvents/);
    // The refused request counted: one more this second, then Throttling.
    await lookup(account, 'app');
    expect(await rejection(lookup(account, 'app'))).toBeInstanceOf(ThrottlingError);
    account.clock.advance(1);
    await expect(lookup(account, 'app')).resolves.toMatchObject({ pages: 1 });
  });
});
