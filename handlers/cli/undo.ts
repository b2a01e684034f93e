/**
 * `iam-autoheal undo <incident> [--file F | --table T [--member-role-name N]] [--scenario S] [--json]`: restores
 * the exact previous state of every applied step of an incident, newest first; the undo is itself audited.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { SimulatedAccount } from '../adapters/simulated/index.ts';
import type { AccountPorts } from '../core/ports.ts';
import { undoIntentRecord, undoResultRecord, undoSteps, type AuditContext } from '../core/audit.ts';
import type { AuditStore } from '../core/audit-record.ts';
import { DEFAULT_MEMBER_ROLE_NAME, memberRoleArn, partitionOf } from '../core/member-role.ts';
import type { Before } from '../core/remediations/index.ts';
import { auditStoreFor, type AuditSourceOptions } from './audit.ts';
import { InputError } from './errors.ts';
import { asInputErrors, readScenario } from './input.ts';
import { table } from './render.ts';

export interface UndoneStep {
  step: string;
  type: string;
  target: string;
  result: 'undone' | 'failed';
  detail: string;
}

/** How long to wait before retrying: real time against AWS, the virtual clock in a simulated account. */
export type Pause = (seconds: number) => Promise<void>;

const realPause: Pause = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
// Throttling and transient answers are retried as the state machine retries them; anything else stops the undo.
const RETRIED = new Set(['Throttling', 'TransientAwsError']);
const ATTEMPTS = 6;

async function withRetries<T>(pause: Pause, body: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await body();
    } catch (err) {
      if (attempt >= ATTEMPTS || !(err instanceof Error) || !RETRIED.has(err.name)) throw err;
      await pause(Math.min(2 ** (attempt - 1), 20) * (0.5 + Math.random() / 2));
    }
  }
}

/** Undoes every applied, not yet undone step of the incident, newest first; stops at the first failure. */
export async function undoIncident(ports: AccountPorts, store: AuditStore, incidentKey: string, actor: string, pause: Pause = realPause): Promise<UndoneStep[]> {
  const records = await store.listIncident(incidentKey);
  if (records.length === 0) throw new InputError(`no audit record of incident ${incidentKey}`);
  const first = records[0]!;
  const ctx: AuditContext = { incidentKey, executionName: first.executionName, cause: first.cause, account: first.account, region: first.region, actor };
  const { remediationFor } = await import('../core/remediations/index.ts');
  const done: UndoneStep[] = [];
  for (const step of undoSteps(records)) {
    // Intent first, as for every change: the trail shows an undo that crashed half-way.
    await store.append(incidentKey, (seq) => undoIntentRecord(ctx, seq, step, ports.clock.now()));
    try {
      const detail = await withRetries(pause, () => remediationFor(step.action.type).undo(ports, step.action, step.record.before as Before));
      await store.append(incidentKey, (seq) => undoResultRecord(ctx, seq, step, ports.clock.now(), { ok: true, detail }));
      done.push({ step: step.record.step, type: step.action.type, target: step.action.target, result: 'undone', detail });
    } catch (err) {
      const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await store.append(incidentKey, (seq) => undoResultRecord(ctx, seq, step, ports.clock.now(), { ok: false, detail }));
      done.push({ step: step.record.step, type: step.action.type, target: step.action.target, result: 'failed', detail });
      break;
    }
  }
  return done;
}

/** The simulated account as the scenario left it: the run is replayed (it is deterministic). */
async function simulatedAccountAfter(file: string): Promise<SimulatedAccount> {
  const scenario = readScenario(file);
  const { runScenario } = await import('../local/run-scenario.ts');
  const { accountAfterRun } = await import('./replay.ts');
  return accountAfterRun(scenario, await runScenario(scenario), file);
}

/** The objects of the account that the undone steps touched, as the account now holds them. */
function touched(account: ReturnType<SimulatedAccount['snapshot']>, targets: Set<string>): Record<string, unknown[]> {
  const pick = <T>(list: T[] | undefined, id: (item: T) => string) => (list ?? []).filter((item) => targets.has(id(item)));
  return {
    roles: pick(account.roles, (r) => r.name),
    instanceProfiles: pick(account.instanceProfiles, (p) => p.name),
    instances: pick(account.instances, (i) => i.id),
    launchTemplates: pick(account.launchTemplates, (t) => t.id),
    autoScalingGroups: pick(account.autoScalingGroups, (g) => g.name),
  };
}

