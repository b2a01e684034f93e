import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, extractRecords, incidentKey } from '../../../handlers/core/events/index.ts';
import { coalesceIncidents, executionNameOf, EXECUTION_WINDOW_SECONDS } from '../../../handlers/core/intake.ts';
import { denialStorm, realDenial } from './storm.ts';

function keyed(records: unknown[]) {
  return records.flatMap((doc) => extractRecords(doc, 'test')).map((record) => {
    const classification = classify(record);
    return { key: incidentKey(classification), classification };
  });
}
const fixture = (name: string) => JSON.parse(readFileSync(`test/fixtures/cloudtrail/${name}`, 'utf8'));

describe('coalesceIncidents', () => {
  it('turns a storm of 1,000 denials of one role from 40 instances into one incident', () => {
    const { incidents, ignored } = coalesceIncidents(keyed(denialStorm(1000, 40)));
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident!.eventCount).toBe(1000);
    expect(incident!.instanceIds).toHaveLength(40);
    expect(incident!.actions).toEqual(['ec2:DescribeInstances']);
    expect(incident!.kind).toBe('access-denied');
    expect(incident!.trigger.eventId).toBe('storm-0');
    expect(incident!.firstSeen < incident!.lastSeen).toBe(true);
    expect(ignored).toBe(0);
  });

  it('keeps different roles apart, drops what is not ours, and counts change records without making incidents of them', () => {
    const other = realDenial();
    other.userIdentity.sessionContext.sessionIssuer.arn = other.userIdentity.sessionContext.sessionIssuer.arn.replace(/role\/.*/, 'role/another-role');
    other.userIdentity.sessionContext.sessionIssuer.userName = 'another-role';
    const records = [
      ...denialStorm(5, 2), other,
      fixture('ignored--iam-user--ssm-getparameters-success.json'),
      fixture('change--attach-role-policy--iam-user.json'),
    ];
    const result = coalesceIncidents(keyed(records));
    expect(result.incidents).toHaveLength(2);
    expect(result.incidents.map((i) => i.eventCount).sort()).toEqual([1, 5]);
    expect(result.ignored).toBe(1);
    expect(result.changes).toBe(1);
  });

  it('attaches change records of the same account from just before the incident as recent changes', () => {
    const denial = realDenial();
    const change = fixture('change--attach-role-policy--iam-user.json');
    const changeRecord = change.Records ? change.Records[0] : change;
    changeRecord.recipientAccountId = denial.recipientAccountId;
    changeRecord.eventTime = new Date(Date.parse(denial.eventTime) - 60_000).toISOString();
    const [incident] = coalesceIncidents(keyed([denial, changeRecord])).incidents;
    expect(incident!.recentChanges).toHaveLength(1);
    expect(incident!.recentChanges[0]!.kind).toBe('change');
  });

  it('makes one incident of a launch', () => {
    const { incidents } = coalesceIncidents(keyed([fixture('launch--runinstances--iam-user-console--no-profile.json')]));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.kind).toBe('launch');
    expect(incidents[0]!.instanceIds.length).toBeGreaterThan(0);
  });
});

describe('executionNameOf', () => {
  it('is the same for the same key within a window, so a re-delivered batch is a duplicate start', () => {
    const [a] = coalesceIncidents(keyed(denialStorm(10, 2))).incidents;
    const later = { ...a!, firstSeen: new Date(Date.parse(a!.firstSeen) + 1000).toISOString() };
    expect(executionNameOf(later)).toBe(executionNameOf(a!));
    expect(executionNameOf(a!)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('changes in the next window and for another key', () => {
    const [a] = coalesceIncidents(keyed(denialStorm(1, 1))).incidents;
    const nextWindow = { ...a!, firstSeen: new Date(Date.parse(a!.firstSeen) + EXECUTION_WINDOW_SECONDS * 1000).toISOString() };
    expect(executionNameOf(nextWindow)).not.toBe(executionNameOf(a!));
    expect(executionNameOf({ ...a!, key: `${a!.key}x` })).not.toBe(executionNameOf(a!));
  });
});
