/**
 * The fault matrix (docs/RELIABILITY.md): every AWS call that the real steps make in a built-in scenario, run again
 * with one fault on that call — throttling, a transient 5xx, not found, access denied to the service itself, a Lambda
 * crash before the call, after it, or after the result record of the change it makes — through the real ASL and
 * handlers against the simulated account. Each cell says how the incident ended, the writes made, whether the audit
 * trail accounts for every change in the account, and whether undo restores the account as it was.
 */
import { MemoryAuditStore } from '../adapters/local/audit-store.ts';
import { SimulatedAccount, type Scenario } from '../adapters/simulated/index.ts';
import type { AuditRecord } from '../core/audit-record.ts';
import { undoIncident } from '../core/undo.ts';
import { accountAfterRun } from '../cli/replay.ts';
import { runScenario, type RunOptions, type SimulationReport } from './run-scenario.ts';

export const FAULT_KINDS = ['throttling', 'transient', 'not-found', 'access-denied', 'crash-before', 'crash-after', 'crash-after-result'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_TITLES: Record<FaultKind, string> = {
  throttling: 'throttling ×2',
  transient: '5xx ×2',
  'not-found': 'not found ×1',
  'access-denied': 'access denied (every call)',
  'crash-before': 'crash before the call',
  'crash-after': 'crash after the call',
  'crash-after-result': 'crash after the result record',
};

/**
 * The built-in scenarios the matrix runs: together they make every remediation the service writes, from a denial,
 * a launch and a drift, and a partial remediation (applied beside deferred).
 */
export const MATRIX_SCENARIOS = [
  'launch-without-profile',
  'trust-policy-lost-ec2',
  'profile-without-role',
  'profile-emptied-seen-in-event-history',
  'stale-credentials',
  'launch-template-without-profile',
  'scale-out-storm-policy-detached',
  'drift-declared-statement-dropped',
  'drift-group-pinned-without-profile',
  'launch-template-untagged-partially-fixed',
] as const;

type Service = 'iam' | 'ec2' | 'autoscaling' | 'sts' | 'cloudtrail';

const EC2_APIS = new Set(['DescribeInstances', 'DescribeIamInstanceProfileAssociations', 'AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation',
  'DisassociateIamInstanceProfile', 'DescribeLaunchTemplateVersions', 'DescribeLaunchTemplates', 'CreateLaunchTemplateVersion', 'ModifyLaunchTemplate', 'DeleteLaunchTemplateVersions']);

function serviceOf(api: string): Service {
  if (api === 'LookupEvents') return 'cloudtrail';
  if (api === 'DecodeAuthorizationMessage' || api === 'GetCallerIdentity') return 'sts';
  if (api === 'DescribeAutoScalingGroups' || api === 'UpdateAutoScalingGroup') return 'autoscaling';
  return EC2_APIS.has(api) ? 'ec2' : 'iam';
}

/** The wire codes each service answers, as the real adapters see them. */
const CODES: Record<Service, { transient: string; accessDenied: string }> = {
  iam: { transient: 'ServiceFailure', accessDenied: 'AccessDenied' },
  ec2: { transient: 'InternalError', accessDenied: 'UnauthorizedOperation' },
  autoscaling: { transient: 'ServiceUnavailable', accessDenied: 'AccessDenied' },
  sts: { transient: 'ServiceUnavailable', accessDenied: 'AccessDenied' },
  cloudtrail: { transient: 'ServiceUnavailable', accessDenied: 'AccessDeniedException' },
};

/** "Not found" as each call answers it; null where the call has no such answer. */
const NOT_FOUND: Record<string, string | null> = {
  DescribeInstances: 'InvalidInstanceID.NotFound',
  DescribeIamInstanceProfileAssociations: 'InvalidInstanceID.NotFound',
  AssociateIamInstanceProfile: 'InvalidInstanceID.NotFound',
  ReplaceIamInstanceProfileAssociation: 'InvalidAssociationID.NotFound',
  DisassociateIamInstanceProfile: 'InvalidAssociationID.NotFound',
  DescribeLaunchTemplateVersions: 'InvalidLaunchTemplateId.NotFound',
  CreateLaunchTemplateVersion: 'InvalidLaunchTemplateId.NotFound',
  ModifyLaunchTemplate: 'InvalidLaunchTemplateId.NotFound',
  DeleteLaunchTemplateVersions: 'InvalidLaunchTemplateId.VersionNotFound',
  DescribeAutoScalingGroups: null,
  UpdateAutoScalingGroup: 'ValidationError',
  DecodeAuthorizationMessage: null,
  SimulatePrincipalPolicy: 'NoSuchEntity',
  ListInstanceProfiles: null,
  LookupEvents: null,
};

/** The change each write makes (its result record's action). */
const ACTION_OF_WRITE: Record<string, string> = {
  UpdateAssumeRolePolicy: 'merge-trust',
  AttachRolePolicy: 'attach-policy',
  PutRolePolicy: 'put-inline-policy',
  AddRoleToInstanceProfile: 'add-role-to-profile',
  AssociateIamInstanceProfile: 'associate-profile',
  ReplaceIamInstanceProfileAssociation: 'replace-association',
  CreateLaunchTemplateVersion: 'create-launch-template-version',
  ModifyLaunchTemplate: 'set-default-launch-template-version',
  UpdateAutoScalingGroup: 'update-auto-scaling-group',
};

export interface CallSite {
  scenario: string;
  api: string;
  /** The workflow states that make this call in the clean run. */
  steps: string[];
  calls: number;
  write: boolean;
}

export interface Cell {
  fault: FaultKind;
  /** null: the fault does not apply to this call (with `why`). */
  status: string | null;
  writes: number;
  cleanWrites: number;
  /** How the incident(s) ended without the fault. */
  cleanStatus: string;
  lostIncident: boolean;
  doubleWrite: boolean;
  /** Every change in the account has its intent record, every recorded change is in the account. */
  auditConsistent: boolean | null;
  /** null: nothing was written, nothing to undo. */
  undoRestores: boolean | null;
  ok: boolean;
  why?: string;
}

export interface MatrixRow {
  site: CallSite;
  cells: Cell[];
}

export interface MatrixResult {
  rows: MatrixRow[];
  cells: number;
  failing: number;
  notApplicable: number;
  seconds: number;
}

type Snapshot = ReturnType<SimulatedAccount['snapshot']>;

/** Each resource's state a change can alter, keyed `<kind>:<the name the audit trail uses as its target>`. */
function resources(account: Snapshot, withIds: boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of account.roles ?? []) out.set(`role:${r.name}`, JSON.stringify([r.trustPolicy, r.inlinePolicies, (r.managedPolicies ?? []).map((p) => (typeof p === 'string' ? p : p.arn))]));
  for (const p of account.instanceProfiles ?? []) out.set(`profile:${p.name}`, JSON.stringify(p.roles));
  for (const i of account.instances ?? []) out.set(`instance:${i.id}`, JSON.stringify([i.instanceProfile, withIds ? i.associationId ?? null : null]));
  for (const t of account.launchTemplates ?? []) out.set(`template:${t.id}`, JSON.stringify([t.defaultVersion, t.versions.map((v) => [v.number, v.iamInstanceProfile ?? null])]));
  for (const g of account.autoScalingGroups ?? []) out.set(`group:${g.name}`, JSON.stringify(g.launchTemplate));
  return out;
}

