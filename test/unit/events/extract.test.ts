import { describe, expect, it } from 'vitest';
import { EventInputError, extractRecords, normalizeEventTime } from '../../../handlers/core/events/index.ts';
import { denial, readFixture, record } from './records.ts';

describe('extractRecords', () => {
  it('takes a single record as it is', () => {
    const r = record({});
    expect(extractRecords(r, 'one.json')).toEqual([r]);
  });

  it('takes every record of a CloudTrail log file', () => {
    const records = [record({}), denial(), record({ eventName: 'PutObject' })];
    expect(extractRecords({ Records: records }, 'log.json')).toEqual(records);
  });

  it('unwraps an EventBridge event, filling region and account from the envelope', () => {
    const { awsRegion: _r, recipientAccountId: _a, ...bare } = denial();
    const event = { version: '0', id: 'e', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.s3', account: '444455556666', region: 'ap-south-1', detail: bare };
    const [r] = extractRecords(event, 'eb.json');
    expect(r).toMatchObject({ eventName: 'GetObject', awsRegion: 'ap-south-1', recipientAccountId: '444455556666' });
    // The input is not modified.
    expect(bare).not.toHaveProperty('awsRegion');
  });

  it('keeps the record’s own region when it has one (the real EventBridge fixture)', () => {
    const [r] = extractRecords(readFixture('ignored--root--s3-createbucket-success.eventbridge.json'), 'f');
    expect(r.eventName).toBe('CreateBucket');
    expect(r.awsRegion).toBe('us-west-2');
  });

  it('takes arrays mixing all of these, and lookup-events output', () => {
    const inner = record({ eventName: 'Inner' });
    const doc = [record({ eventName: 'A' }), { Records: [record({ eventName: 'B' })] }, { Events: [{ EventId: 'x', CloudTrailEvent: JSON.stringify(inner) }] }];
    expect(extractRecords(doc, 'mix.json').map((r) => r.eventName)).toEqual(['A', 'B', 'Inner']);
  });

  it('returns nothing for an empty log file (the CLI calls that bad input)', () => {
    expect(extractRecords({ Records: [] }, 'empty.json')).toEqual([]);
  });

  it.each([
    [{ hello: 'world' }, 'x.json: not a CloudTrail record: no eventName/eventSource'],
    [42, 'x.json: not a CloudTrail record: expected an object, got a number'],
    [null, 'x.json: not a CloudTrail record: expected an object, got null'],
    [{ Records: [record({}), { eventName: 'NoSource' }] }, 'x.json: Records[1]: not a CloudTrail record: no eventName/eventSource'],
    [{ 'detail-type': 'EC2 Instance State-change Notification', detail: {} }, 'x.json: EventBridge event of detail-type "EC2 Instance State-change Notification", not "AWS API Call via CloudTrail"'],
    [{ 'detail-type': 'AWS API Call via CloudTrail', detail: { foo: 1 } }, 'x.json: EventBridge event without a CloudTrail record in detail (no eventName/eventSource)'],
    [{ CloudTrailEvent: '{oops' }, 'x.json: CloudTrailEvent is not valid JSON'],
  ])('rejects %j with a clear EventInputError', (doc, message) => {
    expect(() => extractRecords(doc, 'x.json')).toThrow(EventInputError);
    expect(() => extractRecords(doc, 'x.json')).toThrow(message);
  });
});

describe('normalizeEventTime', () => {
  it.each([
    ['2024-08-01T13:29:57Z', '2024-08-01T13:29:57Z'],
    ['2024-06-02 20:16:32.000000000', '2024-06-02T20:16:32Z'],
    ['2022-10-13 16:34:53', '2022-10-13T16:34:53Z'],
    ['2024-06-02T20:16:32.123456+02:00', '2024-06-02T18:16:32.123Z'],
    ['2024-06-02 20:16:32 UTC', '2024-06-02T20:16:32Z'],
    ['2024-06-02T20:16:32+0000', '2024-06-02T20:16:32Z'],
    [1734374467000, '2024-12-16T18:41:07Z'],
    ['1734374467', '2024-12-16T18:41:07Z'],
  ])('%j → %s', (input, iso) => {
    expect(normalizeEventTime(input)).toBe(iso);
  });

  it('keeps text it cannot read, and has no time when there is none', () => {
    expect(normalizeEventTime('last tuesday-ish')).toBe('last tuesday-ish');
    expect(normalizeEventTime(undefined)).toBeNull();
    expect(normalizeEventTime('')).toBeNull();
  });
});
