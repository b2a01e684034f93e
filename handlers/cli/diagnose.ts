/**
 * `iam-autoheal diagnose <event.json> [--scenario S] [--region R] [--config F] [--json]`: the diagnosis of
 * the incident(s) in a file, against a scenario's simulated account, or read-only against a real account.
 */
import type { Command } from 'commander';
import type { AccountPorts } from '../core/ports.ts';
import type { Config } from '../core/config.ts';
import { classifyDelivered, extractDelivered, incidentKey } from '../core/events/index.ts';
import type { Diagnosis, Incident } from '../core/incident.ts';
import { InputError } from './errors.ts';
import { asInputErrors, readConfig, readJsonFile, readScenario } from './input.ts';
import { diagnosisText } from './render.ts';

interface DiagnoseOptions {
  scenario?: string;
  region?: string;
  config?: string;
  json?: boolean;
}

/** Where the diagnosis reads from: a simulated account (clock at the incident's last event) or AWS. */
interface Target {
  label: string;
  config: Config;
  portsFor(incident: Incident): Promise<AccountPorts>;
}

async function simulatedTarget(file: string): Promise<Target> {
  const scenario = readScenario(file);
  const { SimulatedAccount } = await import('../adapters/simulated/index.ts');
  const account = new SimulatedAccount(scenario);
  return {
    label: `simulated account ${account.ports.accountId} of ${file}`,
    config: scenario.config,
    async portsFor(incident) {
      if (incident.accountId !== account.ports.accountId) throw new InputError(`${file}: the scenario's account is ${account.ports.accountId}, the event's is ${incident.accountId}`);
      const last = Date.parse(incident.lastSeen);
      if (last > account.clock.nowMs()) account.clock.set(new Date(last));
      return account.ports;
    },
  };
}

function realTarget(options: DiagnoseOptions): Target {
  return {
    label: 'AWS (default credential chain, read-only)',
    config: readConfig(options.config),
    async portsFor(incident) {
      // Loaded only here: a simulated run never needs the SDK clients.
      const { createAwsAccountPorts } = await import('../adapters/aws/index.ts');
      return createAwsAccountPorts({ accountId: incident.accountId, region: options.region ?? incident.region });
    },
  };
}

export async function diagnoseFile(file: string, options: DiagnoseOptions): Promise<void> {
  const records = await asInputErrors(async () => extractDelivered(readJsonFile(file), file));
  if (records.length === 0) throw new InputError(`${file}: holds no CloudTrail record`);
  const classified = records.map(classifyDelivered);
  const { coalesceIncidents } = await import('../core/intake.ts');
  const { diagnose: diagnoseIncident } = await import('../core/diagnosis/index.ts');
  const { incidents } = coalesceIncidents(classified.map((c) => ({ key: incidentKey(c), classification: c })));
  const target = options.scenario ? await simulatedTarget(options.scenario) : realTarget(options);
  if (options.config && options.scenario) throw new InputError('--config: a scenario carries its own configuration; use one or the other');

  const results: Array<{ incident: Incident; diagnosis: Diagnosis }> = [];
  for (const incident of incidents) {
    const ports = await target.portsFor(incident);
    // The file's events are not everything that changed: read the event history as the sweep does.
    results.push({ incident, diagnosis: await diagnoseIncident(ports, incident, target.config, { eventHistory: 'full' }) });
  }
  if (options.json) {
    const ignored = classified.filter((c) => c.kind === 'ignored').map((c) => ({ eventId: c.eventId, reason: c.reason }));
    process.stdout.write(`${JSON.stringify({ source: target.label, incidents: results.map(({ incident, diagnosis }) => ({ key: incident.key, events: incident.eventCount, diagnosis })), ignored }, null, 2)}\n`);
    return;
  }
  const out = [`diagnosed against ${target.label}`];
  if (results.length === 0) {
    out.push('nothing to diagnose: no denial by an instance-role session and no launch in the file');
    for (const c of classified) out.push(`  ${c.eventName ?? '?'} (${c.kind}): ${c.reason}`);
  }
  for (const { incident, diagnosis } of results) {
    out.push('', `incident ${incident.key} (${incident.eventCount} event(s), ${incident.instanceIds.length} instance(s))`, diagnosisText(diagnosis));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerDiagnose(program: Command): void {
  program
    .command('diagnose')
    .description('Diagnose the denial or launch in a CloudTrail file: cause, evidence, plan (never changes anything).')
    .argument('<file>', 'CloudTrail record, EventBridge event or CloudTrail log file')
    .option('--scenario <file>', "diagnose against this scenario's simulated account instead of AWS")
    .option('--region <region>', 'region of the real account (default: the event\'s region)')
    .option('--config <file>', 'configuration document for a real account (default: the built-in defaults)')
    .option('--json', 'print one JSON document')
    .action((file: string, options: DiagnoseOptions) => diagnoseFile(file, options));
}