function changedTargets(before: Snapshot, after: Snapshot): Set<string> {
  const a = resources(before, true);
  const b = resources(after, true);
  return new Set([...b].filter(([key, value]) => a.get(key) !== value).map(([key]) => key.slice(key.indexOf(':') + 1)));
}

const sameState = (a: Snapshot, b: Snapshot) => JSON.stringify([...resources(a, false)].sort()) === JSON.stringify([...resources(b, false)].sort());

/** The clean run, with each AWS call attributed to the workflow state that made it. */
export async function callSites(name: string, scenario: Scenario): Promise<{ sites: CallSite[]; report: SimulationReport; writes: number }> {
  const account = new SimulatedAccount(scenario);
  const byApi = new Map<string, CallSite>();
  let seen = 0;
  const report = await runScenario(scenario, {
    account, audit: new MemoryAuditStore(),
    onTimeline: (entry) => {
      for (const call of account.calls.slice(seen)) {
        const site = byApi.get(call.api) ?? { scenario: name, api: call.api, steps: [], calls: 0, write: call.api in ACTION_OF_WRITE };
        site.calls += 1;
        if (!site.steps.includes(entry.step)) site.steps.push(entry.step);
        byApi.set(call.api, site);
      }
      seen = account.calls.length;
    },
  });
  return { sites: [...byApi.values()], report, writes: report.api.iamWrites + report.api.ec2Writes };
}

