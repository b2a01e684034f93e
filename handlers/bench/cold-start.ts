/** Lambda cold start: bundle each step like the CDK app does, then time its import in fresh Node processes. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { median, round } from './markdown.ts';
import { PROJECT_ROOT } from './project.ts';

export const COLD_START_TARGETS = { maxBundleKb: 300, maxImportMs: 150 } as const;

/** The CDK app's bundling settings (lib/autoheal-function.ts) as esbuild options, plus NodejsFunction's own defaults. */
export async function lambdaBuildOptions(): Promise<{ options: BuildOptions; neverBundled: readonly string[] }> {
  // Loaded lazily: aws-cdk-lib takes a while to import and only this section needs it.
  const { LAMBDA_BUNDLING: b, NEVER_BUNDLED } = await import('../../lib/autoheal-function.ts');
  const options: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: b.target,
    format: b.format === 'esm' ? 'esm' : 'cjs',
    minify: b.minify,
    mainFields: b.mainFields,
    external: b.externalModules,
    banner: b.banner ? { js: b.banner } : undefined,
    sourcemap: b.sourceMap ? 'linked' : false,
    sourcesContent: b.sourcesContent ?? true,
  };
  return { options, neverBundled: NEVER_BUNDLED };
}

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
  bundleKb: number;
  sourcemapKb: number;
  /** Where the bytes come from: the three largest packages ("project" = our own code). */
  largestPackages: Array<{ package: string; kb: number }>;
  /** Packages that must never reach a Lambda bundle (lib NEVER_BUNDLED) found in this one: should be empty. */
  neverBundledFound: string[];
  withinTarget: boolean;
  /** The same entry with the AWS SDK bundled too (tree-shaken) instead of taken from the runtime: the other side of the trade-off. */
  sdkBundled?: { bundleKb: number } & ImportTiming;
  error?: string;
}

export interface ColdStartResult {
  options: { esbuild: Record<string, unknown>; runs: number; env: Record<string, string>; sdkBundledVariant: boolean };
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
  MEMBER_ROLE_NAME: '',
  LOG_LEVEL: 'info',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'iam-autoheal-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
};

const IMPORT_TIMER =
  'const c = process.cpuUsage(); const t = performance.now(); await import(process.argv[1]); ' +
  'const wall = performance.now() - t; const u = process.cpuUsage(c); process.stdout.write(JSON.stringify({ wall, cpu: (u.user + u.system) / 1000 }));';

function timeImport(file: string, env: Record<string, string>): { wall: number; cpu: number } {
  const run = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error((run.stderr || `exit ${run.status}`).trim().split('\n').filter((l) => /Error/.test(l))[0] ?? `exit ${run.status}`);
  return JSON.parse(run.stdout) as { wall: number; cpu: number };
}

function timeImports(file: string, runs: number): ImportTiming {
  const samples = Array.from({ length: runs }, () => timeImport(file, LAMBDA_LIKE_ENV));
  const walls = samples.map((s) => s.wall);
  return {
    importMsMedian: round(median(walls)),
    importMsMin: round(Math.min(...walls)),
    importMsMax: round(Math.max(...walls)),
    importCpuMsMedian: round(median(samples.map((s) => s.cpu))),
    runs,
  };
}

/** Bundles as deployed; `withoutSourcemap` gives the code's own size. Returns the file and its largest inputs. */
async function bundle(options: BuildOptions, entryFile: string, outDir: string, variant: 'no-map' | 'as-deployed' | 'sdk-bundled'): Promise<{ outfile: string; inputs: Array<{ path: string; kb: number }> }> {
  const outfile = join(outDir, variant, 'index.mjs');
  const overrides: BuildOptions = variant === 'no-map' ? { sourcemap: false } : variant === 'sdk-bundled' ? { sourcemap: false, external: [] } : {};
  const result = await build({ ...options, ...overrides, entryPoints: [entryFile], outfile, metafile: true, logLevel: 'silent' });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined) ?? Object.values(result.metafile.outputs)[0]!;
  const inputs = Object.entries(output.inputs)
    .map(([path, i]) => ({ path, kb: round(i.bytesInOutput / 1024) }))
    .sort((a, b) => b.kb - a.kb);
  return { outfile, inputs };
}

