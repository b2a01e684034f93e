import { describe, expect, it } from 'vitest';
import { parseDenialMessage } from '../../../handlers/core/events/index.ts';
import type { DenialPolicyType } from '../../../handlers/core/events/index.ts';

const USER = 'User: arn:aws:sts::111122223333:assumed-role/app/i-0abc1234def567890 is not authorized to perform:';

/** One row per documented form (IAM User Guide, "Troubleshoot access denied error messages", and S3's). */
const FORMS: Array<[string, string, boolean | null, DenialPolicyType]> = [
  ['implicit, identity-based', `${USER} s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action`, false, 'identity-based'],
  ['explicit, identity-based ("an")', `${USER} codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:111122223333:deploymentgroup:* with an explicit deny in an identity-based policy`, true, 'identity-based'],
  ['implicit, resource-based', `${USER} secretsmanager:GetSecretValue because no resource-based policy allows the secretsmanager:GetSecretValue action`, false, 'resource-based'],
  ['explicit, resource-based', `${USER} secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:* with an explicit deny in a resource-based policy`, true, 'resource-based'],
  ['implicit, service control', `${USER} ssm:GetParameter on resource: arn:aws:ssm:us-east-1::parameter/x because no service control policy allows the ssm:GetParameter action`, false, 'service-control'],
  ['explicit, service control', `${USER} codecommit:ListRepositories with an explicit deny in a service control policy`, true, 'service-control'],
  ['explicit, resource control', `${USER} s3:GetObject on resource: "arn:aws:s3:::b/k" with an explicit deny in a resource control policy`, true, 'resource-control'],
  ['implicit, VPC endpoint', `${USER} codecommit:ListRepositories because no VPC endpoint policy allows the codecommit:ListRepositories action`, false, 'vpc-endpoint'],
  ['explicit, VPC endpoint', `${USER} ecr:PutImage on resource: arn:aws:ecr:us-west-2:111122223333:repository/team-a/alpine with an explicit deny in a VPC endpoint policy`, true, 'vpc-endpoint'],
  ['implicit, permissions boundary', `${USER} codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:111122223333:deploymentgroup:* because no permissions boundary allows the codedeploy:ListDeployments action`, false, 'permissions-boundary'],
  ['explicit, permissions boundary', `${USER} sagemaker:ListModels with an explicit deny in a permissions boundary`, true, 'permissions-boundary'],
  ['implicit, session policy', `${USER} codecommit:ListRepositories because no session policy allows the codecommit:ListRepositories action`, false, 'session'],
  ['explicit, "sessions policy" (as documented)', `${USER} codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:111122223333:deploymentgroup:* with an explicit deny in a sessions policy`, true, 'session'],
  ['implicit, role trust', `${USER} sts:AssumeRole on resource: arn:aws:iam::111122223333:role/x because no role trust policy allows the sts:AssumeRole action`, false, 'trust'],
  ['implicit, role trust without "no" (as documented)', `${USER} sts:AssumeRole because the role trust policy allows the sts:AssumeRole action`, false, 'trust'],
  ['explicit, role trust ("the")', `${USER} sts:AssumeRole with an explicit deny in the role trust policy`, true, 'trust'],
  ['legacy explicit, no type', `${USER} lambda:ListFunctions on resource: * with an explicit deny`, true, null],
  ['legacy, no reason', `${USER} logs:CreateLogStream on resource: arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:log-stream:x`, null, null],
  ['S3 "Access Denied"', 'Access Denied', null, null],
  ['EC2 bare legacy text', 'You are not authorized to perform this operation.', null, null],
  ['a service’s own text', 'Unauthorized Exception! EKS does not have permissions to assume the associated role.', null, null],
];