/** The scenario with one fault, or the crashes to inject; null (with why) when the fault does not apply. */
function injection(scenario: Scenario, site: CallSite, fault: FaultKind): { scenario: Scenario; crashes?: RunOptions['crashes'] } | { why: string } {
  const service = serviceOf(site.api);
  const withFault = (error: string, times: number, message?: string) => ({
    scenario: { ...scenario, physics: { ...scenario.physics, faults: [...scenario.physics.faults, { api: site.api, error, times, ...(message ? { message } : {}) }] } },
  });
  switch (fault) {
    case 'throttling':
      return withFault(service === 'cloudtrail' ? 'ThrottlingException' : service === 'ec2' ? 'RequestLimitExceeded' : 'Throttling', 2, 'Rate exceeded');
    case 'transient':
      return withFault(CODES[service].transient, 2);
    case 'not-found': {
      const code = site.api in NOT_FOUND ? NOT_FOUND[site.api] : service === 'iam' ? 'NoSuchEntity' : null;
      return code ? withFault(code, 1, `${code}: the resource does not exist (injected)`) : { why: `${site.api} has no "not found" answer` };
    }
    case 'access-denied':
      return withFault(CODES[service].accessDenied, 10_000, `User: arn:aws:sts::${scenario.account.accountId}:assumed-role/iam-autoheal-remediation/iam-autoheal is not authorized to perform: ${service}:${site.api}`);
    case 'crash-before':
      return { scenario, crashes: { calls: [{ api: site.api, when: 'before', times: 1 }] } };
    case 'crash-after':
      return { scenario, crashes: { calls: [{ api: site.api, when: 'after', times: 1 }] } };
    case 'crash-after-result':
      return site.write
        ? { scenario, crashes: { audit: [{ phase: 'result', action: ACTION_OF_WRITE[site.api]!, times: 1 }] } }
        : { why: 'a read writes no result record' };
  }
}

/**
 * The audit trail against the account: resources changed with no intent record (`unrecorded`: a write the trail
 * cannot explain or undo) and changes recorded as done on resources the account shows unchanged (`phantom`).
 */
export function auditCheck(initial: Snapshot, after: Snapshot, records: AuditRecord[]): { changed: Set<string>; unrecorded: string[]; phantom: string[] } {
  const changed = changedTargets(initial, after);
  const writing = new Set(Object.values(ACTION_OF_WRITE));
  const changes = records.filter((r) => writing.has(String(r.action)));
  const intents = new Set(changes.filter((r) => r.phase === 'intent').map((r) => r.target));
  const done = new Set(changes.filter((r) => r.phase === 'result' && r.result === 'done').map((r) => r.target));
  return { changed, unrecorded: [...changed].filter((t) => !intents.has(t)), phantom: [...done].filter((t) => !changed.has(t)) };
}

const statusOf = (report: SimulationReport) => [...new Set(report.incidents.map((i) => i.status))].join('+') || 'none';

const NO_OUTCOME = 'the execution ended without recording an outcome';

