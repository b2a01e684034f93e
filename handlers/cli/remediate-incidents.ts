/**
 * The incidents `remediate` runs: those of a CloudTrail file (through the real intake: scope, coalescing,
 * refused records), or one built from the account's state for `--instance i-…` or `--role NAME` the way the
 * sweep builds its own (an instance without a profile; a role EC2 cannot assume), so that the diagnosis reads
 * them like any other incident.
 */
import { pino } from 'pino';
import type { Config } from '../core/config.ts';
import type { Incident } from '../core/incident.ts';
import type { AccountPorts, InstanceInfo } from '../core/ports.ts';
import { profileNameOf } from '../core/policy/principal.ts';
import { systemClock } from '../adapters/aws/clock.ts';
import { intakeStep, type IntakeSummary, type StartedIncident } from '../steps/intake.ts';
import { sweepIncident } from '../steps/sweep.ts';
import { profileFindings, trustSweepIncident } from '../steps/sweep-trust.ts';
import { operatorWorkflow } from '../wiring/operator.ts';
import { operatorExecutionName } from '../wiring/operator-names.ts';
import { InputError } from './errors.ts';

type Ports = Pick<AccountPorts, 'accountId' | 'region' | 'ec2' | 'iam'>;

/** An execution of the operator's own, named for this run. */
async function start(incident: Incident, at: Date): Promise<StartedIncident> {
  const name = operatorExecutionName(incident.key, at);
  const { executionArn } = await operatorWorkflow(incident.accountId, incident.region).startExecution(name, { incident });
  return { incident, executionName: name, executionArn, alreadyStarted: false };
}

/** The incident says why it was started: here, by the operator, not by the sweep. */
function byOperator(incident: Incident, reason: string): Incident {
  return { ...incident, trigger: { ...incident.trigger, eventName: 'Remediate', reason: `iam-autoheal remediate: ${reason}` } };
}

/** The file's records through intake (its scope and drift settings), each started incident renamed for this run. */
export async function fileIncidents(doc: unknown, file: string, accountId: string, region: string, config: Config): Promise<IntakeSummary> {
  const at = systemClock.now();
  const intake = await intakeStep(
    { workflow: operatorWorkflow(accountId, region), logger: pino({ level: 'silent' }), clock: systemClock, scope: config.scope, drift: config.drift },
    [{ id: file, body: doc }],
  );
  // A drift of a global resource may start one incident per scoped region: this run acts in its own region only.
  const elsewhere = intake.started.filter((s) => s.incident.region !== region);
  const started = await Promise.all(intake.started.filter((s) => s.incident.region === region).map((s) => start(s.incident, at)));
  const outOfScope = [...intake.outOfScope, ...elsewhere.map((s) => ({ key: s.incident.key, reason: `region ${s.incident.region}: this run remediates ${region} (pass --region ${s.incident.region})` }))];
  return { ...intake, started, outOfScope };
}

/** An instance's incident: its missing profile, its role EC2 cannot assume, or its whole chain checked. */
export async function instanceIncident(ports: Ports, instanceId: string): Promise<StartedIncident> {
  const target = { accountId: ports.accountId, region: ports.region };
  const instance = await ports.ec2.describeInstance(instanceId);
  if (!instance) throw new InputError(`--instance ${instanceId}: no such instance in account ${target.accountId} ${target.region}`);
  if (instance.state === 'terminated' || instance.state === 'shutting-down') throw new InputError(`--instance ${instanceId}: the instance is ${instance.state}: nothing to remediate`);
  const at = systemClock.now();
  if (!instance.instanceProfileArn) return start(byOperator(sweepIncident(target, [instance], at), `instance ${instanceId} has no instance profile`), at);
  const { rolesWithoutEc2Trust, profilesWithoutRole } = await profileFindings(ports.iam, [instance]);
  const trust = rolesWithoutEc2Trust[0];
  if (trust) return start(byOperator(trustSweepIncident(target, trust, at), `role ${trust.role.name} of instance ${instanceId}'s profile ${trust.profiles.join(', ')} does not let ec2.amazonaws.com assume it`), at);
  const profile = profileNameOf(instance.instanceProfileArn);
  const reason = profilesWithoutRole.length ? `profile ${profile} of instance ${instanceId} holds no role` : `instance ${instanceId} (profile ${profile}) checked on request`;
  return start(byOperator(sweepIncident(target, [instance], at), reason), at);
}

/** A role's incident: the profiles that hold it and the instances using them (running first). */
export async function roleIncident(ports: Ports, roleName: string, config: Config): Promise<StartedIncident> {
  const target = { accountId: ports.accountId, region: ports.region };
  const role = await ports.iam.getRole(roleName);
  if (!role) throw new InputError(`--role ${roleName}: no such role in account ${target.accountId}`);
  const profiles = (await ports.iam.listInstanceProfilesForRole(roleName)).map((p) => p.name);
  if (profiles.length === 0) throw new InputError(`--role ${roleName}: the role is in no instance profile, so no instance uses it: nothing to remediate`);
  const inventory = await ports.ec2.listInstances({ states: ['running', 'stopped'], tag: config.scope.tag });
  const users: InstanceInfo[] = inventory.filter((i) => i.instanceProfileArn && profiles.includes(profileNameOf(i.instanceProfileArn)));
  if (users.length === 0) throw new InputError(`--role ${roleName}: no running or stopped instance in ${target.region} uses its profile(s) ${profiles.join(', ')}: nothing to remediate`);
  const instances = [...users.filter((i) => i.state === 'running'), ...users.filter((i) => i.state !== 'running')];
  const { rolesWithoutEc2Trust } = await profileFindings(ports.iam, instances);
  const at = systemClock.now();
  const reason = rolesWithoutEc2Trust.length
    ? `role ${roleName} of profile ${profiles.join(', ')} does not let ec2.amazonaws.com assume it`
    : `role ${roleName} (profile ${profiles.join(', ')}, ${instances.length} instance(s)) checked on request`;
  return start(byOperator(trustSweepIncident(target, { role, profiles, instances }, at), reason), at);
}
