/**
 * `iam-autoheal remediate [<file>] [--instance i-… | --role NAME] [--apply [--yes]] [--region R] [--config F] [--audit F] [--json]`:
 * operator mode. The workflow the deployment runs, against the caller's own account through the real AWS adapters
 * and the default credential chain. A dry run by default (every cause in mode observe: diagnosis, evidence, the exact
 * plan, no write); --apply puts each plan to the operator first. Exit 0 fixed/verified/observed/nothing to do,
 * 1 an incident left broken (escalated, rejected, expired, unverified, failed), 2 bad input or AWS access.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { FIXABLE_CAUSES } from '../core/causes.ts';
import type { Config } from '../core/config.ts';
import { extractDelivered } from '../core/events/index.ts';
import type { AccountPorts } from '../core/ports.ts';
import type { StartedIncident } from '../steps/intake.ts';
import type { Confirmation, OperatorReport, OperatorRun, PlanToConfirm } from '../wiring/operator.ts';
import { DEFAULT_AUDIT_FILE } from './audit.ts';
import { AwsAccessError, InputError } from './errors.ts';
import { asInputErrors, ensureWritable, readConfig, readJsonFile } from './input.ts';
import { accessErrorOf, guardedPorts, permissionOf, THROTTLE_RETRY, type RetryPolicy } from './operator-access.ts';
import { diagnosisText, reportSummary, timelineLine } from './render.ts';

export interface RemediateOptions {
  instance?: string;
  role?: string;
  region?: string;
  config?: string;
  apply?: boolean;
  yes?: boolean;
  audit?: string;
  json?: boolean;
}

export interface RemediateIo {
  stdout(text: string): void;
  /** Progress lines (the timeline as it happens with --json); absent when stderr is not a terminal. */
  progress?(text: string): void;
  /** Asks the operator a yes/no question; absent when stdin is not a terminal. */
  ask?(question: string): Promise<boolean>;
  /** How the workflow's waits pass (tests: no sleep). @default real time */
  sleep?(ms: number): Promise<void>;
  retry?: RetryPolicy;
  /** Who confirms, for the audit trail. @default the local user */
  operator?: string;
}

const STATUSES_OK = new Set(['fixed', 'prevented', 'verified-no-change', 'observed']);

/** The region of the default chain (AWS_REGION, the profile's), or null without one. */
async function chainRegion(): Promise<string | null> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  try {
    return await new STSClient({}).config.region();
  } catch {
    return null;
  }
}

/** The configuration as a dry run applies it: every cause observed (diagnosed, its plan reported, nothing written). */
function observeOnly(config: Config): Config {
  return { ...config, modes: Object.fromEntries(FIXABLE_CAUSES.map((c) => [c, 'observe'])) as Config['modes'] };
}

function checkOptions(file: string | undefined, options: RemediateOptions, io: RemediateIo): void {
  const sources = [file, options.instance, options.role].filter((s) => s !== undefined);
  if (sources.length !== 1) throw new InputError('give one input: a CloudTrail file, --instance i-…, or --role NAME');
  if (options.instance !== undefined && !/^i-[0-9a-f]{8,17}$/.test(options.instance)) throw new InputError(`--instance ${options.instance}: not an instance id (i- and 8 or 17 hex digits)`);
  if (options.yes && !options.apply) throw new InputError('--yes confirms the plans of --apply: add --apply (a dry run asks nothing)');
  if (options.apply && !options.yes && !io.ask) throw new InputError('--apply confirms each plan at a terminal, and stdin is not one: add --yes to confirm the plans the configuration lets apply on their own');
}

/** Puts a plan to the operator: --yes confirms what the configuration lets apply on its own; an approval it requires needs a person. */
function confirmer(options: RemediateOptions, io: RemediateIo, accountId: string, region: string, write: (text: string) => void) {
  return async (plan: PlanToConfirm): Promise<Confirmation> => {
    const changes = plan.decision.allowed.filter((a) => a.type !== 'propose-policy');
    const lines = [`plan for incident ${plan.incident.key} (cause ${plan.diagnosis.cause}, mode ${plan.decision.mode ?? '-'}):`, ...changes.map((a) => `  - ${a.type} ${a.target}: ${a.reason}`)];
    if (plan.approvalRequired) lines.push(`  the configuration requires an approval: ${plan.decision.reason}`);
    write(lines.join('\n'));
    if (options.yes && !plan.approvalRequired) {
      write(`  confirmed by --yes (approval ${plan.approvalId})`);
      return { approved: true };
    }
    if (!io.ask) return { approved: false, reason: 'the configuration requires a person to approve this plan, and --yes confirms only plans it lets apply on their own: run at a terminal to approve it' };
    const yes = await io.ask(`apply these ${changes.length} change(s) to account ${accountId} in ${region}? [y/N] `);
    return yes ? { approved: true } : { approved: false, reason: 'not confirmed at the terminal' };
  };
}

