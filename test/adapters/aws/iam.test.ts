import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AttachRolePolicyCommand, DetachRolePolicyCommand, EntityTemporarilyUnmodifiableException, GetInstanceProfileCommand, GetPolicyCommand, GetPolicyVersionCommand,
  GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListInstanceProfilesCommand, ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand, NoSuchEntityException, PutRolePolicyCommand, SimulatePrincipalPolicyCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AwsIamPort } from '../../../handlers/adapters/aws/iam.ts';
import { NotFoundError, ThrottlingError, TransientAwsError } from '../../../handlers/core/ports.ts';
import { awsError, clientConfig, pagedResponses, urlEncoded } from './fake-aws.ts';

const iamMock = mockClient(IAMClient);
const iam = new AwsIamPort(new IAMClient(clientConfig));
const noSuchEntity = () => new NoSuchEntityException({ message: 'cannot be found', $metadata: {} });

const trust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const s3Read = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };

beforeEach(() => iamMock.reset());

describe('AwsIamPort reads', () => {
  it('reads an instance profile with its role and its own tags (the opt-in and quarantine tags are read there)', async () => {
    iamMock.on(GetInstanceProfileCommand).resolves({
      InstanceProfile: {
        InstanceProfileName: 'app', Path: '/', Arn: 'arn:aws:iam::111122223333:instance-profile/app', InstanceProfileId: 'AIPAEXAMPLE', CreateDate: new Date(),
        Roles: [{ RoleName: 'app', Path: '/', Arn: 'arn:aws:iam::111122223333:role/app', RoleId: 'AROAEXAMPLE', CreateDate: new Date() }],
        Tags: [{ Key: 'iam-autoheal:quarantine', Value: 'IR-1' }],
      },
    });
    expect(await iam.getInstanceProfile('app')).toEqual({
      name: 'app', path: '/', arn: 'arn:aws:iam::111122223333:instance-profile/app', roles: ['app'], tags: { 'iam-autoheal:quarantine': 'IR-1' },
    });
  });

  it('reads a role and decodes its URL-encoded trust policy', async () => {
    iamMock.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'app', Path: '/svc/', Arn: 'arn:aws:iam::111122223333:role/svc/app', RoleId: 'AROAEXAMPLE',
        CreateDate: new Date('2026-01-02T03:04:05Z'), AssumeRolePolicyDocument: urlEncoded(trust),
        PermissionsBoundary: { PermissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary', PermissionsBoundaryType: 'PermissionsBoundaryPolicy' },
        Tags: [{ Key: 'autoheal', Value: 'on' }],
      },
    });
    const role = await iam.getRole('app');
    expect(iamMock.commandCalls(GetRoleCommand)[0].args[0].input).toEqual({ RoleName: 'app' });
    expect(role).toEqual({
      name: 'app', path: '/svc/', arn: 'arn:aws:iam::111122223333:role/svc/app', roleId: 'AROAEXAMPLE',
      trustPolicy: trust, permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary',
      tags: { autoheal: 'on' }, createDate: '2026-01-02T03:04:05.000Z',
    });
  });

  it('answers null for a role that does not exist', async () => {
    iamMock.on(GetRoleCommand).rejects(noSuchEntity());
    expect(await iam.getRole('gone')).toBeNull();
  });

  it('maps IAM throttling to ThrottlingError', async () => {
    iamMock.on(GetRoleCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(iam.getRole('app')).rejects.toBeInstanceOf(ThrottlingError);
  });

  it('merges two pages of inline policy names and decodes each document', async () => {
    const logs = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] };
    const names = pagedResponses<object, object>([
      { PolicyNames: ['s3-read'], IsTruncated: true, Marker: 'm1' },
      { PolicyNames: ['logs'], IsTruncated: false },
    ]);
    iamMock
      .on(ListRolePoliciesCommand).callsFake(names.respond)
      .on(GetRolePolicyCommand, { RoleName: 'app', PolicyName: 's3-read' }).resolves({ RoleName: 'app', PolicyName: 's3-read', PolicyDocument: urlEncoded(s3Read) })
      .on(GetRolePolicyCommand, { RoleName: 'app', PolicyName: 'logs' }).resolves({ RoleName: 'app', PolicyName: 'logs', PolicyDocument: urlEncoded(logs) });
    expect(await iam.listInlinePolicies('app')).toEqual({ 's3-read': s3Read, logs });
    expect(names.inputs).toEqual([{ RoleName: 'app' }, { RoleName: 'app', Marker: 'm1' }]);
  });

  it('merges two pages of attached policies and of instance profiles', async () => {
    iamMock
      .on(ListAttachedRolePoliciesCommand, { RoleName: 'app' })
      .resolves({ AttachedPolicies: [{ PolicyName: 'A', PolicyArn: 'arn:aws:iam::aws:policy/A' }], IsTruncated: true, Marker: 'p2' })
      .on(ListAttachedRolePoliciesCommand, { RoleName: 'app', Marker: 'p2' })
      .resolves({ AttachedPolicies: [{ PolicyName: 'B', PolicyArn: 'arn:aws:iam::111122223333:policy/B' }] })
      .on(ListInstanceProfilesForRoleCommand, { RoleName: 'app' })
      .resolves({ InstanceProfiles: [profile('web', ['app'])], IsTruncated: true, Marker: 'q2' })
      .on(ListInstanceProfilesForRoleCommand, { RoleName: 'app', Marker: 'q2' })
      .resolves({ InstanceProfiles: [profile('batch', ['app'])] });
    expect(await iam.listAttachedPolicies('app')).toEqual([
      { name: 'A', arn: 'arn:aws:iam::aws:policy/A' },
      { name: 'B', arn: 'arn:aws:iam::111122223333:policy/B' },
    ]);
    expect(await iam.listInstanceProfilesForRole('app')).toEqual([
      { name: 'web', path: '/', arn: 'arn:aws:iam::111122223333:instance-profile/web', roles: ['app'] },
      { name: 'batch', path: '/', arn: 'arn:aws:iam::111122223333:instance-profile/batch', roles: ['app'] },
    ]);
  });

  it('lists every instance profile of the account across pages', async () => {
    const pages = pagedResponses<object, object>([
      { InstanceProfiles: [profile('web', ['app'])], IsTruncated: true, Marker: 'r2' },
      { InstanceProfiles: [profile('bare', [])] },
    ]);
    iamMock.on(ListInstanceProfilesCommand).callsFake(pages.respond);
    expect(await iam.listInstanceProfiles()).toEqual([
      { name: 'web', path: '/', arn: 'arn:aws:iam::111122223333:instance-profile/web', roles: ['app'] },
      { name: 'bare', path: '/', arn: 'arn:aws:iam::111122223333:instance-profile/bare', roles: [] },
    ]);
    expect(pages.inputs).toEqual([{}, { Marker: 'r2' }]);
    iamMock.on(ListInstanceProfilesCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(iam.listInstanceProfiles()).rejects.toBeInstanceOf(ThrottlingError);
  });

  it("reads a managed policy's default version document", async () => {
    const arn = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    iamMock.on(GetPolicyCommand, { PolicyArn: arn }).resolves({ Policy: { Arn: arn, DefaultVersionId: 'v3' } });
    iamMock.on(GetPolicyVersionCommand, { PolicyArn: arn, VersionId: 'v3' }).resolves({ PolicyVersion: { Document: urlEncoded(s3Read), VersionId: 'v3' } });
    expect(await iam.getManagedPolicyDocument(arn)).toEqual(s3Read);
    iamMock.on(GetPolicyCommand).rejects(noSuchEntity());
    expect(await iam.getManagedPolicyDocument('arn:aws:iam::111122223333:policy/deleted')).toBeNull();
  });
});

