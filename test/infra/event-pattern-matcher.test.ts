// The matcher against the behaviour the EventBridge user guide documents for each operator.
import { describe, expect, it } from 'vitest';
import { EventPatternError, matchesEventPattern as matches } from '../../lib/event-pattern-matcher.ts';

const event = {
  source: 'aws.ec2',
  'detail-type': 'EC2 Instance State-change Notification',
  account: '111122223333',
  resources: ['arn:aws:ec2:us-east-1:111122223333:instance/i-0abc'],
  detail: {
    state: 'running',
    'instance-id': 'i-0abc',
    c_count: 5,
    d_count: 0.5,
    version: '',
    responseElements: null,
    tags: ['prod', 'web'],
    items: [
      { name: 'a', size: 1 },
      { name: 'b', size: 2 },
    ],
    location: { zone: 'us-east-1a' },
    flag: true,
  },
};

describe('exact values', () => {
  it('matches a string in the list and not another', () => {
    expect(matches({ source: ['aws.ec2', 'aws.s3'] }, event)).toBe(true);
    expect(matches({ source: ['aws.s3'] }, event)).toBe(false);
  });
  it('is case-sensitive', () => {
    expect(matches({ source: ['AWS.EC2'] }, event)).toBe(false);
  });
  it('tells null from the empty string', () => {
    expect(matches({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matches({ detail: { responseElements: [''] } }, event)).toBe(false);
    expect(matches({ detail: { version: [''] } }, event)).toBe(true);
    expect(matches({ detail: { version: [null] } }, event)).toBe(false);
  });
  it('compares numbers and booleans by type', () => {
    expect(matches({ detail: { c_count: [5] } }, event)).toBe(true);
    expect(matches({ detail: { c_count: ['5'] } }, event)).toBe(false);
    expect(matches({ detail: { flag: [true] } }, event)).toBe(true);
  });
  it('requires every field (AND) and one value per field (OR)', () => {
    expect(matches({ source: ['aws.ec2'], detail: { state: ['stopped', 'running'] } }, event)).toBe(true);
    expect(matches({ source: ['aws.ec2'], detail: { state: ['stopped'] } }, event)).toBe(false);
  });
  it('does not match a field that is absent', () => {
    expect(matches({ detail: { missing: ['x'] } }, event)).toBe(false);
  });
});

describe('arrays in the event', () => {
  it('match when any element matches', () => {
    expect(matches({ detail: { tags: ['web'] } }, event)).toBe(true);
    expect(matches({ resources: [{ prefix: 'arn:aws:ec2:' }] }, event)).toBe(true);
    expect(matches({ detail: { tags: ['dev'] } }, event)).toBe(false);
  });
  it('match a nested pattern within one element of an array of objects', () => {
    expect(matches({ detail: { items: { name: ['b'], size: [2] } } }, event)).toBe(true);
    expect(matches({ detail: { items: { name: ['a'], size: [2] } } }, event)).toBe(false);
  });
});

describe('prefix and suffix', () => {
  it('match the start or the end of a string', () => {
    expect(matches({ detail: { location: { zone: [{ prefix: 'us-' }] } } }, event)).toBe(true);
    expect(matches({ detail: { location: { zone: [{ suffix: '-1a' }] } } }, event)).toBe(true);
    expect(matches({ detail: { location: { zone: [{ prefix: 'eu-' }] } } }, event)).toBe(false);
  });
  it('are case-sensitive unless equals-ignore-case is used', () => {
    expect(matches({ detail: { location: { zone: [{ prefix: 'US-' }] } } }, event)).toBe(false);
    expect(matches({ detail: { location: { zone: [{ prefix: { 'equals-ignore-case': 'US-' } }] } } }, event)).toBe(true);
    expect(matches({ detail: { location: { zone: [{ suffix: { 'equals-ignore-case': '-1A' } }] } } }, event)).toBe(true);
  });
  it('never match a number', () => {
    expect(matches({ detail: { c_count: [{ prefix: '5' }] } }, event)).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  it('matches regardless of case', () => {
    expect(matches({ detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, event)).toBe(true);
    expect(matches({ detail: { state: [{ 'equals-ignore-case': 'stopped' }] } }, event)).toBe(false);
  });
});

describe('wildcard', () => {
  it('lets * stand for any run of characters, including none', () => {
    expect(matches({ detail: { 'instance-id': [{ wildcard: 'i-*' }] } }, event)).toBe(true);
    expect(matches({ detail: { 'instance-id': [{ wildcard: 'i-0abc*' }] } }, event)).toBe(true);
    expect(matches({ detail: { 'instance-id': [{ wildcard: '*-0*c' }] } }, event)).toBe(true);
    expect(matches({ detail: { 'instance-id': [{ wildcard: 'x-*' }] } }, event)).toBe(false);
  });
  it('treats other characters literally and \\* as a star', () => {
    expect(matches({ a: [{ wildcard: 'a.c' }] }, { a: 'abc' })).toBe(false);
    expect(matches({ a: [{ wildcard: 'a\\*c' }] }, { a: 'a*c' })).toBe(true);
    expect(matches({ a: [{ wildcard: 'a\\*c' }] }, { a: 'abc' })).toBe(false);
  });
  it('rejects consecutive wildcards, as EventBridge does', () => {
    expect(() => matches({ a: [{ wildcard: 'a**' }] }, { a: 'a' })).toThrow(EventPatternError);
  });
});

describe('anything-but', () => {
  it('excludes a value or a list of values', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'stopped' }] } }, event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, event)).toBe(false);
    expect(matches({ detail: { c_count: [{ 'anything-but': [5, 6] }] } }, event)).toBe(false);
  });
  it('excludes by prefix, suffix, wildcard or ignoring case', () => {
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, event)).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'stop' } }] } }, event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { suffix: 'ing' } }] } }, event)).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { wildcard: 'r*g' } }] } }, event)).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['RUNNING'] } }] } }, event)).toBe(false);
  });
  it('does not match an absent field', () => {
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });
  it('matches an array when some element is not excluded', () => {
    expect(matches({ detail: { tags: [{ 'anything-but': 'prod' }] } }, event)).toBe(true);
    expect(matches({ detail: { tags: [{ 'anything-but': ['prod', 'web'] }] } }, event)).toBe(false);
  });
});

