/** AutoScalingPort on the Auto Scaling API; a group's template is either its own or its mixed instances policy's. */
import {
  type AutoScalingClient, type AutoScalingGroup, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroupInfo, AutoScalingPort } from '../../core/ports.ts';
import { tagRecord } from './clients.ts';
import { mapErrors } from './errors.ts';

export class AwsAutoScalingPort implements AutoScalingPort {
  constructor(private readonly client: AutoScalingClient) {}

  async describeGroup(name: string): Promise<AutoScalingGroupInfo | null> {
    const group = await this.findGroup(name);
    if (!group) return null;
    const spec = templateSpec(group);
    return {
      name: group.AutoScalingGroupName ?? name,
      launchTemplate: spec?.LaunchTemplateId ? { id: spec.LaunchTemplateId, version: spec.Version ?? '$Default' } : null,
      instanceIds: (group.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
      tags: tagRecord(group.Tags),
    };
  }

  async setGroupLaunchTemplate(name: string, launchTemplate: { id: string; version: string }): Promise<void> {
    const spec = { LaunchTemplateId: launchTemplate.id, Version: launchTemplate.version };
    // A group with a mixed instances policy rejects a top-level LaunchTemplate; unspecified policy fields stay as they are.
    const mixed = (await this.findGroup(name))?.MixedInstancesPolicy !== undefined;
    const input = mixed
      ? { AutoScalingGroupName: name, MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: spec } } }
      : { AutoScalingGroupName: name, LaunchTemplate: spec };
    await mapErrors(this.client.send(new UpdateAutoScalingGroupCommand(input)));
  }

  private async findGroup(name: string): Promise<AutoScalingGroup | undefined> {
    const out = await mapErrors(this.client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })));
    return out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name);
  }
}

function templateSpec(group: AutoScalingGroup) {
  return group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
}
