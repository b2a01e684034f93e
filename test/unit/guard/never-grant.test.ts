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

  it('refuses writes that change who can act, expose data or erase evidence (issue 17 item 6), on any resource', () => {
    const named = ['arn:aws:s3:::reports-bucket'];
    for (const action of [
      's3:PutBucketAcl', 's3:PutBucketPolicy', 'ec2-instance-connect:SendSSHPublicKey', 'ec2-instance-connect:SendSerialConsoleSSHPublicKey',
      'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'ssm:StartAutomationExecution', 'ssm:SendCommand',
      'ec2:ModifyLaunchTemplate', 'ecr:SetRepositoryPolicy', 'ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute',
      'cloudtrail:DeleteTrail', 'cloudtrail:DeleteEventDataStore', 'logs:DeleteLogGroup', 'logs:DeleteLogStream', 'logs:PutRetentionPolicy',
    ]) {
      expect(neverGrantReason(action, named), action).toMatch(/never-grant/);
    }
    // A pattern that could match one of them is refused too.
    expect(neverGrantReason('ec2-instance-connect:*', named)).toMatch(/every action of a service/);
    expect(neverGrantReason('logs:Delete*', named)).toMatch(/never-grant/);
    expect(neverGrantReason('s3:PutBucket*', named)).toMatch(/never-grant/);
  });

  it('refuses object access on every bucket, while one bucket\'s objects may be granted', () => {
    expect(documentRefusal({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*/*' }] })).toMatch(/wildcard for a whole service/);
    expect(documentRefusal({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' }] })).toMatch(/wildcard/);
    expect(documentRefusal({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports-bucket/*' }] })).toBeNull();
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
