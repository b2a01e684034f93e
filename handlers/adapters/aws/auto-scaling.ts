/** AutoScalingPort on the Auto Scaling API; a group's template is either its own or its mixed instances policy's. */
import {
  AutoScalingClient, type AutoScalingGroup, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand, paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroupInfo, AutoScalingPort } from '../../core/ports.ts';
import { awsClient, tagRecord, type CredentialsIdentity } from './clients.ts';
import { mapErrors } from './errors.ts';

/** The port of one account and region. */
export function autoScalingPortOf(region: string, identity?: CredentialsIdentity): AwsAutoScalingPort {
  return new AwsAutoScalingPort(awsClient(AutoScalingClient, region, identity));
}

export class AwsAutoScalingPort implements AutoScalingPort {
  constructor(private readonly client: AutoScalingClient) {}

  async describeGroup(name: string): Promise<AutoScalingGroupInfo | null> {
    const group = await this.findGroup(name);
    return group ? toGroupInfo(group, name) : null;
  }

  async listGroups(filter: { tag?: { key: string; value: string } | null }, onPage?: (groupsSoFar: number) => void): Promise<AutoScalingGroupInfo[]> {
    // 100 per page (the API's maximum); the tag filter is applied by Auto Scaling, not here.
    const input = { MaxRecords: 100, ...(filter.tag ? { Filters: [{ Name: `tag:${filter.tag.key}`, Values: [filter.tag.value] }] } : {}) };
    const groups: AutoScalingGroupInfo[] = [];
    const pages = paginateDescribeAutoScalingGroups({ client: this.client }, input);
    await mapErrors((async () => {
      for await (const page of pages) {
        groups.push(...(page.AutoScalingGroups ?? []).map((g) => toGroupInfo(g, g.AutoScalingGroupName ?? '')));
        onPage?.(groups.length);
      }
    })());
    return groups;
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

function toGroupInfo(group: AutoScalingGroup, name: string): AutoScalingGroupInfo {
  const spec = templateSpec(group);
  return {
    name: group.AutoScalingGroupName ?? name,
    launchTemplate: spec?.LaunchTemplateId ? { id: spec.LaunchTemplateId, version: spec.Version ?? '$Default' } : null,
    instanceIds: (group.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
    tags: tagRecord(group.Tags),
  };
}

function templateSpec(group: AutoScalingGroup) {
  return group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
}
