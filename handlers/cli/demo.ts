/** `iam-autoheal demo [--json] [--scenario NAME]`: every built-in scenario, a short timeline each, a summary table. */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { extractRecords } from '../core/events/index.ts';
import { REMEDIATIONS } from '../core/remediations/index.ts';
import { isGoneResult } from '../core/remediations/instance-gone.ts';
import type { SimulationReport } from '../local/run-scenario.ts';
import { InputError } from './errors.ts';
import { readScenario } from './input.ts';
import { incidentLabels, seconds, shortTimeline, table } from './render.ts';

/** The package's own scenarios/, wherever the command is run from. */
export const BUILTIN_SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** `expected.actions` lists changes only: what the remediation catalog declares as an IAM or EC2 write. */
function isChange(type: string): boolean {
  const remediation = REMEDIATIONS.find((r) => r.type === type);
  return remediation !== undefined && remediation.writes !== 'none';
}

/** What one incident is expected to end as. */
export interface ExpectedIncident {
  events?: number;
  cause?: string;
  status?: string;
  /** The changes made, by type, in order of first appearance. */
  actions?: string[];
  /** The changes left for a person (out of scope, `partially-fixed`), by type, in order of first appearance. */
  deferred?: string[];
  /** How many instance changes were skipped because the instance was terminated meanwhile. */
  skipped?: number;
}

/** What a scenario's `expected` block may say; every field given is checked. */
export interface Expected extends ExpectedIncident {
  incidents?: number;
  ignoredEvents?: number;
  /** Records refused as input (forged or foreign envelope, malformed or foreign account). */
  refusedEvents?: number;
  writes?: { iam?: number; ec2?: number };
  /** Several root causes: one entry per incident, in the order intake finds them (first event first). */
  byIncident?: ExpectedIncident[];
}

export interface DemoRow {
  scenario: string;
  events: number;
  report: SimulationReport;
  /** Differences from `expected`; empty when the outcome is the expected one. */
  mismatches: string[];
}

export function builtinScenarioFiles(dir = BUILTIN_SCENARIOS): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
}

/** Every way the report differs from what the scenario expects, in words. */
export function compareWithExpected(report: SimulationReport, expected: Expected | undefined): string[] {
  if (!expected) return [];
  const out: string[] = [];
  const check = (what: string, actual: unknown, wanted: unknown) => {
    if (wanted !== undefined && JSON.stringify(actual) !== JSON.stringify(wanted)) out.push(`${what} ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  check('incidents', report.incidents.length, expected.incidents);
  check('ignored events', report.ignoredEvents, expected.ignoredEvents);
  check('refused events', report.refusedEvents.length, expected.refusedEvents);
  report.incidents.forEach((incident, i) => {
    const wanted = expected.byIncident ? (expected.byIncident[i] ?? {}) : expected;
    const label = expected.byIncident ? `incident ${i + 1} ` : '';
    check(`${label}events`, incident.events, wanted.events);
    check(`${label}cause`, incident.cause, wanted.cause);
    check(`${label}status`, incident.status, wanted.status);
    if (wanted.actions) {
      const types = [...new Set(incident.actions.filter((a) => a.result === 'done' && isChange(a.type)).map((a) => a.type))];
      check(`${label}actions`, types, wanted.actions);
    }
    if (wanted.deferred) check(`${label}deferred`, [...new Set(incident.actions.filter((a) => a.result === 'deferred').map((a) => a.type))], wanted.deferred);
    check(`${label}skipped`, incident.actions.filter(isGoneResult).length, wanted.skipped);
  });
  check('IAM writes', report.api.iamWrites, expected.writes?.iam);
  check('EC2 writes', report.api.ec2Writes, expected.writes?.ec2);
  return out;
}

function recordCount(events: unknown[], file: string): number {
  return events.reduce<number>((n, e) => n + extractRecords(e, file).length, 0);
}

export async function runDemo(files: string[], onScenario?: (row: DemoRow) => void): Promise<DemoRow[]> {
  const { runScenario } = await import('../local/run-scenario.ts');
  const rows: DemoRow[] = [];
  for (const file of files) {
    const scenario = readScenario(file);
    const report = await runScenario(scenario);
    const row = { scenario: basename(file, '.json'), events: recordCount(scenario.events, file), report, mismatches: compareWithExpected(report, scenario.expected as Expected | undefined) };
    rows.push(row);
    onScenario?.(row);
  }
  return rows;
}

/** Time to fix: simulated seconds of the incidents that ended fixed or verified; "-" otherwise. */
function timeToFix(report: SimulationReport): string {
  const fixed = report.incidents.filter((i) => i.status === 'fixed' || i.status === 'partially-fixed' || i.status === 'prevented' || i.status === 'verified-no-change');
  return fixed.length ? seconds(Math.max(...fixed.map((i) => i.simulatedSeconds))) : '-';
}

export function summaryTable(rows: DemoRow[]): string {
  const header = ['SCENARIO', 'EVENTS', 'INCIDENTS', 'CAUSE', 'OUTCOME', 'IAM WRITES', 'EC2 WRITES', 'TIME TO FIX', 'AS EXPECTED'];
  const body = rows.map(({ scenario, events, report, mismatches }) => [
    scenario,
    String(events),
    String(report.incidents.length),
    [...new Set(report.incidents.map((i) => i.cause))].join(', ') || '-',
    [...new Set(report.incidents.map((i) => i.status))].join(', ') || '-',
    String(report.api.iamWrites),
    String(report.api.ec2Writes),
    timeToFix(report),
    mismatches.length ? `NO: ${mismatches.join('; ')}` : 'yes',
  ]);
  return table([header, ...body]);
}

function selectFiles(name: string | undefined, dir: string): string[] {
  const files = builtinScenarioFiles(dir);
  if (!name) return files;
  const wanted = basename(name, '.json');
  const match = files.filter((f) => basename(f, '.json') === wanted);
  if (match.length === 0) throw new InputError(`--scenario ${name}: no built-in scenario of that name (known: ${files.map((f) => basename(f, '.json')).join(', ')})`);
  return match;
}

/** `dir`: the package's scenarios/ (a test may point it elsewhere). */
export async function demo(options: { json?: boolean; scenario?: string }, dir = BUILTIN_SCENARIOS): Promise<void> {
  const files = selectFiles(options.scenario, dir);
  const started = Date.now();
  const rows = await runDemo(files, options.json ? undefined : (row) => {
    const { report } = row;
    const lines = [`── ${row.scenario}: ${report.scenario}`, ...shortTimeline(report.timeline, incidentLabels(report)), ''];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  const failed = rows.filter((r) => r.mismatches.length > 0);
  if (options.json) {
    const doc = rows.map((r) => ({ scenario: r.scenario, events: r.events, asExpected: r.mismatches.length === 0, mismatches: r.mismatches, report: { ...r.report, timeline: undefined, account: undefined } }));
    process.stdout.write(`${JSON.stringify({ scenarios: doc, failed: failed.length }, null, 2)}\n`);
  } else {
    const verdict = failed.length ? `${failed.length} of ${rows.length} scenario(s) did NOT end as expected` : `all ${rows.length} scenario(s) ended as expected`;
    process.stdout.write(`${summaryTable(rows)}\n\n${verdict} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
  }
  if (failed.length) process.exitCode = 1;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run every built-in scenario (scenarios/): a short timeline each and a summary table; exit 1 if an outcome differs from its expected one.')
    .option('--json', 'print one JSON document: per scenario the outcome and the report')
    .option('--scenario <name>', 'run only this built-in scenario (file name without .json)')
    .action((options: { json?: boolean; scenario?: string }) => demo(options));
}