interface UndoOptions extends AuditSourceOptions {
  scenario?: string;
  json?: boolean;
  actor?: string;
  memberRoleName?: string;
}

/**
 * The incident's account as a deployment reaches it: directly when the credentials belong to it (single
 * account, the hub's own incidents), otherwise through the member's remediation role, as the hub's steps do.
 */
async function deployedAccountPorts(accountId: string, region: string, memberRoleName: string): Promise<AccountPorts> {
  const { createAwsAccountPorts } = await import('../adapters/aws/index.ts');
  const own = createAwsAccountPorts({ accountId, region });
  const caller = await own.sts.callerIdentity();
  if (caller.accountId === accountId) return own;
  return createAwsAccountPorts({ accountId, region, assumeRoleArn: memberRoleArn(partitionOf(caller.arn), accountId, memberRoleName) });
}

export async function undo(incidentKey: string, options: UndoOptions): Promise<void> {
  // A local trail is written by `simulate`: undoing it against whatever account the credentials reach would be wrong.
  if (!options.scenario && !options.table) throw new InputError(`${options.file ?? '.audit/audit.jsonl'}: a local audit trail comes from \`simulate\`: add --scenario <file> to undo in its simulated account, or use --table <name> for a deployment's trail`);
  const { store, label } = await auditStoreFor(options);
  const records = await asInputErrors(() => store.listIncident(incidentKey));
  if (records.length === 0) throw new InputError(`${label}: no audit record of incident ${incidentKey}`);
  const simulated = options.scenario ? await asInputErrors(() => simulatedAccountAfter(options.scenario!)) : null;
  let ports: AccountPorts;
  if (simulated) {
    ports = simulated.ports;
    if (ports.accountId !== records[0]!.account) throw new InputError(`${options.scenario}: account ${ports.accountId} is not the incident's account ${records[0]!.account}`);
  } else {
    ports = await deployedAccountPorts(records[0]!.account, records[0]!.region, options.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME);
  }
  const actor = options.actor ?? `${userInfo().username} (iam-autoheal undo)`;
  const pause: Pause | undefined = simulated ? async (seconds) => simulated.clock.advance(seconds) : undefined;
  const steps = await undoIncident(ports, store, incidentKey, actor, pause);
  const state = simulated ? touched(simulated.snapshot(), new Set(steps.map((s) => s.target))) : undefined;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ incident: incidentKey, audit: label, steps, account: simulated ? simulated.snapshot() : undefined, restored: state }, null, 2)}\n`);
  } else if (steps.length === 0) {
    process.stdout.write(`incident ${incidentKey}: nothing to undo (no applied step, or every one is undone already)\n`);
  } else {
    const out = [`incident ${incidentKey}: ${steps.filter((s) => s.result === 'undone').length} of ${steps.length} step(s) undone, newest first (recorded in ${label})`];
    out.push(table([['STEP', 'ACTION', 'TARGET', 'RESULT', 'DETAIL'], ...steps.map((s) => [s.step, s.type, s.target, s.result, s.detail])]));
    if (state) out.push('', `restored state in the simulated account of ${options.scenario}:`, JSON.stringify(state, null, 2));
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (steps.some((s) => s.result === 'failed')) process.exitCode = 1;
}

export function registerUndo(program: Command): void {
  program
    .command('undo')
    .description("Restore the exact previous state of every change an incident made, newest first (audited): in a scenario's simulated account (--scenario), or in the real account of a deployment's DynamoDB trail (--table, default credential chain; a member account's incident through its remediation role).")
    .argument('<incident>', 'incident key, as `audit` lists it')
    .option('--file <file>', 'local JSON-lines audit trail (default .audit/audit.jsonl)')
    .option('--table <name>', 'DynamoDB audit table of a deployment')
    .option('--region <region>', 'region of the DynamoDB table')
    .option('--member-role-name <name>', `with --table: the remediation role assumed in the incident's account when it is not the credentials' own`, DEFAULT_MEMBER_ROLE_NAME)
    .option('--scenario <file>', 'undo in the simulated account that this scenario ends with (after `simulate`)')
    .option('--actor <name>', 'who undoes, for the audit trail (default: the local user)')
    .option('--json', 'print one JSON document')
    .action((incident: string, options: UndoOptions) => undo(incident, options));
}
