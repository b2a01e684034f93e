/** `iam-autoheal simulate <scenario.json> [--json] [--audit FILE]`: the whole pipeline on one scenario. */
import type { Command } from 'commander';
import { asInputErrors, ensureWritable, readScenario } from './input.ts';
import { incidentLabels, reportSummary, timelineLine } from './render.ts';

interface SimulateOptions {
  json?: boolean;
  audit?: string;
}

export async function simulate(file: string, options: SimulateOptions): Promise<void> {
  const scenario = readScenario(file);
  if (options.audit) ensureWritable(options.audit);
  // Loaded here, not at start-up: every other command starts without the interpreter and the evaluator.
  const { runScenario } = await import('../local/run-scenario.ts');
  const report = await asInputErrors(() => runScenario(scenario, { auditPath: options.audit }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const labels = incidentLabels(report);
  const out = [`scenario: ${report.scenario}`];
  if (scenario.description) out.push(scenario.description);
  out.push('', 'timeline (simulated time since the first event):');
  out.push(...report.timeline.map((entry) => timelineLine(entry, labels)));
  out.push('', reportSummary(report));
  if (options.audit) out.push(`audit trail: ${options.audit} (iam-autoheal audit --file ${options.audit})`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('Run intake and the real state machine with the real handlers against the simulated account of a scenario.')
    .argument('<scenario>', 'scenario file (CONTRACTS.md scenario format)')
    .option('--json', 'print the report as one JSON document')
    .option('--audit <file>', 'append the audit trail to this JSON-lines file (for `audit` and `undo`)')
    .action((file: string, options: SimulateOptions) => simulate(file, options));
}
