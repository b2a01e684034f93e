/**
 * `iam-autoheal undo <incident> [--file F | --table T [--member-role-name N]] [--scenario S] [--force] [--json]`:
 * restores the exact previous state of every change of an incident, newest first, while each resource is still
 * what the change left; stops at the first conflict (unless --force). The undo is itself audited.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { SimulatedAccount } from '../adapters/simulated/index.ts';
import type { AccountPorts } from '../core/ports.ts';
import { undoIncident, type Pause, type UndoneStep } from '../core/undo.ts';
import { DEFAULT_MEMBER_ROLE_NAME, memberRoleArn, partitionOf } from '../core/member-role.ts';
import { auditStoreFor, type AuditSourceOptions } from './audit.ts';
import { AwsAccessError, InputError } from './errors.ts';
import { isOperatorActor } from '../wiring/operator-names.ts';
import { asInputErrors, readScenario } from './input.ts';
import { table } from './render.ts';

const realPause: Pause = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

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
  force?: boolean;
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

/**
 * The account of a local trail that `remediate` wrote: the operator's own, reached with the credentials of the
 * default chain, which must belong to it (no member role is assumed).
 */
async function operatorAccountPorts(accountId: string, region: string): Promise<AccountPorts> {
  const { createAwsAccountPorts } = await import('../adapters/aws/index.ts');
  const { guardedPorts } = await import('./operator-access.ts');
  const caller = await guardedPorts(createAwsAccountPorts({ accountId, region })).sts.callerIdentity();
  if (caller.accountId !== accountId) throw new AwsAccessError(`these credentials are of account ${caller.accountId}; the incident changed account ${accountId}: use credentials of that account`);
  return createAwsAccountPorts({ accountId, region });
}

export async function undo(incidentKey: string, options: UndoOptions): Promise<void> {
  const { store, label } = await auditStoreFor(options);
  const records = await asInputErrors(() => store.listIncident(incidentKey));
  if (records.length === 0) throw new InputError(`${label}: no audit record of incident ${incidentKey}`);
  // A local trail comes from `remediate` (the real account) or from `simulate`: undoing the latter against whatever account the credentials reach would be wrong.
  const fromOperator = !options.table && !options.scenario && records.some((r) => isOperatorActor(r.actor));
  if (!options.scenario && !options.table && !fromOperator) throw new InputError(`${label}: this incident's trail comes from \`simulate\`: add --scenario <file> to undo in its simulated account, or use --table <name> for a deployment's trail`);
  const simulated = options.scenario ? await asInputErrors(() => simulatedAccountAfter(options.scenario!)) : null;
  let ports: AccountPorts;
  if (simulated) {
    ports = simulated.ports;
    if (ports.accountId !== records[0]!.account) throw new InputError(`${options.scenario}: account ${ports.accountId} is not the incident's account ${records[0]!.account}`);
  } else if (fromOperator) {
    ports = await operatorAccountPorts(records[0]!.account, records[0]!.region);
  } else {
    ports = await deployedAccountPorts(records[0]!.account, records[0]!.region, options.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME);
  }
  const actor = options.actor ?? `${userInfo().username} (iam-autoheal undo)`;
  const pause: Pause = simulated ? async (seconds) => simulated.clock.advance(seconds) : realPause;
  const report = await undoIncident(ports, store, incidentKey, { actor, force: options.force ?? false, pause });
  const { steps, stoppedAt } = report;
  const state = simulated ? touched(simulated.snapshot(), new Set(steps.map((s) => s.target))) : undefined;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ incident: incidentKey, audit: label, steps, stoppedAt, account: simulated ? simulated.snapshot() : undefined, restored: state }, null, 2)}\n`);
  } else if (steps.length === 0) {
    process.stdout.write(`incident ${incidentKey}: nothing to undo (no applied step, or every one is undone already)\n`);
  } else {
    const out = [`incident ${incidentKey}: ${steps.filter((s) => s.result === 'undone').length} of ${steps.length} step(s) undone, newest first (recorded in ${label})`];
    out.push(table([['STEP', 'ACTION', 'TARGET', 'RESULT', 'DETAIL'], ...steps.map((s) => [s.step, s.type, s.target, s.result, s.detail])]));
    if (stoppedAt) out.push('', ...stopReport(stoppedAt));
    if (state) out.push('', `restored state in the simulated account of ${options.scenario}:`, JSON.stringify(state, null, 2));
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (stoppedAt) process.exitCode = 1;
}

/** Why the undo stopped, what is there now, who changed it, and what the operator can do. */
export function stopReport(step: UndoneStep): string[] {
  if (step.result === 'failed') return [`stopped at ${step.step}: ${step.detail}; the older changes were left as they are`];
  const lines = [`stopped at ${step.step} (${step.type} ${step.target}): it was changed since, so it was not restored; the older changes were left as they are.`];
  if (step.current !== undefined) lines.push(`  now: ${JSON.stringify(step.current)}`);
  for (const c of step.changedBy ?? []) {
    lines.push(`  changed by ${c.actor} at ${c.at} (${c.action}, ${c.source === 'audit' ? `audit step ${c.step}` : `CloudTrail event ${c.eventId ?? '?'}`})`);
  }
  if (!step.changedBy?.some((c) => c.source === 'event-history')) {
    lines.push(step.historyError
      ? `  who changed it: CloudTrail's event history could not be read (${step.historyError})`
      : "  who changed it: not in CloudTrail's event history yet (a call appears there about 5 minutes after it is made)");
  }
  lines.push('  rerun with --force to restore it anyway (overwriting that change).');
  return lines;
}

export function registerUndo(program: Command): void {
  program
    .command('undo')
    .description("Restore the exact previous state of every change an incident made, newest first, while each resource is still what the change left (stops at the first conflict unless --force; audited): in a scenario's simulated account (--scenario), in the caller's own account for a trail `remediate` wrote (--file, default credential chain), or in the real account of a deployment's DynamoDB trail (--table, default credential chain; a member account's incident through its remediation role).")
    .argument('<incident>', 'incident key, as `audit` lists it')
    .option('--file <file>', 'local JSON-lines audit trail (default .audit/audit.jsonl)')
    .option('--table <name>', 'DynamoDB audit table of a deployment')
    .option('--region <region>', 'region of the DynamoDB table')
    .option('--member-role-name <name>', `with --table: the remediation role assumed in the incident's account when it is not the credentials' own`, DEFAULT_MEMBER_ROLE_NAME)
    .option('--scenario <file>', 'undo in the simulated account that this scenario ends with (after `simulate`)')
    .option('--actor <name>', 'who undoes, for the audit trail (default: the local user)')
    .option('--force', 'restore even a resource that was changed since the incident changed it (overwrites that change)')
    .option('--json', 'print one JSON document')
    .action((incident: string, options: UndoOptions) => undo(incident, options));
}