describe('exists', () => {
  it('true matches a present leaf, false an absent field', () => {
    expect(matches({ detail: { state: [{ exists: true }] } }, event)).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } }, event)).toBe(false);
    expect(matches({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
    expect(matches({ detail: { missing: [{ exists: true }] } }, event)).toBe(false);
  });
  it('false matches when the parent object is absent too', () => {
    expect(matches({ nowhere: { deeper: [{ exists: false }] } }, event)).toBe(true);
  });
  it('works on leaf values only, not on objects', () => {
    expect(matches({ detail: { location: [{ exists: true }] } }, event)).toBe(false);
  });
  it('counts null and the empty string as present', () => {
    expect(matches({ detail: { responseElements: [{ exists: true }], version: [{ exists: true }] } }, event)).toBe(true);
  });
});

describe('numeric', () => {
  it('compares with one operator or a range', () => {
    expect(matches({ detail: { c_count: [{ numeric: ['>', 0] }] } }, event)).toBe(true);
    expect(matches({ detail: { c_count: [{ numeric: ['>', 0, '<=', 5] }] } }, event)).toBe(true);
    expect(matches({ detail: { c_count: [{ numeric: ['>', 5] }] } }, event)).toBe(false);
    expect(matches({ detail: { d_count: [{ numeric: ['<', 10] }] } }, event)).toBe(true);
    expect(matches({ detail: { c_count: [{ numeric: ['=', 5] }] } }, event)).toBe(true);
  });
  it('never matches a string', () => {
    expect(matches({ detail: { state: [{ numeric: ['>', 0] }] } }, event)).toBe(false);
  });
  it('rejects an inverted range', () => {
    expect(() => matches({ detail: { c_count: [{ numeric: ['<', 10, '>', 0] }] } }, event)).toThrow(EventPatternError);
  });
});

describe('$or', () => {
  it('matches when any alternative matches, together with the other fields', () => {
    const pattern = { source: ['aws.ec2'], detail: { $or: [{ state: ['stopped'] }, { c_count: [{ numeric: ['>', 3] }] }] } };
    expect(matches(pattern, event)).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] }, event)).toBe(false);
    expect(matches({ detail: { $or: [{ state: ['stopped'] }, { c_count: [1] }] } }, event)).toBe(false);
  });
  it('works at the top level', () => {
    expect(matches({ $or: [{ source: ['aws.s3'] }, { account: ['111122223333'] }] }, event)).toBe(true);
  });
});

describe('invalid patterns', () => {
  it('throw instead of silently not matching', () => {
    expect(() => matches({ source: 'aws.ec2' }, event)).toThrow(EventPatternError);
    expect(() => matches({ source: [] }, event)).toThrow(EventPatternError);
    expect(() => matches({ source: [{ cidr: '10.0.0.0/8' }] }, event)).toThrow(/unsupported operator "cidr"/);
    expect(() => matches({ source: [{ prefix: 'a', suffix: 'b' }] }, event)).toThrow(EventPatternError);
    expect(() => matches({ $or: [{ source: ['x'] }] }, event)).toThrow(EventPatternError);
  });
});