/** Groups bundle inputs by package (or "project" for our own files). */
function byPackage(inputs: Array<{ path: string; kb: number }>): Array<{ package: string; kb: number }> {
  const totals = new Map<string, number>();
  for (const { path, kb } of inputs) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const name = match ? match[1]! : 'project';
    totals.set(name, (totals.get(name) ?? 0) + kb);
  }
  return [...totals].map(([name, kb]) => ({ package: name, kb: round(kb) })).sort((a, b) => b.kb - a.kb);
}

export async function measureColdStart(runs: number, withSdkBundled: boolean, progress: (line: string) => void): Promise<ColdStartResult> {
  // Inside node_modules so that externals (@aws-sdk/*) resolve as they would from the Lambda runtime.
  const cacheDir = join(PROJECT_ROOT, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, 'iam-autoheal-bench-'));
  const rows: ColdStartRow[] = [];
  const { options, neverBundled } = await lambdaBuildOptions();
  const { STEP_NAMES } = await import('../../lib/steps.ts');
  try {
    for (const entry of STEP_NAMES) {
      const file = `handlers/${entry}.ts`;
      const entryFile = join(PROJECT_ROOT, file);
      const base: ColdStartRow = { entry, file, bundleKb: 0, sourcemapKb: 0, importMsMedian: 0, importMsMin: 0, importMsMax: 0, importCpuMsMedian: 0, runs: 0, largestPackages: [], neverBundledFound: [], withinTarget: false };
      if (!existsSync(entryFile)) {
        rows.push({ ...base, error: 'entry file missing' });
        continue;
      }
      try {
        const { outfile, inputs } = await bundle(options, entryFile, join(tmp, entry), 'no-map');
        const { outfile: deployed } = await bundle(options, entryFile, join(tmp, entry), 'as-deployed');
        const packages = byPackage(inputs);
        const neverBundledFound = packages.map((p) => p.package).filter((name) => neverBundled.some((prefix) => name.startsWith(prefix)));
        const timing = timeImports(deployed, runs);
        const bundleKb = round(statSync(outfile).size / 1024);
        let sdkBundled: ColdStartRow['sdkBundled'];
        if (withSdkBundled) {
          const { outfile: selfContained } = await bundle(options, entryFile, join(tmp, entry), 'sdk-bundled');
          sdkBundled = { bundleKb: round(statSync(selfContained).size / 1024), ...timeImports(selfContained, runs) };
        }
        const { importMsMedian } = timing;
        rows.push({
          ...base,
          bundleKb,
          sourcemapKb: existsSync(`${deployed}.map`) ? round(statSync(`${deployed}.map`).size / 1024) : 0,
          ...timing,
          sdkBundled,
          largestPackages: packages.slice(0, 3),
          neverBundledFound,
          withinTarget: neverBundledFound.length === 0 && bundleKb <= COLD_START_TARGETS.maxBundleKb && importMsMedian <= COLD_START_TARGETS.maxImportMs,
        });
        progress(`cold start: ${entry} ${bundleKb} KB, import ${importMsMedian} ms wall / ${timing.importCpuMsMedian} ms CPU (median of ${runs})${sdkBundled ? `; SDK bundled: ${sdkBundled.bundleKb} KB, ${sdkBundled.importMsMedian} ms` : ''}`);
      } catch (err) {
        rows.push({ ...base, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
        progress(`cold start: ${entry} failed: ${rows.at(-1)!.error}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const { banner, ...esbuild } = options;
  return {
    options: { esbuild: { ...esbuild, banner: banner ? 'createRequire' : 'none' }, runs, env: LAMBDA_LIKE_ENV, sdkBundledVariant: withSdkBundled },
    targets: COLD_START_TARGETS,
    rows,
    met: rows.length > 0 && rows.every((r) => r.withinTarget),
  };
}
