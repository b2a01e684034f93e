/**
 * Sweep step (scheduled): CloudTrail → EventBridge delivery is best effort, so every interval the sweep
 * lists the in-scope instances of each watched account and region and starts the workflow a launch or a
 * denial would have started: one execution for the running instances without an instance profile, and one
 * per role that lost EC2 trust while a profile in use holds it.
 */
import type { Logger } from 'pino';
import type { AccountPorts, InstanceInfo, WorkflowPort } from '../core/ports.ts';
import type { Config } from '../core/config.ts';
import type { Classification } from '../core/events/model.ts';
import type { Incident } from '../core/incident.ts';
import { executionNameOf } from '../core/intake.ts';
import type { StartedIncident } from './intake.ts';
import { rolesWithoutEc2Trust, trustSweepIncident } from './sweep-trust.ts';
import type { WorkflowInput } from './types.ts';

export interface SweepDeps {
  config: Config;
  workflow: WorkflowPort;
  portsFor(accountId: string, region: string): Promise<AccountPorts> | AccountPorts;
  clock: { now(): Date };
  logger: Logger;
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
}

/** The incident of a sweep: shaped like a launch of the instances found without a profile. */
export function sweepIncident(target: SweepTarget, instances: InstanceInfo[], at: Date): Incident {
  const time = at.toISOString();
  const trigger: Classification = {
    eventId: null, eventName: 'Sweep', eventSource: 'iam-autoheal', eventTime: time, region: target.region, kind: 'launch',
    reason: 'scheduled sweep: running instances without an instance profile',
    principal: { roleName: null, roleArn: null, instanceId: null, accountId: target.accountId },
    action: null, resource: null, denial: null, change: null,
    launch: { instanceIds: instances.map((i) => i.id), instanceProfile: null, launchTemplate: null, viaAutoScaling: false },
  };
  return {
    key: `sweep-${target.accountId}-${target.region}`,
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

export async function sweepStep(deps: SweepDeps, targets: SweepTarget[]): Promise<SweepSummary> {
  const summary: SweepSummary = { checked: 0, started: [], duplicates: 0 };
  const start = async (incident: Incident, found: string): Promise<void> => {
    const executionName = executionNameOf(incident);
    const input: WorkflowInput = { incident };
    const { executionArn, alreadyStarted } = await deps.workflow.startExecution(executionName, input);
    if (alreadyStarted) summary.duplicates++;
    summary.started.push({ incident, executionName, executionArn, alreadyStarted });
    deps.logger.info({ accountId: incident.accountId, region: incident.region, instances: incident.instanceIds, executionName, alreadyStarted }, found);
  };
  for (const target of targets) {
    const { ec2, iam } = await deps.portsFor(target.accountId, target.region);
    // Stopped instances count for trust: they keep their profile and fail at their next start.
    const inventory = await ec2.listInstances({ states: ['running', 'stopped'], tag: deps.config.scope.tag });
    summary.checked += inventory.length;
    const withoutProfile = inventory.filter((i) => i.state === 'running' && i.instanceProfileArn === null);
    if (withoutProfile.length) await start(sweepIncident(target, withoutProfile, deps.clock.now()), 'sweep found instances without a profile');
    for (const finding of await rolesWithoutEc2Trust(iam, inventory)) {
      await start(trustSweepIncident(target, finding, deps.clock.now()), `sweep found role ${finding.role.name} without EC2 trust`);
    }
  }
  return summary;
}
