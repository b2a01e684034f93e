/**
 * Sweep step (scheduled): CloudTrail → EventBridge delivery is best effort, so every interval the sweep
 * lists the in-scope instances of each watched account and region and starts the workflow a launch or a
 * denial would have started, one execution per root cause as intake keys launches: the running instances
 * without an instance profile of one Auto Scaling group, else of one launch template, else each instance
 * launched by hand on its own; and one per role that lost EC2 trust while a profile in use holds it.
 */
import type { Logger } from 'pino';
import type { AccountPorts, InstanceInfo, InstanceListPort, WorkflowPort } from '../core/ports.ts';
import type { Config } from '../core/config.ts';
import type { Classification } from '../core/events/model.ts';
import type { Incident } from '../core/incident.ts';
import { keyOf } from '../core/events/incident-key.ts';
import { QUARANTINE_TAG } from '../core/policy/authority.ts';
import { executionNameOf } from '../core/intake.ts';
import { instanceCountOf, withFleetList } from './fleet.ts';
import type { StartedIncident } from './intake.ts';
import { profileFindings, trustSweepIncident, type ProfileFindings } from './sweep-trust.ts';
import type { WorkflowInput } from './types.ts';

export interface SweepDeps {
  config: Config;
  workflow: WorkflowPort;
  portsFor(accountId: string, region: string): Promise<AccountPorts> | AccountPorts;
  clock: { now(): Date };
  logger: Logger;
  /** Where a group with more instances than one batch keeps its list (the state table). @default kept in the input */
  instanceLists?: InstanceListPort;
}

export interface SweepTarget {
  accountId: string;
  region: string;
}

export interface SweepSummary {
  /** Instances inventoried (running or stopped, in scope). */
  checked: number;
  started: StartedIncident[];
  duplicates: number;
  /** Instances left alone because they carry the quarantine tag (an incident response is under way: no hourly escalation). */
  quarantined: string[];
}

/** What the instances of one sweep incident share: their Auto Scaling group, else their launch template, else nothing (one instance). */
export function sweepGroupOf(instance: InstanceInfo): string {
  if (instance.autoScalingGroup) return `asg:${instance.autoScalingGroup}`;
  if (instance.launchTemplate) return `lt:${instance.launchTemplate.id}`;
  return `manual:${instance.id}`;
}

/** The running instances without a profile, grouped by root cause (first seen first). */
export function groupWithoutProfile(instances: InstanceInfo[]): InstanceInfo[][] {
  const groups = new Map<string, InstanceInfo[]>();
  for (const instance of instances) groups.set(sweepGroupOf(instance), [...(groups.get(sweepGroupOf(instance)) ?? []), instance]);
  return [...groups.values()];
}

/** The incident of a sweep for one root cause: shaped like a launch of the instances found without a profile. */
export function sweepIncident(target: SweepTarget, instances: InstanceInfo[], at: Date): Incident {
  const time = at.toISOString();
  const first = instances[0]!;
  const group = sweepGroupOf(first);
  const trigger: Classification = {
    eventId: null, eventName: 'Sweep', eventSource: 'iam-autoheal', eventTime: time, region: target.region, kind: 'launch',
    reason: `scheduled sweep: running instances without an instance profile (${group})`,
    principal: { roleName: null, roleArn: null, instanceId: null, accountId: target.accountId },
    action: null, resource: null, denial: null, change: null,
    launch: {
      instanceIds: instances.map((i) => i.id), instanceProfile: null, viaAutoScaling: first.autoScalingGroup !== null,
      launchTemplate: first.launchTemplate ? { launchTemplateId: first.launchTemplate.id, version: first.launchTemplate.version } : null,
      autoScalingGroup: first.autoScalingGroup,
    },
  };
  return {
    key: keyOf(['sweep', target.accountId, target.region, group]),
    accountId: target.accountId, region: target.region, kind: 'sweep', trigger,
    instanceIds: instances.map((i) => i.id), actions: [], eventCount: 0, firstSeen: time, lastSeen: time, recentChanges: [],
  };
}

/** Watched accounts × regions from the configuration's scope; the sweep's own account and region when it lists none. */
export function sweepTargets(config: Config, own: SweepTarget): SweepTarget[] {
  const accounts = config.scope.accounts.length ? config.scope.accounts : [own.accountId];
  const regions = config.scope.regions.length ? config.scope.regions : [own.region];
  return accounts.flatMap((accountId) => regions.map((region) => ({ accountId, region })));
}

/** What the sweep finds in one account and region; the compliance report (`iam-autoheal check`) reads the same. */
export interface SweepFindings extends ProfileFindings {
  /** Instances inventoried (running or stopped, in scope). */
  inventory: InstanceInfo[];
  /** Instances tagged for quarantine: left alone. */
  quarantined: InstanceInfo[];
  /** Running instances without a profile, grouped by root cause. */
  withoutProfile: InstanceInfo[][];
}

export async function sweepFindings(ports: Pick<AccountPorts, 'ec2' | 'iam'>, config: Config, onPage?: (instancesSoFar: number) => void): Promise<SweepFindings> {
  // Stopped instances count for trust: they keep their profile and fail at their next start.
  const inventory = await ports.ec2.listInstances({ states: ['running', 'stopped'], tag: config.scope.tag }, onPage);
  const quarantined = inventory.filter((i) => i.tags[QUARANTINE_TAG] !== undefined);
  const withoutProfile = groupWithoutProfile(inventory.filter((i) => i.state === 'running' && i.instanceProfileArn === null && i.tags[QUARANTINE_TAG] === undefined));
  return { inventory, quarantined, withoutProfile, ...(await profileFindings(ports.iam, inventory)) };
}

export async function sweepStep(deps: SweepDeps, targets: SweepTarget[]): Promise<SweepSummary> {
  const summary: SweepSummary = { checked: 0, started: [], duplicates: 0, quarantined: [] };
  const start = async (whole: Incident, found: string): Promise<void> => {
    const executionName = executionNameOf(whole);
    const incident = await withFleetList(deps.instanceLists, whole, executionName, deps.clock.now());
    const input: WorkflowInput = { incident };
    const { executionArn, alreadyStarted } = await deps.workflow.startExecution(executionName, input);
    if (alreadyStarted) summary.duplicates++;
    summary.started.push({ incident, executionName, executionArn, alreadyStarted });
    deps.logger.info({ accountId: incident.accountId, region: incident.region, instances: instanceCountOf(incident), executionName, alreadyStarted }, found);
  };
  for (const target of targets) {
    const found = await sweepFindings(await deps.portsFor(target.accountId, target.region), deps.config);
    summary.checked += found.inventory.length;
    const { quarantined } = found;
    summary.quarantined.push(...quarantined.map((i) => i.id));
    if (quarantined.length) deps.logger.info({ accountId: target.accountId, region: target.region, instances: quarantined.map((i) => i.id) }, `sweep leaves instances tagged ${QUARANTINE_TAG} alone`);
    for (const group of found.withoutProfile) await start(sweepIncident(target, group, deps.clock.now()), 'sweep found instances without a profile');
    for (const finding of found.rolesWithoutEc2Trust) {
      await start(trustSweepIncident(target, finding, deps.clock.now()), `sweep found role ${finding.role.name} without EC2 trust`);
    }
  }
  return summary;
}
