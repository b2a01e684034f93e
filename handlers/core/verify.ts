/**
 * Is the incident resolved? Checks what a user would check: the association is associated with the
 * expected profile, the profile holds the role and EC2 may assume it, the trust allows EC2, the simulation allows the denied
 * call; for launches, every instance has a profile. Throttling propagates: the state machine retries.
 */
import { isAwsAnswer, ThrottlingError, TransientAwsError, type AccountPorts, type InstanceInfo, type PolicyDocument, type ProfileAssociation, type SimulationResult } from './ports.ts';
import { documentVerdicts } from './policy/coverage.ts';
import { actionsByResource, deniedCallsOf, MAX_INSTANCES, MAX_SIMULATED_ACTIONS } from './diagnosis/gather.ts';
import { INSTANCE_ACTIONS, type Diagnosis, type Evidence, type Incident, type PlannedAction } from './incident.ts';
import { profileNameOf } from './policy/principal.ts';
import { readTrust } from './policy/trust.ts';
import { activeAssociation, carriesProfile, currentAssociation, isProfile } from './remediations/lookups.ts';

interface Check {
  ok: boolean;
  evidence: Evidence;
}

/** Beyond this many instance checks, the evidence names the failures and one count, not every instance. */
const LISTED_INSTANCE_CHECKS = 10;

/** Instances and their current associations, read in two batched calls. */
interface InstanceReads {
  instances: Map<string, InstanceInfo>;
  associations: ProfileAssociation[];
}

async function readInstances(ports: AccountPorts, ids: string[]): Promise<InstanceReads> {
  if (ids.length === 0) return { instances: new Map(), associations: [] };
  const instances = new Map((await ports.ec2.describeInstances(ids)).map((i) => [i.id, i]));
  return { instances, associations: await ports.ec2.describeProfileAssociationsOfInstances(ids) };
}

function instanceHasProfile(reads: InstanceReads, instanceId: string, profileName: string | null): Check {
  const instance = reads.instances.get(instanceId);
  if (!instance || instance.state === 'terminated' || instance.state === 'shutting-down') {
    return { ok: true, evidence: { kind: 'association', summary: `${instanceId} is ${instance?.state ?? 'gone'}; nothing to verify` } };
  }
  const association = activeAssociation(reads.associations.filter((a) => a.instanceId === instanceId));
  if (!association) return { ok: false, evidence: { kind: 'association', summary: `${instanceId} still has no instance profile` } };
  if (association.state !== 'associated') return { ok: false, evidence: { kind: 'association', summary: `${instanceId}: association ${association.associationId} is ${association.state}`, data: association } };
  if (profileName && !isProfile(association.instanceProfileArn, profileName)) {
    return { ok: false, evidence: { kind: 'association', summary: `${instanceId} has ${profileNameOf(association.instanceProfileArn)}, not the expected ${profileName}`, data: association } };
  }
  return { ok: true, evidence: { kind: 'association', summary: `${instanceId} has profile ${profileNameOf(association.instanceProfileArn)} (associated)`, data: association } };
}

async function checkAction(ports: AccountPorts, reads: InstanceReads, action: PlannedAction): Promise<Check | null> {
  const profileName = typeof action.params.profileName === 'string' ? action.params.profileName : null;
  switch (action.type) {
    case 'associate-profile':
      return instanceHasProfile(reads, action.target, profileName);
    case 'replace-association': {
      const check = instanceHasProfile(reads, action.target, profileName);
      const association = check.evidence.data as { associationId?: string } | undefined;
      if (check.ok && association?.associationId && association.associationId === action.params.associationId) {
        return { ok: false, evidence: { kind: 'association', summary: `${action.target} still has the old association ${association.associationId}` } };
      }
      return check;
    }
    case 'add-role-to-profile': {
      const roleName = String(action.params.roleName);
      const profile = await ports.iam.getInstanceProfile(action.target);
      const held = !!profile?.roles.includes(roleName);
      // A role EC2 may not assume gives the instances no credentials: the profile is not fixed until it may.
      const role = held ? await ports.iam.getRole(roleName) : null;
      const assumable = !!role && readTrust(role.trustPolicy).allowsEc2;
      const summary = !held
        ? `profile ${action.target} holds ${profile?.roles.join(', ') || 'no role'}`
        : `profile ${action.target} holds ${roleName}, whose trust policy ${assumable ? 'lets' : 'does not let'} ec2.amazonaws.com assume it`;
      return { ok: held && assumable, evidence: { kind: 'instance profile', summary, data: role?.trustPolicy } };
    }
    case 'merge-trust': {
      const role = await ports.iam.getRole(action.target);
      const ok = !!role && readTrust(role.trustPolicy).allowsEc2;
      return { ok, evidence: { kind: 'trust policy', summary: `trust policy of ${action.target} ${ok ? 'lets' : 'does not let'} ec2.amazonaws.com assume it`, data: role?.trustPolicy } };
    }
    case 'set-default-launch-template-version': {
      const version = await ports.ec2.describeLaunchTemplateVersion(action.target, '$Default');
      const ok = carriesProfile(version, profileName ?? '');
      return { ok, evidence: { kind: 'launch template', summary: `default version ${version?.versionNumber ?? '?'} of ${action.target} ${ok ? 'carries' : 'lacks'} ${profileName}` } };
    }
    default:
      return null;
  }
}

