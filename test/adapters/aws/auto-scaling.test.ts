import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { AwsAutoScalingPort } from '../../../handlers/adapters/aws/auto-scaling.ts';
import { AwsCallError, ThrottlingError } from '../../../handlers/core/ports.ts';
import { awsError, clientConfig, pagedResponses } from './fake-aws.ts';

const asgMock = mockClient(AutoScalingClient);
const autoScaling = new AwsAutoScalingPort(new AutoScalingClient(clientConfig));
const group = { AutoScalingGroupName: 'web-asg', MinSize: 1, MaxSize: 3, DesiredCapacity: 2, DefaultCooldown: 300, AvailabilityZones: ['us-east-1a'], HealthCheckType: 'EC2', CreatedTime: new Date(0) };
const instances = [
  { InstanceId: 'i-1', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService' as const, HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
  { InstanceId: 'i-2', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService' as const, HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
];

beforeEach(() => asgMock.reset());

describe('AwsAutoScalingPort', () => {
  it('describes a group with its own launch template and its own tags (where IAM looks for the opt-in tag)', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{
        ...group, Instances: instances, LaunchTemplate: { LaunchTemplateId: 'lt-0123', LaunchTemplateName: 'web', Version: '$Latest' },
        Tags: [{ Key: 'autoheal', Value: 'on', ResourceId: 'web-asg', ResourceType: 'auto-scaling-group', PropagateAtLaunch: true }],
      }],
    });
    expect(await autoScaling.describeGroup('web-asg')).toEqual({
      name: 'web-asg', launchTemplate: { id: 'lt-0123', version: '$Latest' }, instanceIds: ['i-1', 'i-2'], tags: { autoheal: 'on' },
    });
    expect(asgMock.commandCalls(DescribeAutoScalingGroupsCommand)[0].args[0].input).toEqual({ AutoScalingGroupNames: ['web-asg'] });
  });

  it("describes a mixed instances group by its policy's template, and a missing group as null", async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['web-asg'] }).resolves({
      AutoScalingGroups: [{ ...group, MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0456', Version: '4' } } } }],
    });
    asgMock.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['gone'] }).resolves({ AutoScalingGroups: [] });
    expect((await autoScaling.describeGroup('web-asg'))?.launchTemplate).toEqual({ id: 'lt-0456', version: '4' });
    expect(await autoScaling.describeGroup('gone')).toBeNull();
  });

  it('points a group at a template version, through the mixed instances policy when it has one', async () => {
    asgMock.on(UpdateAutoScalingGroupCommand).resolves({});
    asgMock.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['plain'] }).resolves({
      AutoScalingGroups: [{ ...group, AutoScalingGroupName: 'plain', LaunchTemplate: { LaunchTemplateId: 'lt-0123', Version: '7' } }],
    });
    asgMock.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['mixed'] }).resolves({
      AutoScalingGroups: [{ ...group, AutoScalingGroupName: 'mixed', MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0456', Version: '4' } } } }],
    });
    await autoScaling.setGroupLaunchTemplate('plain', { id: 'lt-0123', version: '8' });
    await autoScaling.setGroupLaunchTemplate('mixed', { id: 'lt-0456', version: '5' });
    expect(asgMock.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'plain', LaunchTemplate: { LaunchTemplateId: 'lt-0123', Version: '8' } },
      { AutoScalingGroupName: 'mixed', MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0456', Version: '5' } } } },
    ]);
  });

  it('lists every group over all pages, 100 at a time, filtered by the tag on the server side', async () => {
    const page = (names: string[], NextToken?: string) => ({ AutoScalingGroups: names.map((n) => ({ ...group, AutoScalingGroupName: n, LaunchTemplate: { LaunchTemplateId: 'lt-0123', Version: '$Default' } })), NextToken });
    const { inputs, respond } = pagedResponses([page(['a', 'b'], 'next-1'), page(['c'])]);
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(respond);
    const seen: number[] = [];
    const groups = await autoScaling.listGroups({ tag: { key: 'iam-autoheal', value: 'on' } }, (n) => seen.push(n));
    expect(groups.map((g) => [g.name, g.launchTemplate])).toEqual([['a', { id: 'lt-0123', version: '$Default' }], ['b', { id: 'lt-0123', version: '$Default' }], ['c', { id: 'lt-0123', version: '$Default' }]]);
    expect(inputs).toEqual([
      { MaxRecords: 100, Filters: [{ Name: 'tag:iam-autoheal', Values: ['on'] }] },
      { MaxRecords: 100, Filters: [{ Name: 'tag:iam-autoheal', Values: ['on'] }], NextToken: 'next-1' },
    ]);
    expect(seen).toEqual([2, 3]);
  });

  it('listing groups: throttling is ThrottlingError, access denied an AwsCallError naming the action', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejects(awsError('AccessDenied', 'User: arn:aws:iam::111122223333:user/ops is not authorized to perform: autoscaling:DescribeAutoScalingGroups'));
    await expect(autoScaling.listGroups({})).rejects.toBeInstanceOf(ThrottlingError);
    const denied = await autoScaling.listGroups({}).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AwsCallError);
    expect((denied as AwsCallError).message).toMatch(/autoscaling:DescribeAutoScalingGroups/);
  });

  it('maps Auto Scaling throttling to ThrottlingError', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(autoScaling.describeGroup('web-asg')).rejects.toBeInstanceOf(ThrottlingError);
  });
});
