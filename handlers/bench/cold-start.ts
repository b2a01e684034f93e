/** Lambda cold start: bundle each step as the CDK app does (lib/lambda-bundle.ts), then time its import in fresh Node processes. */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { bundleSteps, LAMBDA_ESBUILD, NEVER_BUNDLED, type BundledStep } from '../../lib/lambda-bundle.ts';
import { median, round } from './numbers.ts';
import { PROJECT_ROOT } from './project.ts';

/**
 * Import time is the target; size only a ceiling: the SDK clients a step uses are bundled (tree-shaken), which
 * costs ≈ 1 MB and saves ≈ 200 ms of import for the steps that load the EC2 client (docs/PERFORMANCE.md).
 */
export const COLD_START_TARGETS = { maxBundleKb: 3072, maxImportMs: 150 } as const;

/** What the runtime provides (nodejs22.x ships the AWS SDK v3): the comparison variant leaves it out of the bundle. */
export const RUNTIME_PROVIDED = ['@aws-sdk/*'] as const;

export interface ImportTiming {
  /** Wall time of `await import(bundle)`, median of the runs. */
  importMsMedian: number;
  importMsMin: number;
  importMsMax: number;
  /** CPU time (user + system) of the import, median: what a dedicated core would spend, whatever the machine's load. */
  importCpuMsMedian: number;
  runs: number;
}

export interface ColdStartRow extends ImportTiming {
  entry: string;
  file: string;
  /** What a cold start imports: the entry and the chunks it imports statically. */
  bundleKb: number;
  /** Chunks behind dynamic imports (SDK credential providers, adapters loaded on first call): read only when called. */
  lazyKb: number;
  /** Source maps of every file of the step. */
  sourcemapKb: number;
  /** Where the bytes come from: the three largest packages ("project" = our own code). */
  largestPackages: Array<{ package: string; kb: number }>;
  /** Packages that must never reach a Lambda bundle (NEVER_BUNDLED in lib/lambda-bundle.ts) found in this one: should be empty. */
  neverBundledFound: string[];
  withinTarget: boolean;
  /** The same entry with the AWS SDK taken from the runtime's copy instead of bundled: the other side of the trade-off. */
  sdkFromRuntime?: { bundleKb: number } & ImportTiming;
  error?: string;
}

export interface ColdStartResult {
  options: { esbuild: Record<string, unknown>; runs: number; concurrent: boolean; env: Record<string, string>; sdkFromRuntimeVariant: boolean };
  targets: typeof COLD_START_TARGETS;
  rows: ColdStartRow[];
  met: boolean;
}

/**
 * The environment a deployed step has at import time: the variables lib/iam-autoheal.ts sets (placeholder
 * values) plus the runtime's own. No credentials: nothing may call AWS while a module loads.
 */
const LAMBDA_LIKE_ENV: Record<string, string> = {
  CONFIG: '{}',
  AUDIT_TABLE: 'iam-autoheal-audit',
  STATE_TABLE: 'iam-autoheal-state',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:iam-autoheal',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111122223333:stateMachine:iam-autoheal-remediate',
  EVENT_BUS_NAME: 'iam-autoheal',
  MEMBER_READ_ROLE_NAME: '',
  MEMBER_WRITE_ROLE_NAME: '',
  LOG_LEVEL: 'info',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'iam-autoheal-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
};

const IMPORT_TIMER =
  'const c = process.cpuUsage(); const t = performance.now(); await import(process.argv[1]); ' +
  'const wall = performance.now() - t; const u = process.cpuUsage(c); process.stdout.write(JSON.stringify({ wall, cpu: (u.user + u.system) / 1000 }));';

const execFileAsync = promisify(execFile);

async function timeImport(file: string): Promise<{ wall: number; cpu: number }> {
  try {
    const { stdout } = await execFileAsync(process.execPath, ['--no-warnings', '--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href], {
      env: { PATH: process.env.PATH ?? '', ...LAMBDA_LIKE_ENV },
      timeout: 60_000,
    });
    return JSON.parse(stdout) as { wall: number; cpu: number };
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message);
    throw new Error(stderr.split('\n').find((l) => /Error/.test(l)) ?? stderr.split('\n')[0]);
  }
}

async function timeImports(file: string, runs: number): Promise<ImportTiming> {
  const samples: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < runs; i++) samples.push(await timeImport(file));
  const walls = samples.map((s) => s.wall);
  return {
    importMsMedian: round(median(walls)),
    importMsMin: round(Math.min(...walls)),
    importMsMax: round(Math.max(...walls)),
    importCpuMsMedian: round(median(samples.map((s) => s.cpu))),
    runs,
  };
}

/**
 * The import time a target is judged on: the lesser of wall and CPU time. Wall time grows with the
 * machine's load; CPU time sums Node's threads (compilation, GC), so it exceeds wall on an idle machine.
 */
export function importMsJudged(t: Pick<ImportTiming, 'importMsMedian' | 'importCpuMsMedian'>): number {
  return Math.min(t.importMsMedian, t.importCpuMsMedian);
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(work))));
  return results;
}

type Variant = 'code' | 'as-deployed' | 'sdk-from-runtime';

const VARIANT_OVERRIDES: Record<Variant, BuildOptions> = {
  // The code's own size (and what is imported: without NODE_OPTIONS=--enable-source-maps the map is never read).
  code: { sourcemap: false },
  'as-deployed': {},
  'sdk-from-runtime': { sourcemap: false, external: [...RUNTIME_PROVIDED] },
};

