/**
 * The compliance report of the control the project enforces (every instance has a working role), for one
 * account and region: the sweep's findings (sweepFindings) plus where the instances without a profile come
 * from — the Auto Scaling group or launch template that launches them without one — and every Auto Scaling group
 * (in scope) whose template launches without one, with or without instances yet.
 */
import type { AccountPorts, AutoScalingGroupInfo, InstanceInfo, LaunchTemplateVersionInfo } from '../core/ports.ts';
import type { Config } from '../core/config.ts';
import { sweepFindings } from './sweep.ts';

export interface LaunchSourceWithoutProfile {
  kind: 'auto-scaling-group' | 'launch-template';
  /** Group name, or launch template id. */
  name: string;
  /** The launch template (and version as referenced) that launches without a profile; null: the group has none we can read (launch configuration or mixed instances policy). */
  launchTemplate: { id: string; version: string } | null;
  /** Its running instances without a profile; empty for a group that has launched none yet. */
  instanceIds: string[];
}

/** Progress within a region (stderr of `check`): what is being read, and how far. */
export type Progress = (text: string) => void;

/** Read a group's template every this many groups: one progress line each. */
const PROGRESS_EVERY = 25;

export interface ComplianceReport {
  accountId: string;
  region: string;
  checked: number;
  /** Auto Scaling groups read (in scope: carrying scope.tag when set), with or without instances. */
  groupsChecked: number;
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

type VersionReader = (id: string, version: string) => Promise<LaunchTemplateVersionInfo | null>;

/** One read per template version, however many groups or instances launch it. */
function versionReader(ports: Pick<AccountPorts, 'ec2'>): VersionReader {
  const cache = new Map<string, Promise<LaunchTemplateVersionInfo | null>>();
  return (id, version) => {
    const key = `${id}@${version}`;
    if (!cache.has(key)) cache.set(key, ports.ec2.describeLaunchTemplateVersion(id, version));
    return cache.get(key)!;
  };
}

/** A group whose template launches without a profile (or that launches from no template we can read); null when it launches with one. */
async function groupSource(asg: AutoScalingGroupInfo, version: VersionReader, instanceIds: string[]): Promise<LaunchSourceWithoutProfile | null> {
  if (!asg.launchTemplate) return { kind: 'auto-scaling-group', name: asg.name, launchTemplate: null, instanceIds };
  const read = await version(asg.launchTemplate.id, asg.launchTemplate.version);
  return read && read.iamInstanceProfile === null ? { kind: 'auto-scaling-group', name: asg.name, launchTemplate: asg.launchTemplate, instanceIds } : null;
}

/** The group's template (as the group references it), else the instance's own: the source its next instances launch from. */
async function launchSourceOf(ports: Pick<AccountPorts, 'ec2' | 'autoScaling'>, version: VersionReader, group: InstanceInfo[]): Promise<LaunchSourceWithoutProfile | null> {
  const first = group[0]!;
  const instanceIds = group.map((i) => i.id);
  if (first.autoScalingGroup) {
    const asg = await ports.autoScaling.describeGroup(first.autoScalingGroup);
    return asg ? groupSource(asg, version, instanceIds) : null; // null: deleted since the instances launched
  }
  if (first.launchTemplate) {
    // The default version is what the next launch by template uses.
    const read = await version(first.launchTemplate.id, '$Default');
    return read && read.iamInstanceProfile === null
      ? { kind: 'launch-template', name: first.launchTemplate.id, launchTemplate: { id: first.launchTemplate.id, version: String(read.versionNumber) }, instanceIds }
      : null;
  }
  return null;
}

/**
 * Every group of the region (in scope), instances or not: those whose template launches without a profile. A group
 * launching from a launch configuration is reported only with instances without a profile (above): with none, there
 * is nothing read to report.
 */
async function groupsWithoutProfile(ports: Pick<AccountPorts, 'autoScaling'>, version: VersionReader, config: Config, known: Set<string>, progress?: Progress): Promise<{ groups: number; found: LaunchSourceWithoutProfile[] }> {
  progress?.('listing Auto Scaling groups…');
  const groups = await ports.autoScaling.listGroups({ tag: config.scope.tag }, (n) => progress?.(`  ${n} group(s) listed`));
  const found: LaunchSourceWithoutProfile[] = [];
  for (const [i, asg] of groups.entries()) {
    if ((i + 1) % PROGRESS_EVERY === 0 || i + 1 === groups.length) progress?.(`  launch templates of ${i + 1}/${groups.length} group(s) read`);
    if (known.has(asg.name) || !asg.launchTemplate) continue;
    const source = await groupSource(asg, version, []);
    if (source) found.push(source);
  }
  return { groups: groups.length, found };
}

export async function complianceReport(ports: Pick<AccountPorts, 'accountId' | 'region' | 'ec2' | 'iam' | 'autoScaling'>, config: Config, progress?: Progress): Promise<ComplianceReport> {
  progress?.('listing instances…');
  const found = await sweepFindings(ports, config, (n) => progress?.(`  ${n} instance(s) listed`));
  const version = versionReader(ports);
  const launchSources: LaunchSourceWithoutProfile[] = [];
  for (const group of found.withoutProfile) {
    const source = await launchSourceOf(ports, version, group);
    if (source) launchSources.push(source);
  }
  const known = new Set(launchSources.filter((s) => s.kind === 'auto-scaling-group').map((s) => s.name));
  const groups = await groupsWithoutProfile(ports, version, config, known, progress);
  launchSources.push(...groups.found);
  const report: Omit<ComplianceReport, 'compliant'> = {
    accountId: ports.accountId,
    region: ports.region,
    checked: found.inventory.length,
    groupsChecked: groups.groups,
    quarantined: found.quarantined.map((i) => i.id),
    instancesWithoutProfile: found.withoutProfile.flat().map((i) => ({ instanceId: i.id, launchedBy: launchedBy(i) })),
    profilesWithoutRole: found.profilesWithoutRole.map((p) => ({ profile: p.profile, instanceIds: p.instances.map((i) => i.id) })),
    rolesEc2CannotAssume: found.rolesWithoutEc2Trust.map((r) => ({ role: r.role.name, profiles: r.profiles, instanceIds: r.instances.map((i) => i.id) })),
    launchSourcesWithoutProfile: launchSources,
  };
  const compliant = !report.instancesWithoutProfile.length && !report.profilesWithoutRole.length && !report.rolesEc2CannotAssume.length && !report.launchSourcesWithoutProfile.length;
  return { ...report, compliant };
}