describe('AwsIamPort.simulatePrincipalPolicy', () => {
  it('passes actions, resources and context, merges pages and maps each decision', async () => {
    const simulation = pagedResponses<object, object>([{
        IsTruncated: true, Marker: 'sim2',
        EvaluationResults: [{
          EvalActionName: 's3:GetObject', EvalResourceName: 'arn:aws:s3:::b/k', EvalDecision: 'allowed',
          MatchedStatements: [{ SourcePolicyId: 's3-read', SourcePolicyType: 'IAM Policy' }],
          PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true },
        }],
      },
      {
        EvaluationResults: [{
          EvalActionName: 's3:PutObject', EvalResourceName: 'arn:aws:s3:::b/k', EvalDecision: 'explicitDeny',
          MatchedStatements: [{ SourcePolicyId: 'deny-writes' }],
          OrganizationsDecisionDetail: { AllowedByOrganizations: false },
          MissingContextValues: ['aws:SourceVpce'],
        }],
      },
    ]);
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(simulation.respond);
    const results = await iam.simulatePrincipalPolicy({
      roleArn: 'arn:aws:iam::111122223333:role/svc/app',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: ['arn:aws:s3:::b/k'],
      context: [{ key: 'aws:SourceIp', values: ['10.0.0.1'], type: 'ip' }],
    });
    expect(simulation.inputs.map((i) => (i as { Marker?: string }).Marker)).toEqual([undefined, 'sim2']);
    expect(simulation.inputs[0]).toEqual({
      PolicySourceArn: 'arn:aws:iam::111122223333:role/svc/app',
      ActionNames: ['s3:GetObject', 's3:PutObject'],
      ResourceArns: ['arn:aws:s3:::b/k'],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.0.0.1'], ContextKeyType: 'ip' }],
    });
    expect(results).toEqual([
      {
        action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', decision: 'allowed',
        matchedStatements: [{ sourcePolicyId: 's3-read', sourcePolicyType: 'IAM Policy' }], permissionsBoundaryAllowed: true,
      },
      {
        action: 's3:PutObject', resource: 'arn:aws:s3:::b/k', decision: 'explicitDeny',
        matchedStatements: [{ sourcePolicyId: 'deny-writes' }], organizationsAllowed: false, missingContextValues: ['aws:SourceVpce'],
      },
    ]);
  });
});