export async function runCell(scenario: Scenario, site: CallSite, fault: FaultKind, clean: { report: SimulationReport; writes: number }): Promise<Cell> {
  const base: Cell = { fault, status: null, writes: 0, cleanWrites: clean.writes, cleanStatus: statusOf(clean.report), lostIncident: false, doubleWrite: false, auditConsistent: null, undoRestores: null, ok: true };
  const how = injection(scenario, site, fault);
  if ('why' in how) return { ...base, why: how.why };
  const initial = new SimulatedAccount(scenario).snapshot();
  const audit = new MemoryAuditStore();
  const report = await runScenario(how.scenario, { audit, ...(how.crashes ? { crashes: how.crashes } : {}) });
  const writes = report.api.iamWrites + report.api.ec2Writes;
  const after = report.account as Snapshot;
  const records: AuditRecord[] = (await Promise.all(report.incidents.map((i) => audit.listIncident(i.key)))).flat();

  const lost = report.incidents.length !== clean.report.incidents.length || report.incidents.some((i) => i.reason === NO_OUTCOME)
    || report.incidents.some((i) => i.status !== 'awaiting-approval' && !report.notifications.some((n) => n.incident === i.key));
  const { changed, unrecorded, phantom } = auditCheck(initial, after, records);
  const auditConsistent = unrecorded.length === 0 && phantom.length === 0;
  const doubleWrite = writes > clean.writes;

  let undoRestores: boolean | null = null;
  let undoWhy = '';
  if (changed.size > 0) {
    const account = accountAfterRun(scenario, report);
    for (const incident of [...report.incidents].reverse()) {
      if (!records.some((r) => r.incidentKey === incident.key && (r.phase === 'intent' || r.phase === 'result'))) continue;
      const undone = await undoIncident(account.ports, audit, incident.key, { actor: 'fault-matrix', pause: async (s) => account.clock.advance(s) });
      if (undone.stoppedAt) undoWhy = `undo stopped at ${undone.stoppedAt.step}: ${undone.stoppedAt.detail}`;
    }
    undoRestores = sameState(account.snapshot(), initial);
  }
  const why = [
    lost ? `incident lost: ${report.incidents.map((i) => `${i.status} (${i.reason})`).join('; ')}` : '',
    doubleWrite ? `${writes} writes where the clean run makes ${clean.writes}` : '',
    unrecorded.length ? `changed without an intent record: ${unrecorded.join(', ')}` : '',
    phantom.length ? `recorded as done but unchanged: ${phantom.join(', ')}` : '',
    undoRestores === false ? `undo does not restore the account${undoWhy ? ` (${undoWhy})` : ''}` : '',
  ].filter(Boolean).join('; ');
  return {
    ...base,
    status: statusOf(report),
    writes, lostIncident: lost, doubleWrite, auditConsistent, undoRestores,
    ok: !lost && !doubleWrite && auditConsistent && undoRestores !== false,
    ...(why ? { why } : {}),
  };
}

export interface MatrixOptions {
  scenarios?: readonly string[];
  /** Only these calls (SDK operation names). */
  apis?: readonly string[];
  faults?: readonly FaultKind[];
  load(name: string): Scenario;
  progress?: (line: string) => void;
}

export async function runFaultMatrix(options: MatrixOptions): Promise<MatrixResult> {
  const started = Date.now();
  const rows: MatrixRow[] = [];
  const faults = options.faults ?? FAULT_KINDS;
  for (const name of options.scenarios ?? MATRIX_SCENARIOS) {
    const scenario = options.load(name);
    const clean = await callSites(name, scenario);
    const sites = clean.sites.filter((s) => !options.apis || options.apis.includes(s.api));
    options.progress?.(`${name}: ${sites.length} call(s) × ${faults.length} fault(s); clean run ${clean.report.incidents.map((i) => i.status).join('+')}, ${clean.writes} write(s)`);
    for (const site of sites) {
      const cells: Cell[] = [];
      for (const fault of faults) cells.push(await runCell(scenario, site, fault, clean));
      const bad = cells.filter((c) => !c.ok).length;
      options.progress?.(`  ${site.api} (${site.steps.join(', ')}): ${cells.filter((c) => c.status !== null).length} cell(s) run${bad ? `, ${bad} failing` : ''}`);
      rows.push({ site, cells });
    }
  }
  const all = rows.flatMap((r) => r.cells);
  return {
    rows,
    cells: all.filter((c) => c.status !== null).length,
    failing: all.filter((c) => !c.ok).length,
    notApplicable: all.filter((c) => c.status === null).length,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
