import { describe, expect, it } from 'vitest';
import { documentRefusal, managedPolicyRefusal, neverGrantReason } from '../../../handlers/core/policy/never-grant.ts';
import { patternsOverlap, wildcardMatch } from '../../../handlers/core/policy/wildcard.ts';

describe('wildcards', () => {
  it('match IAM patterns: * any run, ? one character, actions case-insensitively', () => {
    expect(wildcardMatch('arn:aws:s3:::config-bucket/*', 'arn:aws:s3:::config-bucket/app.json')).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::config-bucket/*', 'arn:aws:s3:::config-bucket-2/app.json')).toBe(false);
    expect(wildcardMatch('s3:Get?bject', 's3:getobject', true)).toBe(true);
  });

  it('find two patterns that can match the same action', () => {
    expect(patternsOverlap('iam:Create*', 'iam:*User')).toBe(true);
    expect(patternsOverlap('s3:Get*', 's3:PutBucketPolicy')).toBe(false);
    expect(patternsOverlap('*', 'kms:PutKeyPolicy')).toBe(true);
    expect(patternsOverlap('sts:Assume?ole', 'sts:AssumeRole')).toBe(true);
  });
});

describe('never-grant list', () => {
  it('refuses IAM writes but not a literal IAM read', () => {
    expect(neverGrantReason('iam:CreateUser', ['*'])).toMatch(/never-grant/);
    expect(neverGrantReason('iam:PassRole', ['arn:aws:iam::1:role/app'])).toMatch(/never-grant/);
    expect(neverGrantReason('iam:GetRole', ['arn:aws:iam::1:role/app'])).toBeNull();
  });

  it('allows sts:AssumeRole on one named role, never on a wildcard', () => {
    expect(neverGrantReason('sts:AssumeRole', ['arn:aws:iam::111122223333:role/reporting'])).toBeNull();
    expect(neverGrantReason('sts:AssumeRole', ['arn:aws:iam::111122223333:role/*'])).toMatch(/never-grant/);
  });

  it('lets an ordinary narrow statement through', () => {
    expect(documentRefusal({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['s3:GetObject', 's3:Get*Tagging'], Resource: 'arn:aws:s3:::config-bucket/*' } })).toBeNull();
  });

  it('ignores Deny statements (a Deny grants nothing)', () => {
    expect(documentRefusal({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] })).toBeNull();
  });

  it('names administrator managed policies', () => {
    expect(managedPolicyRefusal('arn:aws-us-gov:iam::aws:policy/AdministratorAccess')).toMatch(/never attached automatically/);
    expect(managedPolicyRefusal('arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess')).toBeNull();
  });
});