export async function runRemediate(file: string | undefined, options: RemediateOptions, io: RemediateIo, portsFor?: (accountId: string, region: string) => AccountPorts): Promise<number> {
  checkOptions(file, options, io);
  const config = readConfig(options.config);
  const auditFile = options.audit ?? DEFAULT_AUDIT_FILE;
  ensureWritable(auditFile);
  const doc = file === undefined ? undefined : readJsonFile(file);
  const records = file === undefined ? [] : await asInputErrors(async () => extractDelivered(doc, file));
  if (file !== undefined && records.length === 0) throw new InputError(`${file}: holds no CloudTrail record`);

  // The region: --region, else the credential chain's; a file's events say where they happened.
  const given = options.region ?? (await chainRegion());
  const eventRegions = [...new Set(records.map((r) => r.record.awsRegion).filter((r): r is string => typeof r === 'string'))];
  const region = given ?? (eventRegions.length === 1 ? eventRegions[0]! : null);
  if (!region) throw new AwsAccessError(eventRegions.length > 1 ? `${file}: events of several regions (${eventRegions.join(', ')}): pass --region to remediate one` : 'no AWS region: pass --region or set AWS_REGION (or a region in your AWS profile)');
  const mismatch = eventRegions.find((r) => r !== region);
  if (mismatch) throw new AwsAccessError(`region mismatch: ${file} holds events of ${mismatch}, and the region is ${region} (${options.region ? '--region' : 'AWS_REGION or the profile'}): pass --region ${mismatch} to remediate there`);

  const { createAwsAccountPorts } = await import('../adapters/aws/index.ts');
  const open = (accountId: string) => (portsFor ? portsFor(accountId, region) : createAwsAccountPorts({ accountId, region }));
  const onThrottle = (permission: string) => io.progress?.(`throttled on ${permission}: retrying`);
  const caller = await guardedPorts(open('caller'), io.retry ?? THROTTLE_RETRY, onThrottle).sts.callerIdentity();
  const accountId = caller.accountId;
  if (config.scope.accounts.length && !config.scope.accounts.includes(accountId)) {
    throw new AwsAccessError(`account ${accountId} of these credentials is outside the configured scope (${config.scope.accounts.join(', ')})`);
  }
  if (file === undefined && config.scope.regions.length && !config.scope.regions.includes(region)) {
    throw new AwsAccessError(`region ${region} is outside the configured scope (${config.scope.regions.join(', ')})`);
  }
  const ports = open(accountId);
  const reading = guardedPorts(ports, io.retry ?? THROTTLE_RETRY, onThrottle);
  const incidents = await import('./remediate-incidents.ts');
  const runConfig = options.apply ? config : observeOnly(config);
  let started: StartedIncident[];
  let intake: OperatorRun['intake'];
  if (file !== undefined) {
    const foreign = records.find((r) => typeof r.record.recipientAccountId === 'string' && r.record.recipientAccountId !== accountId);
    if (foreign) throw new AwsAccessError(`${file}: its events are of account ${String(foreign.record.recipientAccountId)}, these credentials of account ${accountId}: remediate reaches only the credentials' own account`);
    const summary = await incidents.fileIncidents(doc, file, accountId, region, runConfig);
    started = summary.started;
    intake = { ignoredEvents: summary.ignored, refusedEvents: summary.rejected, outOfScope: summary.outOfScope, duplicateStarts: summary.duplicates };
  } else {
    started = [options.instance !== undefined ? await incidents.instanceIncident(reading, options.instance) : await incidents.roleIncident(reading, options.role!, config)];
  }

  const textOut = (text: string) => io.stdout(`${text}\n`);
  const progress = options.json ? (text: string) => io.progress?.(text) : textOut;
  const labels = new Map(started.map((s, i) => [s.incident.key, `#${i + 1}`]));
  const source = file ?? (options.instance !== undefined ? `--instance ${options.instance}` : `--role ${options.role}`);
  progress(`remediate ${source}: account ${accountId} (${caller.arn}), ${region} — ${options.apply ? 'apply: each plan is confirmed before it is applied' : 'dry run: nothing is written (add --apply to fix)'}`);
  if (started.length === 0) progress('nothing to remediate: no denial by an instance-role session and no launch in scope in the input');
  let denied: AwsAccessError | null = null;
  const { runOperator } = await import('../wiring/operator.ts');
  const report = await runOperator({
    config: runConfig, accountId, region, ports, audit: new (await import('../adapters/local/audit-store.ts')).JsonLinesAuditStore(auditFile),
    started, source, ...(intake ? { intake } : {}),
    operator: { identity: io.operator ?? `${userInfo().username} (iam-autoheal remediate)`, authenticatedBy: `local terminal, AWS credentials of ${caller.arn}` },
    ...(options.apply ? { confirm: confirmer(options, io, accountId, region, progress) } : {}),
    onTimeline: (entry) => progress(timelineLine(entry, labels)),
    onWait: (seconds) => progress(`           waiting ${seconds}s (real time)…`),
    ...(io.sleep ? { sleep: io.sleep } : {}),
    onCallError: (service, method, err) => {
      const mapped = accessErrorOf(err, permissionOf(service, method));
      if (mapped instanceof AwsAccessError && !denied) denied = mapped;
    },
  });
  io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${resultText(report, auditFile)}\n`);
  // An access denied that stopped an incident is the operator's to fix: one line naming the permission.
  const failed = report.incidents.some((i) => i.status === 'failed');
  if (denied && failed) throw denied;
  return report.incidents.every((i) => STATUSES_OK.has(i.status)) ? 0 : 1;
}

/** After the timeline: each incident's diagnosis, evidence, exact plan and decision; the counters; the audit trail. */
export function resultText(report: OperatorReport, auditFile: string): string {
  const out: string[] = [];
  for (const [i, incident] of report.incidents.entries()) {
    out.push('', `#${i + 1} ${incident.key}`);
    if (incident.diagnosis) out.push(diagnosisText(incident.diagnosis));
    const d = incident.decision;
    if (d) {
      out.push(`guard:    ${d.verdict}${d.mode ? ` (mode ${d.mode}${report.mode === 'dry-run' ? ' in this dry run' : ''})` : ''}: ${d.reason}`);
      for (const r of d.refused) out.push(`  refused: ${r.action.type} ${r.action.target}: ${r.reason}`);
    }
  }
  out.push('', reportSummary(report, 'elapsed'));
  out.push(`audit trail: ${auditFile} (iam-autoheal audit --file ${auditFile}${report.incidents.some((i) => i.actions.some((a) => a.result === 'done')) ? `; iam-autoheal undo <incident> --file ${auditFile}` : ''})`);
  return out.join('\n');
}

