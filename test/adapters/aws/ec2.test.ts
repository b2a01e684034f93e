import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AssociateIamInstanceProfileCommand, CreateLaunchTemplateVersionCommand, DeleteLaunchTemplateVersionsCommand, DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand, EC2Client, ModifyLaunchTemplateCommand,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { AwsEc2Port } from '../../../handlers/adapters/aws/ec2.ts';
import type { AccountPorts } from '../../../handlers/core/ports.ts';
import { associateProfile } from '../../../handlers/core/remediations/associate-profile.ts';
import { AwsCallError, NotFoundError, ThrottlingError, TransientAwsError } from '../../../handlers/core/ports.ts';
import { awsError, clientConfig, pagedResponses } from './fake-aws.ts';

const ec2Mock = mockClient(EC2Client);
const ec2 = new AwsEc2Port(new EC2Client(clientConfig));
const WEB = 'arn:aws:iam::111122223333:instance-profile/web';

beforeEach(() => ec2Mock.reset());

describe('AwsEc2Port instances', () => {
  it('describes an instance with its profile, launch template and Auto Scaling group from the tags', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{
        Instances: [{
          InstanceId: 'i-0abc', State: { Name: 'running', Code: 16 }, IamInstanceProfile: { Arn: WEB, Id: 'AIPA1' },
          LaunchTime: new Date('2026-11-29T10:00:00Z'),
          Tags: [
            { Key: 'aws:ec2launchtemplate:id', Value: 'lt-0123' },
            { Key: 'aws:ec2launchtemplate:version', Value: '7' },
            { Key: 'aws:autoscaling:groupName', Value: 'web-asg' },
            { Key: 'autoheal', Value: 'on' },
          ],
        }],
      }],
    });
    const instance = await ec2.describeInstance('i-0abc');
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0].args[0].input).toEqual({ InstanceIds: ['i-0abc'] });
    expect(instance).toEqual({
      id: 'i-0abc', state: 'running', instanceProfileArn: WEB, launchTemplate: { id: 'lt-0123', version: '7' },
      autoScalingGroup: 'web-asg', launchTime: '2026-11-29T10:00:00.000Z',
      tags: { 'aws:ec2launchtemplate:id': 'lt-0123', 'aws:ec2launchtemplate:version': '7', 'aws:autoscaling:groupName': 'web-asg', autoheal: 'on' },
    });
  });

  it('lists instances across pages, filtered by state and the scope tag on the EC2 side', async () => {
    const pages = pagedResponses<object, object>([
      { Reservations: [{ Instances: [{ InstanceId: 'i-0a1', State: { Name: 'running' }, IamInstanceProfile: { Arn: WEB }, Tags: [{ Key: 'autoheal', Value: 'on' }] }] }], NextToken: 't2' },
      { Reservations: [{ Instances: [{ InstanceId: 'i-0b2', State: { Name: 'stopped' }, Tags: [{ Key: 'autoheal', Value: 'on' }] }] }] },
    ]);
    ec2Mock.on(DescribeInstancesCommand).callsFake(pages.respond);
    const listed = await ec2.listInstances({ states: ['running', 'stopped'], tag: { key: 'autoheal', value: 'on' } });
    const filters = [{ Name: 'instance-state-name', Values: ['running', 'stopped'] }, { Name: 'tag:autoheal', Values: ['on'] }];
    expect(pages.inputs).toEqual([{ Filters: filters, MaxResults: 1000 }, { Filters: filters, MaxResults: 1000, NextToken: 't2' }]);
    expect(listed).toEqual([
      { id: 'i-0a1', state: 'running', instanceProfileArn: WEB, launchTemplate: null, autoScalingGroup: null, tags: { autoheal: 'on' }, launchTime: undefined },
      { id: 'i-0b2', state: 'stopped', instanceProfileArn: null, launchTemplate: null, autoScalingGroup: null, tags: { autoheal: 'on' }, launchTime: undefined },
    ]);
  });

  it('lists without a tag filter when no scope tag is configured, and maps throttling', async () => {
    const pages = pagedResponses<object, object>([{ Reservations: [] }]);
    ec2Mock.on(DescribeInstancesCommand).callsFake(pages.respond);
    expect(await ec2.listInstances({ states: ['running'], tag: null })).toEqual([]);
    expect(pages.inputs).toEqual([{ Filters: [{ Name: 'instance-state-name', Values: ['running'] }], MaxResults: 1000 }]);
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    await expect(ec2.listInstances({ states: ['running'] })).rejects.toBeInstanceOf(ThrottlingError);
  });

  it('answers null for an unknown instance and ThrottlingError when EC2 throttles', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejectsOnce(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-0gone' does not exist"));
    expect(await ec2.describeInstance('i-0gone')).toBeNull();
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    await expect(ec2.describeInstance('i-0abc')).rejects.toBeInstanceOf(ThrottlingError);
  });
});

