/** AutoScalingPort of the simulated account: groups, their members and their launch template reference. */
import type { AutoScalingGroupInfo, AutoScalingPort } from '../../core/ports.ts';
import type { CallGate } from './call-gate.ts';
import type { VirtualClock } from './clock.ts';
import { resolveVersion } from './ec2.ts';
import { awsError } from './errors.ts';
import type { AccountState, GroupRecord } from './state.ts';

export class SimulatedAutoScaling implements AutoScalingPort {
  constructor(private readonly state: AccountState, private readonly gate: CallGate, private readonly clock: VirtualClock) {}

  describeGroup(name: string): Promise<AutoScalingGroupInfo | null> {
    return this.gate.call('DescribeAutoScalingGroups', 'ec2-read', () => {
      const group = this.state.groups.get(name);
      return group ? this.info(group) : null;
    });
  }

  /** One DescribeAutoScalingGroups call per page of 100, as the real adapter makes them. */
  async listGroups(filter: { tag?: { key: string; value: string } | null }, onPage?: (groupsSoFar: number) => void): Promise<AutoScalingGroupInfo[]> {
    const tag = filter.tag;
    const names = [...this.state.groups.values()].filter((g) => !tag || g.tags[tag.key] === tag.value).map((g) => g.name);
    const out: AutoScalingGroupInfo[] = [];
    for (let i = 0; i === 0 || i < names.length; i += 100) {
      const page = names.slice(i, i + 100);
      out.push(...(await this.gate.call('DescribeAutoScalingGroups', 'ec2-read', () => page.map((name) => this.info(this.state.groups.get(name)!)))));
      onPage?.(out.length);
    }
    return out;
  }

  private info(group: GroupRecord): AutoScalingGroupInfo {
    const now = this.clock.nowMs();
    const instanceIds = [...this.state.instances.values()]
      .filter((i) => i.autoScalingGroup === group.name && this.state.instanceStateAt(i, now) !== 'terminated')
      .map((i) => i.id);
    return { name: group.name, launchTemplate: group.launchTemplate ? { ...group.launchTemplate } : null, instanceIds, tags: { ...group.tags } };
  }

  setGroupLaunchTemplate(name: string, launchTemplate: { id: string; version: string }): Promise<void> {
    return this.gate.call('UpdateAutoScalingGroup', 'ec2-write', () => {
      const group = this.state.groups.get(name);
      if (!group) throw awsError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
      const template = this.state.templates.get(launchTemplate.id);
      if (!template) throw awsError('ValidationError', `The specified launch template, with template ID ${launchTemplate.id}, does not exist.`);
      const version = resolveVersion(template, launchTemplate.version);
      if (version === null || !template.versions.has(version)) {
        throw awsError('ValidationError', `The specified launch template version ${launchTemplate.version} of ${launchTemplate.id} does not exist.`);
      }
      group.launchTemplate = { ...launchTemplate };
      group.updatedAt = this.clock.nowMs();
    }, 1, () => ({ request: { autoScalingGroupName: name, launchTemplate: { launchTemplateId: launchTemplate.id, version: launchTemplate.version } } }));
  }
}
