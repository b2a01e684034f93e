/** `iam-autoheal bench`: storm amplification, time to remediate, cost, intake speed, cold start. */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { failedSections, runBench } from '../bench/index.ts';
import { renderReport } from '../bench/report.ts';
import { InputError } from './errors.ts';

function defaultOutFile(startedAt: string): string {
  return resolve('bench-results', `bench-${startedAt.replace(/[:.]/g, '-')}.json`);
}

/** Fails before a run of minutes, not after it, when the results could not be written. */
function ensureWritableDir(file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    accessSync(dirname(file), constants.W_OK);
  } catch (err) {
    throw new InputError(`${file}: cannot write the results (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure storm amplification, time to remediate, cost per incident, intake speed and Lambda cold start')
    .option('--quick', 'smaller sizes, under 30 s (CI-style check)')
    .option('--json', 'print the results as one JSON document instead of the markdown table')
    .option('--out <file>', 'where to write the JSON results (default bench-results/bench-<timestamp>.json)')
    .action(async (opts: { quick?: boolean; json?: boolean; out?: string }) => {
      const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
      if (opts.out) ensureWritableDir(resolve(opts.out));
      const results = await runBench({ quick: Boolean(opts.quick) }, progress);
      const outFile = opts.out ? resolve(opts.out) : defaultOutFile(results.startedAt);
      ensureWritableDir(outFile);
      try {
        writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
      } catch (err) {
        throw new InputError(`${outFile}: cannot write the results (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        process.stderr.write(`bench: results written to ${outFile}\n`);
      } else {
        process.stdout.write(`${renderReport(results)}\n\nResults written to ${outFile}\n`);
      }
      // A missed target is a result; a section that could not run is a failure.
      if (failedSections(results).length > 0) process.exitCode = 1;
    });
}