describe('AwsEc2Port profile associations', () => {
  it('lists current associations of an instance across pages', async () => {
    const assoc = (id: string, state: 'associating' | 'associated') => ({
      AssociationId: id, InstanceId: 'i-0abc', IamInstanceProfile: { Arn: WEB, Id: 'AIPA1' }, State: state,
      Timestamp: new Date('2026-11-29T10:00:00Z'),
    });
    const pages = pagedResponses<object, object>([
      { IamInstanceProfileAssociations: [assoc('iip-assoc-1', 'associated')], NextToken: 't2' },
      { IamInstanceProfileAssociations: [assoc('iip-assoc-2', 'associating')] },
    ]);
    ec2Mock.on(DescribeIamInstanceProfileAssociationsCommand).callsFake(pages.respond);
    const associations = await ec2.describeProfileAssociations('i-0abc');
    const filters = [{ Name: 'instance-id', Values: ['i-0abc'] }, { Name: 'state', Values: ['associating', 'associated'] }];
    expect(pages.inputs).toEqual([{ Filters: filters }, { Filters: filters, NextToken: 't2' }]);
    expect(associations).toEqual([
      { associationId: 'iip-assoc-1', instanceId: 'i-0abc', instanceProfileArn: WEB, state: 'associated', associatedAt: '2026-11-29T10:00:00.000Z' },
      { associationId: 'iip-assoc-2', instanceId: 'i-0abc', instanceProfileArn: WEB, state: 'associating', associatedAt: '2026-11-29T10:00:00.000Z' },
    ]);
  });

  it('reads 450 instances and their associations in batches of 200 ids (the EC2 filter limit), by filter so unknown ids are no error', async () => {
    const ids = Array.from({ length: 450 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    const instances = pagedResponses<{ Filters: Array<{ Name: string; Values: string[] }>; MaxResults?: number }, object>([{ Reservations: [{ Instances: [{ InstanceId: ids[0], State: { Name: 'running' } }] }] }]);
    ec2Mock.on(DescribeInstancesCommand).callsFake(instances.respond);
    const association = { AssociationId: 'iip-assoc-1', InstanceId: 'i-0abc', IamInstanceProfile: { Arn: WEB }, State: 'associated' };
    const associations = pagedResponses<{ Filters: Array<{ Name: string; Values: string[] }>; MaxResults?: number }, object>([{ IamInstanceProfileAssociations: [association] }]);
    ec2Mock.on(DescribeIamInstanceProfileAssociationsCommand).callsFake(associations.respond);
    const found = await ec2.describeInstances([...ids, ids[0]!]);
    const current = await ec2.describeProfileAssociationsOfInstances(ids);
    expect(instances.inputs.map((i) => i.Filters[0]!.Values.length)).toEqual([200, 200, 50]);
    expect(instances.inputs[0]).toEqual({ Filters: [{ Name: 'instance-id', Values: ids.slice(0, 200) }], MaxResults: 1000 });
    expect(associations.inputs.map((i) => i.Filters[0]!.Values.length)).toEqual([200, 200, 50]);
    expect(associations.inputs[2]).toEqual({ Filters: [{ Name: 'instance-id', Values: ids.slice(400) }, { Name: 'state', Values: ['associating', 'associated'] }], MaxResults: 1000 });
    expect(found).toHaveLength(3);
    expect(found[0]).toMatchObject({ id: ids[0], state: 'running' });
    expect(current.map((a) => a.associationId)).toEqual(['iip-assoc-1', 'iip-assoc-1', 'iip-assoc-1']);
    expect(current[0]).toMatchObject({ instanceId: 'i-0abc', instanceProfileArn: WEB, state: 'associated' });
  });

  it('throttling of a batched read is the port error the workflow retries', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    await expect(ec2.describeInstances(['i-0abc'])).rejects.toBeInstanceOf(ThrottlingError);
  });

  it('associates by name and replaces by ARN, returning the new association', async () => {
    ec2Mock.on(AssociateIamInstanceProfileCommand).resolves({
      IamInstanceProfileAssociation: { AssociationId: 'iip-assoc-9', InstanceId: 'i-0abc', IamInstanceProfile: { Arn: WEB }, State: 'associating' },
    });
    ec2Mock.on(ReplaceIamInstanceProfileAssociationCommand).resolves({
      IamInstanceProfileAssociation: { AssociationId: 'iip-assoc-10', InstanceId: 'i-0abc', IamInstanceProfile: { Arn: WEB }, State: 'associating' },
    });
    const associated = await ec2.associateProfile('i-0abc', { name: 'web' });
    const replaced = await ec2.replaceProfileAssociation('iip-assoc-9', { arn: WEB });
    expect(ec2Mock.commandCalls(AssociateIamInstanceProfileCommand)[0].args[0].input).toEqual({ InstanceId: 'i-0abc', IamInstanceProfile: { Name: 'web' } });
    expect(ec2Mock.commandCalls(ReplaceIamInstanceProfileAssociationCommand)[0].args[0].input).toEqual({
      AssociationId: 'iip-assoc-9', IamInstanceProfile: { Arn: WEB },
    });
    expect(associated).toEqual({ associationId: 'iip-assoc-9', instanceId: 'i-0abc', instanceProfileArn: WEB, state: 'associating' });
    expect(replaced.associationId).toBe('iip-assoc-10');
  });

  it('treats a profile EC2 cannot see yet as transient, and a vanished association as not found', async () => {
    ec2Mock.on(AssociateIamInstanceProfileCommand).rejects(
      awsError('InvalidParameterValue', 'Value (web) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name'),
    );
    ec2Mock.on(ReplaceIamInstanceProfileAssociationCommand).rejects(awsError('InvalidAssociationID.NotFound', 'no such association'));
    await expect(ec2.associateProfile('i-0abc', { name: 'web' })).rejects.toMatchObject({ name: 'TransientAwsError', code: 'InvalidParameterValue' });
    await expect(ec2.replaceProfileAssociation('iip-assoc-0', { name: 'web' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('maps IncorrectState to TransientAwsError', async () => {
    ec2Mock.on(AssociateIamInstanceProfileCommand).rejects(awsError('IncorrectState', 'There is an existing association in progress'));
    await expect(ec2.associateProfile('i-0abc', { name: 'web' })).rejects.toBeInstanceOf(TransientAwsError);
  });

  // EC2's answers for an instance terminating or terminated under the call (Spot, scale-in): the instance state
  // cannot be told from the message, so the remediation reads the instance again (core/remediations/instance-gone.ts).
  it('maps IncorrectInstanceState to TransientAwsError (pending, stopping pass) and InvalidInstanceID.NotFound to NotFound', async () => {
    ec2Mock.on(AssociateIamInstanceProfileCommand).rejects(awsError('IncorrectInstanceState', "The instance 'i-0abc' is not in the 'running' or 'stopped' states."));
    await expect(ec2.associateProfile('i-0abc', { name: 'web' })).rejects.toMatchObject({ name: 'TransientAwsError', code: 'IncorrectInstanceState' });
    ec2Mock.on(AssociateIamInstanceProfileCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-0abc' does not exist"));
    await expect(ec2.associateProfile('i-0abc', { name: 'web' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an association refused because the instance terminated ends skipped, through the real adapter', async () => {
    ec2Mock.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });
    ec2Mock.on(AssociateIamInstanceProfileCommand).rejects(awsError('IncorrectInstanceState', "The instance 'i-0abc' is not in the 'running' or 'stopped' states."));
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc', State: { Name: 'terminated', Code: 48 } }] }] });
    const ports = { ec2 } as unknown as AccountPorts;
    const action = { type: 'associate-profile' as const, target: 'i-0abc', params: { profileName: 'web' }, reason: 'test' };
    expect(await associateProfile.apply(ports, action)).toMatchObject({ result: 'skipped', writes: { iam: 0, ec2: 0 }, detail: 'instance i-0abc no longer exists (terminated)' });
    // Purged from EC2 (about an hour later): DescribeInstances by id answers InvalidInstanceID.NotFound.
    ec2Mock.on(AssociateIamInstanceProfileCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-0abc' does not exist"));
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-0abc' does not exist"));
    expect(await associateProfile.apply(ports, action)).toMatchObject({ result: 'skipped', detail: 'instance i-0abc no longer exists (unknown to EC2)' });
    // Still running (a refusal for another reason): the error stands.
    ec2Mock.on(AssociateIamInstanceProfileCommand).rejects(awsError('IncorrectInstanceState', "The instance 'i-0abc' is not in the 'running' or 'stopped' states."));
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc', State: { Name: 'pending', Code: 0 } }] }] });
    await expect(associateProfile.apply(ports, action)).rejects.toMatchObject({ code: 'IncorrectInstanceState' });
  });
});

describe('AwsEc2Port launch templates', () => {
  it('describes a version by id and $Default with its profile and the template\'s tags (where IAM looks for the opt-in tag)', async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [{
        LaunchTemplateId: 'lt-0123', LaunchTemplateName: 'web', VersionNumber: 7, DefaultVersion: true,
        LaunchTemplateData: { IamInstanceProfile: { Name: 'web' } },
      }],
    });
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-0123', Tags: [{ Key: 'autoheal', Value: 'on' }] }] });
    const version = await ec2.describeLaunchTemplateVersion('lt-0123', '$Default');
    expect(ec2Mock.commandCalls(DescribeLaunchTemplateVersionsCommand)[0].args[0].input).toEqual({ LaunchTemplateId: 'lt-0123', Versions: ['$Default'] });
    expect(ec2Mock.commandCalls(DescribeLaunchTemplatesCommand)[0].args[0].input).toEqual({ LaunchTemplateIds: ['lt-0123'] });
    expect(version).toEqual({
      launchTemplateId: 'lt-0123', launchTemplateName: 'web', versionNumber: 7, defaultVersion: true, iamInstanceProfile: { name: 'web' }, tags: { autoheal: 'on' },
    });
  });

  it('reports an untagged template with empty tags', async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [{ LaunchTemplateId: 'lt-0123', LaunchTemplateName: 'web', VersionNumber: 1, DefaultVersion: true, LaunchTemplateData: {} }],
    });
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-0123' }] });
    expect((await ec2.describeLaunchTemplateVersion('lt-0123', '1'))?.tags).toEqual({});
  });

  it('reports a version without a profile as null profile, and a missing template as null', async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand, { Versions: ['3'] }).resolves({
      LaunchTemplateVersions: [{ LaunchTemplateId: 'lt-0123', LaunchTemplateName: 'web', VersionNumber: 3, DefaultVersion: false, LaunchTemplateData: {} }],
    });
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: 'lt-gone' }).rejects(awsError('InvalidLaunchTemplateId.NotFound'));
    expect((await ec2.describeLaunchTemplateVersion('lt-0123', '3'))?.iamInstanceProfile).toBeNull();
    expect(await ec2.describeLaunchTemplateVersion('lt-gone', '$Latest')).toBeNull();
  });

  it('creates a version from its source with only the profile, then makes it the default', async () => {
    ec2Mock.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: { LaunchTemplateId: 'lt-0123', VersionNumber: 8 } });
    ec2Mock.on(ModifyLaunchTemplateCommand).resolves({});
    const created = await ec2.createLaunchTemplateVersion('lt-0123', 7, { arn: WEB }, 'iam-autoheal: restore profile');
    await ec2.setDefaultLaunchTemplateVersion('lt-0123', created);
    expect(created).toBe(8);
    expect(ec2Mock.commandCalls(CreateLaunchTemplateVersionCommand)[0].args[0].input).toEqual({
      LaunchTemplateId: 'lt-0123', SourceVersion: '7', VersionDescription: 'iam-autoheal: restore profile',
      LaunchTemplateData: { IamInstanceProfile: { Arn: WEB } },
    });
    expect(ec2Mock.commandCalls(ModifyLaunchTemplateCommand)[0].args[0].input).toEqual({ LaunchTemplateId: 'lt-0123', DefaultVersion: '8' });
  });

  it('deletes one version; a version EC2 did not delete is an error (NotFound when it is gone), not a silent success', async () => {
    ec2Mock.on(DeleteLaunchTemplateVersionsCommand, { Versions: ['8'] }).resolves({ SuccessfullyDeletedLaunchTemplateVersions: [{ LaunchTemplateId: 'lt-0123', VersionNumber: 8 }] });
    ec2Mock.on(DeleteLaunchTemplateVersionsCommand, { Versions: ['9'] }).resolves({
      UnsuccessfullyDeletedLaunchTemplateVersions: [{ LaunchTemplateId: 'lt-0123', VersionNumber: 9, ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: 'gone' } }],
    });
    ec2Mock.on(DeleteLaunchTemplateVersionsCommand, { Versions: ['7'] }).resolves({
      UnsuccessfullyDeletedLaunchTemplateVersions: [{ LaunchTemplateId: 'lt-0123', VersionNumber: 7, ResponseError: { Code: 'unexpectedError', Message: 'Cannot delete the default version' } }],
    });
    await ec2.deleteLaunchTemplateVersion('lt-0123', 8);
    expect(ec2Mock.commandCalls(DeleteLaunchTemplateVersionsCommand)[0].args[0].input).toEqual({ LaunchTemplateId: 'lt-0123', Versions: ['8'] });
    await expect(ec2.deleteLaunchTemplateVersion('lt-0123', 9)).rejects.toBeInstanceOf(NotFoundError);
    await expect(ec2.deleteLaunchTemplateVersion('lt-0123', 7)).rejects.toSatisfy((e) => e instanceof AwsCallError && /default version/.test(e.message));
  });
});

describe('AwsEc2Port launch template by name', () => {
  it('finds the template of a name (a record naming it by name only): its id, default and latest versions, tags', async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand, { LaunchTemplateNames: ['reports'] }).resolves({
      LaunchTemplates: [{ LaunchTemplateId: 'lt-0aa1', LaunchTemplateName: 'reports', DefaultVersionNumber: 3, LatestVersionNumber: 4, Tags: [{ Key: 'iam-autoheal', Value: 'on' }] }],
    });
    expect(await ec2.describeLaunchTemplateByName('reports')).toEqual({ id: 'lt-0aa1', name: 'reports', defaultVersion: 3, latestVersion: 4, tags: { 'iam-autoheal': 'on' } });
  });

  it('an unknown name (EC2 answers NotFound, not an empty list) is null; throttling and access denied are errors', async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand)
      .rejectsOnce(awsError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.'))
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.'))
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    expect(await ec2.describeLaunchTemplateByName('gone')).toBeNull();
    await expect(ec2.describeLaunchTemplateByName('reports')).rejects.toBeInstanceOf(ThrottlingError);
    const denied = await ec2.describeLaunchTemplateByName('reports').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AwsCallError);
    expect((denied as AwsCallError).code).toBe('UnauthorizedOperation');
  });
});