describe('AwsIamPort writes', () => {
  it('sends policy documents as plain JSON strings', async () => {
    iamMock.on(UpdateAssumeRolePolicyCommand).resolves({});
    iamMock.on(PutRolePolicyCommand).resolves({});
    await iam.updateAssumeRolePolicy('app', trust);
    await iam.putRolePolicy('app', 's3-read', s3Read);
    expect(iamMock.commandCalls(UpdateAssumeRolePolicyCommand)[0].args[0].input).toEqual({ RoleName: 'app', PolicyDocument: JSON.stringify(trust) });
    expect(iamMock).toHaveReceivedCommandWith(PutRolePolicyCommand, { RoleName: 'app', PolicyName: 's3-read', PolicyDocument: JSON.stringify(s3Read) });
  });

  it('maps EntityTemporarilyUnmodifiable to TransientAwsError', async () => {
    iamMock.on(UpdateAssumeRolePolicyCommand).rejects(new EntityTemporarilyUnmodifiableException({ message: 'busy', $metadata: {} }));
    await expect(iam.updateAssumeRolePolicy('app', trust)).rejects.toMatchObject({ name: 'TransientAwsError', code: 'EntityTemporarilyUnmodifiable' });
  });

  it('treats NoSuchEntity on a grant as propagation, but as NotFound on a removal', async () => {
    iamMock.on(AttachRolePolicyCommand).rejects(noSuchEntity());
    iamMock.on(DetachRolePolicyCommand).rejects(noSuchEntity());
    await expect(iam.attachRolePolicy('app', 'arn:aws:iam::aws:policy/A')).rejects.toBeInstanceOf(TransientAwsError);
    await expect(iam.detachRolePolicy('app', 'arn:aws:iam::aws:policy/A')).rejects.toBeInstanceOf(NotFoundError);
    expect(iamMock).toHaveReceivedCommandWith(AttachRolePolicyCommand, { RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/A' });
  });
});

function profile(name: string, roles: string[]) {
  return {
    InstanceProfileName: name, Path: '/', InstanceProfileId: `AIPA${name}`, CreateDate: new Date(0),
    Arn: `arn:aws:iam::111122223333:instance-profile/${name}`,
    Roles: roles.map((r) => ({ RoleName: r, Path: '/', RoleId: 'AROA', Arn: `arn:aws:iam::111122223333:role/${r}`, CreateDate: new Date(0) })),
  };
}