export function registerRemediate(program: Command): void {
  program
    .command('remediate')
    .description("Operator mode: run the workflow (diagnose, guard, apply, wait, verify, record) against the caller's own AWS account from a terminal. A dry run by default: diagnosis, evidence and the exact plan, nothing written. Exit 0 fixed, verified, observed or nothing to do; 1 an incident left broken (escalated, rejected, expired, unverified, failed); 2 bad input or AWS access.")
    .argument('[file]', 'CloudTrail record, EventBridge event or CloudTrail log file (or use --instance / --role)')
    .option('--instance <id>', "remediate this instance, from its state: no profile, a role EC2 cannot assume, or its whole chain checked")
    .option('--role <name>', 'remediate this role, from its state: the profiles that hold it and the instances using them')
    .option('--apply', 'apply the plans: each is shown and confirmed at the terminal first (default: dry run, nothing written)')
    .option('--yes', 'with --apply: confirm the plans the configuration lets apply on their own (mode auto, within budget) without asking; approvals it requires still need a terminal')
    .option('--region <region>', "region (default AWS_REGION / the profile's region, else the events' region)")
    .option('--config <file>', 'configuration document: modes, guard rules, never-grant list, scope and budgets apply unchanged (default: the built-in defaults)')
    .option('--audit <file>', `append the audit trail to this JSON-lines file, for \`audit\` and \`undo --file\` (default ${DEFAULT_AUDIT_FILE})`)
    .option('--json', 'print the report as one JSON document (the shape of `simulate --json`, with each incident\'s diagnosis and decision)')
    .addHelpText('after', [
      '',
      "Credentials: the default AWS chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL ... honoured); only the credentials' own account is reached.",
      'Waits are real time: the adaptive propagation waits of the state machine, then verification.',
      'Permissions (dry run): sts:GetCallerIdentity, sts:DecodeAuthorizationMessage, ec2:DescribeInstances, ec2:DescribeIamInstanceProfileAssociations,',
      '  ec2:DescribeLaunchTemplateVersions, ec2:DescribeLaunchTemplates, autoscaling:DescribeAutoScalingGroups, iam:GetRole, iam:ListRolePolicies,',
      '  iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion, iam:GetInstanceProfile, iam:ListInstanceProfiles,',
      '  iam:ListInstanceProfilesForRole, iam:SimulatePrincipalPolicy, cloudtrail:LookupEvents.',
      'With --apply, the writes of the plans: ec2:AssociateIamInstanceProfile, ec2:ReplaceIamInstanceProfileAssociation, iam:PassRole,',
      '  iam:UpdateAssumeRolePolicy, iam:AttachRolePolicy, iam:PutRolePolicy, iam:AddRoleToInstanceProfile, ec2:CreateLaunchTemplateVersion,',
      '  ec2:ModifyLaunchTemplate, autoscaling:UpdateAutoScalingGroup (and for undo their inverses).',
    ].join('\n'))
    .action(async (file: string | undefined, options: RemediateOptions) => {
      const progress = process.stderr.isTTY ? (text: string) => process.stderr.write(`${text}\n`) : undefined;
      const ask = process.stdin.isTTY ? terminalQuestion : undefined;
      process.exitCode = await runRemediate(file, options, { stdout: (text) => process.stdout.write(text), ...(progress ? { progress } : {}), ...(ask ? { ask } : {}) });
    });
}

async function terminalQuestion(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
