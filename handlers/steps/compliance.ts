/**
 * The compliance report of the control the project enforces (every instance has a working role), for one
 * account and region: the sweep's findings (sweepFindings) plus where the instances without a profile come
 * from — the Auto Scaling group or launch template that launches them without one.
 */
import type { AccountPorts, InstanceInfo } from '../core/ports.ts';
import type { Config } from '../core/config.ts';
import { sweepFindings } from './sweep.ts';

export interface LaunchSourceWithoutProfile {
  kind: 'auto-scaling-group' | 'launch-template';
  /** Group name, or launch template id. */
  name: string;
  /** The launch template (and version as referenced) that launches without a profile; null: the group has none we can read (launch configuration or mixed instances policy). */
  launchTemplate: { id: string; version: string } | null;
  instanceIds: string[];
}

export interface ComplianceReport {
  accountId: string;
  region: string;
  checked: number;
  compliant: boolean;
  quarantined: string[];
  instancesWithoutProfile: Array<{ instanceId: string; launchedBy: string }>;
  profilesWithoutRole: Array<{ profile: string; instanceIds: string[] }>;
  rolesEc2CannotAssume: Array<{ role: string; profiles: string[]; instanceIds: string[] }>;
  launchSourcesWithoutProfile: LaunchSourceWithoutProfile[];
}

function launchedBy(instance: InstanceInfo): string {
  if (instance.autoScalingGroup) return `auto scaling group ${instance.autoScalingGroup}`;
  if (instance.launchTemplate) return `launch template ${instance.launchTemplate.id} v${instance.launchTemplate.version}`;
  return 'by hand';
}

/** The group's template (as the group references it), else the instance's own: the source its next instances launch from. */
async function launchSourceOf(ports: Pick<AccountPorts, 'ec2' | 'autoScaling'>, group: InstanceInfo[]): Promise<LaunchSourceWithoutProfile | null> {
  const first = group[0]!;
  const instanceIds = group.map((i) => i.id);
  if (first.autoScalingGroup) {
    const asg = await ports.autoScaling.describeGroup(first.autoScalingGroup);
    if (!asg) return null; // deleted since the instances launched
    if (!asg.launchTemplate) return { kind: 'auto-scaling-group', name: asg.name, launchTemplate: null, instanceIds };
    const version = await ports.ec2.describeLaunchTemplateVersion(asg.launchTemplate.id, asg.launchTemplate.version);
    return version && version.iamInstanceProfile === null ? { kind: 'auto-scaling-group', name: asg.name, launchTemplate: asg.launchTemplate, instanceIds } : null;
  }
  if (first.launchTemplate) {
    // The default version is what the next launch by template uses.
    const version = await ports.ec2.describeLaunchTemplateVersion(first.launchTemplate.id, '$Default');
    return version && version.iamInstanceProfile === null
      ? { kind: 'launch-template', name: first.launchTemplate.id, launchTemplate: { id: first.launchTemplate.id, version: String(version.versionNumber) }, instanceIds }
      : null;
  }
  return null;
}

export async function complianceReport(ports: Pick<AccountPorts, 'accountId' | 'region' | 'ec2' | 'iam' | 'autoScaling'>, config: Config): Promise<ComplianceReport> {
  const found = await sweepFindings(ports, config);
  const launchSources: LaunchSourceWithoutProfile[] = [];
  for (const group of found.withoutProfile) {
    const source = await launchSourceOf(ports, group);
    if (source) launchSources.push(source);
  }
  const report: Omit<ComplianceReport, 'compliant'> = {
    accountId: ports.accountId,
    region: ports.region,
    checked: found.inventory.length,
    quarantined: found.quarantined.map((i) => i.id),
    instancesWithoutProfile: found.withoutProfile.flat().map((i) => ({ instanceId: i.id, launchedBy: launchedBy(i) })),
    profilesWithoutRole: found.profilesWithoutRole.map((p) => ({ profile: p.profile, instanceIds: p.instances.map((i) => i.id) })),
    rolesEc2CannotAssume: found.rolesWithoutEc2Trust.map((r) => ({ role: r.role.name, profiles: r.profiles, instanceIds: r.instances.map((i) => i.id) })),
    launchSourcesWithoutProfile: launchSources,
  };
  const compliant = !report.instancesWithoutProfile.length && !report.profilesWithoutRole.length && !report.rolesEc2CannotAssume.length && !report.launchSourcesWithoutProfile.length;
  return { ...report, compliant };
}