/** Every denied call of the incident (bounded as in the diagnosis), simulated for the role the instance has now. */
async function simulationCheck(ports: AccountPorts, diagnosis: Diagnosis, incident: Incident): Promise<Check | null> {
  const { action, resource } = diagnosis.subject;
  if (!action) return null;
  let roleArn = diagnosis.subject.roleArn;
  const instanceId = diagnosis.subject.instanceIds[0];
  if (instanceId) {
    const association = await currentAssociation(ports.ec2, instanceId);
    const profile = association ? await ports.iam.getInstanceProfile(profileNameOf(association.instanceProfileArn)) : null;
    const roleName = profile?.roles[0];
    if (roleName) roleArn = (await ports.iam.getRole(roleName))?.arn ?? roleArn;
  }
  if (!roleArn) return { ok: false, evidence: { kind: 'simulation', summary: 'no role to simulate the denied call for' } };
  const calls = deniedCallsOf(incident, { action, resource }).slice(0, MAX_SIMULATED_ACTIONS);
  const results: SimulationResult[] = [];
  try {
    for (const [on, actions] of actionsByResource(calls)) {
      results.push(...(await ports.iam.simulatePrincipalPolicy({ roleArn, actions, resources: on ? [on] : undefined })));
    }
  } catch (err) {
    // Throttling and 5xx go to the step's Retry; a simulator the service may not use (or that is missing) is not a failed fix.
    if (err instanceof ThrottlingError || err instanceof TransientAwsError || !isAwsAnswer(err)) throw err;
    return documentCheck(ports, roleArn, calls, err instanceof Error ? err.message : String(err));
  }
  const refused = results.filter((r) => r.decision !== 'allowed');
  const ok = results.length > 0 && refused.length === 0;
  const outcome = results.length === 0 ? 'no result' : ok ? `all ${results.length} allowed` : refused.map((r) => `${r.action}: ${r.decision}`).join(', ');
  return { ok, evidence: { kind: 'simulation', summary: `SimulatePrincipalPolicy of the denied calls (${calls.map((c) => c.action).join(', ')}) for ${roleArn}: ${outcome}`, data: results } };
}

/**
 * Without the simulator: the role's own policies (inline and attached, as read) must allow every denied call and no
 * Deny in them may apply. Boundaries, SCPs and resource policies are not seen this way, and the evidence says so.
 */
async function documentCheck(ports: AccountPorts, roleArn: string, calls: Array<{ action: string; resource: string | null }>, why: string): Promise<Check> {
  const roleName = roleArn.split('/').pop()!;
  const documents: Record<string, PolicyDocument> = { ...(await ports.iam.listInlinePolicies(roleName)) };
  for (const attached of await ports.iam.listAttachedPolicies(roleName)) {
    const document = await ports.iam.getManagedPolicyDocument(attached.arn);
    if (document) documents[attached.arn] = document;
  }
  const notAllowed = documentVerdicts(documents, calls).filter((v) => v.decision !== 'allowed');
  const ok = notAllowed.length === 0;
  const outcome = ok ? `the policies of ${roleName} allow all ${calls.length}` : `the policies of ${roleName} do not allow ${notAllowed.map((c) => c.action).join(', ')}`;
  return {
    ok,
    evidence: { kind: 'simulation', summary: `simulation unavailable (${why}): checked from the documents read instead (identity-based policies only; boundaries, SCPs and resource policies unseen): ${outcome}` },
  };
}

export interface VerifyResult {
  verified: boolean;
  /** Every planned action took (instances beyond the plan aside). */
  plannedVerified: boolean;
  evidence: Evidence[];
  /** Instances of the incident beyond the planned batch that still have no profile (the next batch to diagnose). */
  unplannedWithoutProfile: string[];
}

/**
 * Checks the plan's actions except those left for a person (`deferred`: out of scope, never applied) and, for
 * launches, every other instance of the incident except those the deferred actions were for.
 */