/** Bundles every entry with the deployed settings (lib/lambda-bundle.ts) in one esbuild run; each output stays self-contained. */
async function bundleAll(entries: Record<string, string>, outdir: string, variant: Variant): Promise<Map<string, BundledStep | Error>> {
  const out = new Map<string, BundledStep | Error>();
  const run = async (points: Record<string, string>) => {
    const steps = await bundleSteps(points, join(outdir, variant), { ...VARIANT_OVERRIDES[variant], logLevel: 'silent' });
    for (const [name, step] of Object.entries(steps)) out.set(name, step);
  };
  try {
    await run(entries);
  } catch {
    // One broken entry fails the whole run: build them one by one to say which.
    for (const [name, path] of Object.entries(entries)) {
      await run({ [name]: path }).catch((err: Error) => out.set(name, new Error(err.message.split('\n')[0])));
    }
  }
  return out;
}

/** Groups bundle inputs by package (or "project" for our own files). */
function byPackage(inputs: Array<{ path: string; bytes: number }>): Array<{ package: string; kb: number }> {
  const totals = new Map<string, number>();
  for (const { path, bytes } of inputs) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const name = match ? match[1]! : 'project';
    totals.set(name, (totals.get(name) ?? 0) + bytes);
  }
  return [...totals].map(([name, bytes]) => ({ package: name, kb: round(bytes / 1024) })).sort((a, b) => b.kb - a.kb);
}

const kb = (bytes: number) => round(bytes / 1024);

/**
 * `concurrent`: time the steps' imports side by side, one per core (--quick). CPU time, on which the
 * target is judged, hardly changes; wall time grows.
 */
export async function measureColdStart(runs: number, withSdkFromRuntime: boolean, concurrent: boolean, progress: (line: string) => void): Promise<ColdStartResult> {
  // Inside node_modules so that the comparison variant's externals (@aws-sdk/*) resolve as they would from the Lambda runtime.
  const cacheDir = join(PROJECT_ROOT, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, 'iam-autoheal-bench-'));
  const rows: ColdStartRow[] = [];
  const { STEP_NAMES } = await import('../../lib/steps.ts');
  const entries = Object.fromEntries(STEP_NAMES.map((name) => [name, join(PROJECT_ROOT, 'handlers', `${name}.ts`)] as const).filter(([, path]) => existsSync(path)));
  try {
    const code = await bundleAll(entries, tmp, 'code');
    const deployed = await bundleAll(entries, tmp, 'as-deployed');
    const runtimeSdk = withSdkFromRuntime ? await bundleAll(entries, tmp, 'sdk-from-runtime') : null;
    progress(`cold start: bundled ${Object.keys(entries).length} steps${withSdkFromRuntime ? ' (and again with the SDK left to the runtime)' : ''}`);
    const measureEntry = async (entry: string): Promise<ColdStartRow> => {
      const base: ColdStartRow = { entry, file: `handlers/${entry}.ts`, bundleKb: 0, lazyKb: 0, sourcemapKb: 0, importMsMedian: 0, importMsMin: 0, importMsMax: 0, importCpuMsMedian: 0, runs: 0, largestPackages: [], neverBundledFound: [], withinTarget: false };
      const built = code.get(entry);
      const mapped = deployed.get(entry);
      if (!built || built instanceof Error) return { ...base, error: built ? built.message : 'entry file missing' };
      try {
        const neverBundledFound = byPackage(built.inputs).map((p) => p.package).filter((name) => NEVER_BUNDLED.some((prefix) => name.startsWith(prefix)));
        const timing = await timeImports(built.file, runs);
        const bundleKb = kb(built.bytes);
        const lazyKb = kb(built.lazyBytes);
        const sdk = runtimeSdk?.get(entry);
        const sdkFromRuntime = sdk && !(sdk instanceof Error) ? { bundleKb: kb(sdk.bytes), ...(await timeImports(sdk.file, runs)) } : undefined;
        const maps = mapped && !(mapped instanceof Error) ? mapped.files.map((file) => `${file}.map`).filter((map) => existsSync(map)) : [];
        const row: ColdStartRow = {
          ...base,
          bundleKb,
          lazyKb,
          sourcemapKb: kb(maps.reduce((total, map) => total + statSync(map).size, 0)),
          ...timing,
          sdkFromRuntime,
          largestPackages: byPackage(built.inputs.filter((input) => !input.lazy)).slice(0, 3),
          neverBundledFound,
          withinTarget: neverBundledFound.length === 0 && bundleKb + lazyKb <= COLD_START_TARGETS.maxBundleKb && importMsJudged(timing) <= COLD_START_TARGETS.maxImportMs,
        };
        progress(`cold start: ${entry} ${bundleKb} KB (+ ${lazyKb} KB on first use), import ${timing.importMsMedian} ms wall / ${timing.importCpuMsMedian} ms CPU (median of ${runs})${sdkFromRuntime ? `; SDK from the runtime: ${sdkFromRuntime.bundleKb} KB, ${sdkFromRuntime.importMsMedian} ms` : ''}`);
        return row;
      } catch (err) {
        const error = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        progress(`cold start: ${entry} failed: ${error}`);
        return { ...base, error };
      }
    };
    rows.push(...(await inBatches([...STEP_NAMES], concurrent ? availableParallelism() : 1, measureEntry)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const { banner, plugins, ...esbuild } = LAMBDA_ESBUILD;
  return {
    options: { esbuild: { ...esbuild, banner: banner ? 'createRequire' : 'none', plugins: (plugins ?? []).map((p) => p.name) }, runs, concurrent, env: LAMBDA_LIKE_ENV, sdkFromRuntimeVariant: withSdkFromRuntime },
    targets: COLD_START_TARGETS,
    rows,
    met: rows.length > 0 && rows.every((r) => r.withinTarget),
  };
}
