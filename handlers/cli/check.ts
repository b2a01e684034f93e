/**
 * `iam-autoheal check [--region R ...] [--config F] [--json]`: the compliance report of the control this
 * project enforces (every instance has a working role), read-only over the caller's own account through the
 * real AWS adapters and the default credential chain. Exit 0 compliant, 1 non-compliant, 2 error.
 */
import type { Command } from 'commander';
import type { Config } from '../core/config.ts';
import type { AccountPorts } from '../core/ports.ts';
import type { ComplianceReport } from '../steps/compliance.ts';
import { AwsAccessError } from './errors.ts';
import { readConfig } from './input.ts';
import { accessErrorOf, guardedPorts, THROTTLE_RETRY, type RetryPolicy } from './operator-access.ts';
import { table } from './render.ts';

export interface CheckOptions {
  region?: string[];
  config?: string;
  json?: boolean;
  /** Progress lines on stderr even when it is not a terminal (CI logs). */
  progress?: boolean;
}

export interface CheckIo {
  stdout: (text: string) => void;
  /** Progress lines (stderr); absent when stderr is not a terminal and --progress is not given. */
  progress?: (text: string) => void;
  retry?: RetryPolicy;
}

export interface CheckResult {
  accountId: string;
  compliant: boolean;
  regions: ComplianceReport[];
}

/** `--region a,b --region c` → [a, b, c], without duplicates or blanks. */
export function regionsOf(values: string[] | undefined): string[] {
  return [...new Set((values ?? []).flatMap((v) => v.split(',')).map((r) => r.trim()).filter(Boolean))];
}

/** The region of the default chain (AWS_REGION, the profile's region); a clear error without one. */
async function defaultRegion(): Promise<string> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  try {
    return await new STSClient({}).config.region();
  } catch (err) {
    throw accessErrorOf(err, 'the region');
  }
}

function findingRows(report: ComplianceReport): string[][] {
  const r = report.region;
  return [
    ...report.instancesWithoutProfile.map((f) => [r, 'instance without profile', f.instanceId, `launched ${f.launchedBy === 'by hand' ? 'by hand' : `by ${f.launchedBy}`}`]),
    ...report.profilesWithoutRole.map((f) => [r, 'profile without role', f.profile, `used by ${f.instanceIds.join(', ')}`]),
    ...report.rolesEc2CannotAssume.map((f) => [r, 'role EC2 cannot assume', f.role, `profile ${f.profiles.join(', ')}; used by ${f.instanceIds.join(', ')}`]),
    ...report.launchSourcesWithoutProfile.map((f) => [
      r, 'launches without profile', `${f.kind === 'auto-scaling-group' ? 'group' : 'template'} ${f.name}`,
      `${f.launchTemplate ? `launch template ${f.launchTemplate.id} version ${f.launchTemplate.version} has no instance profile` : 'no launch template (launch configuration or mixed instances): not read'}${f.instanceIds.length ? '' : ' (no instance yet)'}`,
    ]),
  ];
}

export function checkText(result: CheckResult): string {
  const checked = result.regions.reduce((n, r) => n + r.checked, 0);
  const groups = result.regions.reduce((n, r) => n + r.groupsChecked, 0);
  const rows = result.regions.flatMap(findingRows);
  const quarantined = result.regions.flatMap((r) => r.quarantined);
  const head = `account ${result.accountId}, ${result.regions.map((r) => r.region).join(', ')}: ${checked} instance(s) and ${groups} Auto Scaling group(s) checked — ${result.compliant ? 'compliant' : `NON-COMPLIANT (${rows.length} finding(s))`}`;
  const out = [head];
  if (rows.length) out.push('', table([['REGION', 'FINDING', 'SUBJECT', 'DETAIL'], ...rows]));
  if (quarantined.length) out.push('', `quarantined (left alone): ${quarantined.join(', ')}`);
  return `${out.join('\n')}\n`;
}

export async function runCheck(options: CheckOptions, io: CheckIo, portsFor?: (accountId: string, region: string) => AccountPorts): Promise<number> {
  const config: Config = readConfig(options.config);
  const given = regionsOf(options.region);
  const regions = given.length ? given : config.scope.regions.length ? config.scope.regions : [await defaultRegion()];
  const { createAwsAccountPorts } = await import('../adapters/aws/index.ts');
  const onThrottle = (permission: string) => io.progress?.(`throttled on ${permission}: retrying`);
  const open = (accountId: string, region: string) => guardedPorts(portsFor ? portsFor(accountId, region) : createAwsAccountPorts({ accountId, region }), io.retry ?? THROTTLE_RETRY, onThrottle);

  const { accountId } = await open('caller', regions[0]!).sts.callerIdentity();
  if (config.scope.accounts.length && !config.scope.accounts.includes(accountId)) {
    throw new AwsAccessError(`account ${accountId} of these credentials is outside the configured scope (${config.scope.accounts.join(', ')})`);
  }
  const { complianceReport } = await import('../steps/compliance.ts');
  const reports: ComplianceReport[] = [];
  for (const [i, region] of regions.entries()) {
    io.progress?.(`[${i + 1}/${regions.length}] checking ${accountId} ${region}…`);
    reports.push(await complianceReport(open(accountId, region), config, io.progress && ((text) => io.progress!(`[${i + 1}/${regions.length}] ${region}: ${text.trim()}`))));
  }
  const result: CheckResult = { accountId, compliant: reports.every((r) => r.compliant), regions: reports };
  io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : checkText(result));
  return result.compliant ? 0 : 1;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Compliance report (read-only) of the caller\'s AWS account: instances without a profile, profiles without a role, roles EC2 cannot assume, launch templates and groups launching without a profile. Exit 0 compliant, 1 non-compliant, 2 error.')
    .option('--region <regions...>', 'region(s) to check, repeatable or comma-separated (default: scope.regions of --config, else AWS_REGION / the profile\'s region)')
    .option('--config <file>', 'configuration document: scope (accounts, regions, tag) applies (default: the built-in defaults)')
    .option('--json', 'print one JSON document')
    .option('--progress', 'progress lines on stderr even when it is not a terminal (always on a terminal; never on stdout)')
    .addHelpText('after', '\nCredentials: the default AWS chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL ... honoured).\nPermissions: sts:GetCallerIdentity, ec2:DescribeInstances, ec2:DescribeLaunchTemplateVersions, ec2:DescribeLaunchTemplates, iam:ListInstanceProfiles, iam:GetRole, autoscaling:DescribeAutoScalingGroups.')
    .action(async (options: CheckOptions) => {
      const progress = process.stderr.isTTY || options.progress ? (text: string) => process.stderr.write(`${text}\n`) : undefined;
      process.exitCode = await runCheck(options, { stdout: (text) => process.stdout.write(text), ...(progress ? { progress } : {}) });
    });
}