describe('parseDenialMessage', () => {
  it.each(FORMS)('%s', (_name, message, explicit, policyType) => {
    const d = parseDenialMessage('AccessDenied', message);
    expect(d.explicit).toBe(explicit);
    expect(d.policyType).toBe(policyType);
    expect(d.encodedMessage).toBe(false);
    expect(d.message).toBe(message);
  });

  it('names the action and resource, with S3 quotes removed', () => {
    const d = parseDenialMessage('AccessDenied', `${USER} s3:GetObject on resource: "arn:aws:s3:::my bucket/a key" because no identity-based policy allows the s3:GetObject action`);
    expect(d.action).toBe('s3:GetObject');
    expect(d.resource).toBe('arn:aws:s3:::my bucket/a key');
  });

  it('has no resource when the message names none, and lower-cases a shouting prefix', () => {
    const d = parseDenialMessage('AuthorizationError', `${USER} SNS:Publish because no identity-based policy allows the SNS:Publish action`);
    expect(d.action).toBe('sns:Publish');
    expect(d.resource).toBeNull();
  });

  it('keeps the policy ARN that may follow either form', () => {
    const scp = 'arn:aws:organizations::999988887777:policy/o-abc123/service_control_policy/p-abcd1234';
    const explicit = parseDenialMessage('AccessDenied', `${USER} s3:PutObject on resource: "arn:aws:s3:::b/k" with an explicit deny in a service control policy: ${scp}`);
    expect(explicit).toMatchObject({ explicit: true, policyType: 'service-control', policyArn: scp, resource: 'arn:aws:s3:::b/k' });
    const policy = 'arn:aws:iam::111122223333:policy/app-boundary';
    const implicit = parseDenialMessage('AccessDenied', `${USER} s3:PutObject on resource: arn:aws:s3:::b/k because no permissions boundary allows the s3:PutObject action: ${policy}.`);
    expect(implicit).toMatchObject({ explicit: false, policyType: 'permissions-boundary', policyArn: policy });
    const identity = parseDenialMessage('AccessDenied', `${USER} kms:Decrypt on resource: arn:aws:kms:eu-west-1:111122223333:key/k with an explicit deny in an identity-based policy: ${policy}`);
    expect(identity).toMatchObject({ explicit: true, policyType: 'identity-based', policyArn: policy, resource: 'arn:aws:kms:eu-west-1:111122223333:key/k' });
  });

  it('names the deciding policy of a VPC request denied "transitively through" an SCP', () => {
    const d = parseDenialMessage(
      'AuthorizationError',
      `${USER} SNS:Publish on resource: arn:aws:sns:us-east-1:444455556666:topic with an explicit deny in a VPC endpoint policy transitively through a service control policy`,
    );
    expect(d).toMatchObject({ explicit: true, policyType: 'service-control', via: 'vpc-endpoint', resource: 'arn:aws:sns:us-east-1:444455556666:topic' });
  });

  it('says nothing when there is no message', () => {
    for (const message of [undefined, null, '', '   ']) {
      expect(parseDenialMessage('AccessDenied', message)).toMatchObject({ explicit: null, policyType: null, encodedMessage: false, message: null, action: null });
    }
  });

  it('flags the EC2 encoded message, keeps the blob, and parses the text before it', () => {
    const blob = 'Ab3-_x'.repeat(50);
    const message = `You are not authorized to perform this operation. ${USER} ec2:AssociateIamInstanceProfile on resource: arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890 because no identity-based policy allows the ec2:AssociateIamInstanceProfile action. Encoded authorization failure message: ${blob}`;
    const d = parseDenialMessage('Client.UnauthorizedOperation', message);
    expect(d).toMatchObject({
      encodedMessage: true,
      encoded: blob,
      encodedTruncated: false,
      explicit: false,
      policyType: 'identity-based',
      action: 'ec2:AssociateIamInstanceProfile',
      resource: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890',
    });
  });

  it('calls the blob truncated when CloudTrail cut it (a literal "..." or a message at the ~1 KB cap)', () => {
    const dots = parseDenialMessage('Client.UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: abc...');
    expect(dots).toMatchObject({ encodedMessage: true, encodedTruncated: true, explicit: null, policyType: null });
    const long = parseDenialMessage('Client.UnauthorizedOperation', `You are not authorized to perform this operation. Encoded authorization failure message: ${'x'.repeat(1000)}`);
    expect(long.encodedTruncated).toBe(true);
    const empty = parseDenialMessage('Client.UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: ');
    expect(empty).toMatchObject({ encodedMessage: true, encoded: null, encodedTruncated: true });
  });
});