export async function verify(ports: AccountPorts, diagnosis: Diagnosis, incident: Incident, deferred: readonly PlannedAction[] = []): Promise<VerifyResult> {
  if (diagnosis.healthy) return { verified: true, evidence: [{ kind: 'verify', summary: 'nothing was wrong' }], plannedVerified: true, unplannedWithoutProfile: [] };
  const left = new Set(deferred.map(actionKey));
  const plan = diagnosis.plan.filter((a) => !left.has(actionKey(a)));
  const leftInstances = new Set(deferred.filter((a) => INSTANCE_ACTIONS.has(a.type)).map((a) => a.target));
  const targeted = plan.filter((a) => INSTANCE_ACTIONS.has(a.type)).map((a) => a.target);
  const associated = new Set(plan.filter((a) => a.type === 'associate-profile').map((a) => a.target));
  const launched = incident.kind !== 'access-denied' ? diagnosis.subject.instanceIds.slice(0, MAX_INSTANCES).filter((id) => !associated.has(id) && !leftInstances.has(id)) : [];
  const reads = await readInstances(ports, [...new Set([...targeted, ...launched])]);
  const checks: Array<Check & { instance?: boolean }> = [];
  for (const action of plan) {
    const check = await checkAction(ports, reads, action);
    if (check) checks.push({ ...check, instance: INSTANCE_ACTIONS.has(action.type) });
  }
  if (incident.kind !== 'access-denied') {
    for (const id of launched) checks.push({ ...instanceHasProfile(reads, id, null), instance: true });
  } else {
    const simulation = await simulationCheck(ports, diagnosis, incident);
    if (simulation) checks.push(simulation);
  }
  if (checks.length === 0) return { verified: false, evidence: [{ kind: 'verify', summary: 'nothing could be checked' }], plannedVerified: false, unplannedWithoutProfile: [] };
  const skip = new Set([...reads.instances.keys(), ...leftInstances]);
  const unplanned = incident.kind !== 'access-denied' ? await unplannedWithoutProfile(ports, incident, diagnosis, skip) : [];
  const evidence = evidenceOf(checks);
  if (deferred.length > 0) evidence.push({ kind: 'verify', summary: `${deferred.length} change(s) left for a person not checked (${[...new Set(deferred.map((a) => a.type))].join(', ')})` });
  if (unplanned.length > 0) evidence.push({ kind: 'association', summary: `${unplanned.length} more instances of the incident, beyond the ${MAX_INSTANCES} planned, still have no instance profile (e.g. ${unplanned.slice(0, 3).join(', ')})` });
  const planned = checks.every((c) => c.ok);
  return { verified: planned && unplanned.length === 0, plannedVerified: planned, evidence, unplannedWithoutProfile: unplanned };
}

const actionKey = (action: Pick<PlannedAction, 'type' | 'target'>): string => `${action.type} ${action.target}`;

/** Instances the plan did not cover (beyond MAX_INSTANCES) that still lack a profile, read in batches of MAX_INSTANCES. */
async function unplannedWithoutProfile(ports: AccountPorts, incident: Incident, diagnosis: Diagnosis, checked: Set<string>): Promise<string[]> {
  const rest = [...new Set([...diagnosis.subject.instanceIds, ...incident.instanceIds])].filter((id) => !checked.has(id));
  const missing: string[] = [];
  for (let start = 0; start < rest.length; start += MAX_INSTANCES) {
    const batch = rest.slice(start, start + MAX_INSTANCES);
    const reads = await readInstances(ports, batch);
    missing.push(...batch.filter((id) => !instanceHasProfile(reads, id, null).ok));
  }
  return missing;
}

/** Every check while instances are few; for a large fleet the instance failures and one count (the state stays small). */
function evidenceOf(all: Array<Check & { instance?: boolean }>): Evidence[] {
  const checks = all.filter((c) => c.instance);
  if (checks.length <= LISTED_INSTANCE_CHECKS) return all.map((c) => c.evidence);
  const failed = checks.filter((c) => !c.ok);
  const count = { kind: 'association', summary: `${checks.length - failed.length} of ${checks.length} instances checked have the expected profile` };
  const more = failed.length > LISTED_INSTANCE_CHECKS ? [{ kind: 'association', summary: `… and ${failed.length - LISTED_INSTANCE_CHECKS} more without it` }] : [];
  return [...failed.slice(0, LISTED_INSTANCE_CHECKS).map((c) => c.evidence), ...more, count, ...all.filter((c) => !c.instance).map((c) => c.evidence)];
}
