import { describe, expect, it } from 'vitest';
import { privilegedReason, privilegedStatementReason } from '../../../handlers/core/policy/privileged.ts';

const doc = (...Statement: Array<Record<string, unknown>>) => ({ Version: '2012-10-17', Statement });

describe('privileged roles: what the service never hands to an instance', () => {
  it('AWS managed administrator policies, by ARN, whatever the document says', () => {
    for (const name of ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess', 'AWSOrganizationsFullAccess', 'AdministratorAccess-Amplify']) {
      expect(privilegedReason([{ source: `arn:aws:iam::aws:policy/${name}`, document: doc() }])).toMatch(/AWS managed administrator policy/);
    }
    expect(privilegedReason([{ source: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', document: doc({ Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:*'], Resource: '*' }) }])).toBeNull();
  });

  it('names the policy and the statement: "*", NotAction, IAM writes, PassRole and AssumeRole on any role', () => {
    expect(privilegedReason([{ source: 'inline policy ops', document: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }) }]))
      .toBe('inline policy ops statement 2 (All) allows "*" on "*"');
    expect(privilegedStatementReason({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })).toMatch(/NotAction/);
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::1:role/app' })).toMatch(/IAM write "iam:PutRolePolicy"/);
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 'iam:Create*', Resource: '*' })).toMatch(/IAM write/);
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' })).toMatch(/may pass any role/);
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/*' })).toMatch(/may pass any role/);
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })).toMatch(/may assume any role/);
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 'sts:*', NotResource: 'arn:aws:iam::1:role/x' })).toMatch(/NotResource/);
  });

  it('ordinary grants are not privileged: IAM reads, PassRole and AssumeRole on one named role, Deny statements', () => {
    expect(privilegedStatementReason({ Effect: 'Allow', Action: ['iam:GetRole', 'iam:List*'], Resource: '*' })).toBeNull();
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/worker' })).toBeNull();
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::1:role/reader' })).toBeNull();
    expect(privilegedStatementReason({ Effect: 'Deny', Action: '*', Resource: '*' })).toBeNull();
    expect(privilegedStatementReason({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/*' })).toBeNull();
  });

  it('fails closed: a document that could not be read cannot be shown not to be privileged', () => {
    expect(privilegedReason([{ source: 'arn:aws:iam::1:policy/app', document: null }])).toMatch(/could not be read/);
  });
});
