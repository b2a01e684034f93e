import { describe, expect, it } from 'vitest';
import { classify, executionNameFor, extractRecords, incidentKey } from '../../../handlers/core/events/index.ts';
import { ACCOUNT, IAM_USER, denial, fixtureFiles, instanceRole, readFixture, record } from './records.ts';

const SAFE = /^[A-Za-z0-9_-]{1,80}$/;

function instanceId(n: number): string {
  return `i-0${n.toString(16).padStart(16, '0')}`;
}

function s3Denial(n: number, roleName = 'app', action = n % 2 ? 's3:PutObject' : 's3:GetObject') {
  const id = instanceId(n % 50);
  return denial({
    userIdentity: instanceRole(id, roleName, '/svc/'),
    eventName: action.slice(3),
    errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${id} is not authorized to perform: ${action} on resource: "arn:aws:s3:::data/${n}" because no identity-based policy allows the ${action} action`,
  });
}

describe('incidentKey', () => {
  it('a storm of 1,000 denials from 50 instances of one role for s3:GetObject/s3:PutObject is one incident', () => {
    const keys = new Set(Array.from({ length: 1000 }, (_, n) => incidentKey(classify(s3Denial(n)))));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(SAFE);
  });

  it('different roles, services, regions or accounts are different incidents', () => {
    const base = incidentKey(classify(s3Denial(1)));
    expect(incidentKey(classify(s3Denial(1, 'worker')))).not.toBe(base);
    expect(incidentKey(classify(denial({ awsRegion: 'us-east-1' })))).not.toBe(incidentKey(classify(denial())));
    const kms = denial({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', errorMessage: 'Access Denied' });
    expect(incidentKey(classify(kms))).not.toBe(incidentKey(classify(denial())));
  });

  it('roles with the same name under different paths are different incidents', () => {
    const a = classify(denial({ userIdentity: instanceRole('i-0abc1234def567890', 'app', '/team-a/') }));
    const b = classify(denial({ userIdentity: instanceRole('i-0abc1234def567890', 'app', '/team-b/') }));
    expect(incidentKey(a)).not.toBe(incidentKey(b));
  });

  it('is deterministic and readable', () => {
    const key = incidentKey(classify(s3Denial(7)));
    expect(incidentKey(classify(s3Denial(7)))).toBe(key);
    expect(key).toMatch(/^deny-111122223333-eu-west-1-app-s3-[0-9a-z]{10}$/);
  });

  it('stays a safe execution name with long role names and odd characters', () => {
    const long = 'a'.repeat(64);
    const k1 = incidentKey(classify(denial({ userIdentity: instanceRole('i-0abc1234def567890', long) })))!;
    const k2 = incidentKey(classify(denial({ userIdentity: instanceRole('i-0abc1234def567890', `${long.slice(0, 63)}b`) })))!;
    expect(k1.length).toBeLessThanOrEqual(64);
    expect(k1).toMatch(SAFE);
    expect(k1).not.toBe(k2);
    const odd = incidentKey(classify(denial({ userIdentity: instanceRole('i-0abc1234def567890', 'role.with+odd=chars@x,y') })))!;
    expect(odd).toMatch(SAFE);
  });

  it('launches group by Auto Scaling group, else template, else profile, else the launch\'s own instance', () => {
    const run = (requestParameters: Record<string, unknown>, n: number) =>
      classify(record({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', userIdentity: IAM_USER, requestParameters, responseElements: { instancesSet: { items: [{ instanceId: instanceId(n) }] } } }));
    const asg = { tagSpecificationSet: { items: [{ resourceType: 'instance', tags: [{ key: 'aws:autoscaling:groupName', value: 'web' }] }] }, launchTemplate: { launchTemplateId: 'lt-1', version: '2' } };
    const scaleOut = new Set(Array.from({ length: 200 }, (_, n) => incidentKey(run(asg, n))));
    expect(scaleOut.size).toBe(1);
    const template = incidentKey(run({ launchTemplate: { launchTemplateId: 'lt-1', version: '2' } }, 1));
    const profile = incidentKey(run({ iamInstanceProfile: { name: 'web' } }, 1));
    const manual = incidentKey(run({}, 1));
    expect(new Set([...scaleOut, template, profile, manual]).size).toBe(4);
    expect(manual).toMatch(/^launch-111122223333-eu-west-1-manual_i-/);
    // Another launch by hand in the same account and region is another incident, never a duplicate of this one.
    expect(incidentKey(run({}, 2))).not.toBe(manual);
    expect(incidentKey(run({}, 1))).toBe(manual);
  });

  it('changes and ignored records start no incident', () => {
    const keys = fixtureFiles()
      .map((f) => classify(extractRecords(readFixture(f), f)[0]))
      .filter((c) => c.kind === 'change' || c.kind === 'ignored')
      .map(incidentKey);
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.every((k) => k === null)).toBe(true);
  });
});

describe('executionNameFor', () => {
  it('appends the window start, stays within 80 safe characters, and is deterministic', () => {
    const key = incidentKey(classify(denial({ userIdentity: instanceRole('i-0abc1234def567890', 'r'.repeat(64)) })))!;
    const name = executionNameFor(key, '2026-10-02T08:05:00Z');
    expect(name).toBe(`${key}-20261002T0805`);
    expect(name).toMatch(SAFE);
    expect(executionNameFor(key, new Date('2026-10-02T08:05:00Z'))).toBe(name);
    expect(executionNameFor(key, '2026-10-02T08:10:00Z')).not.toBe(name);
  });

  it('refuses a window start that is not a time', () => {
    expect(() => executionNameFor('k', 'soon')).toThrow(RangeError);
  });
});
