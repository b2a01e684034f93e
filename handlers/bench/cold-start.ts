/** Lambda cold start: bundle each step like the CDK app does, then time its import in fresh Node processes. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { median, round } from './markdown.ts';
import { PROJECT_ROOT } from './project.ts';

export const LAMBDA_ENTRIES = ['intake', 'diagnose', 'guard', 'apply', 'verify', 'record', 'notify', 'request-approval', 'sweep'] as const;

export const COLD_START_TARGETS = { maxBundleKb: 300, maxImportMs: 150 } as const;

/** Same settings as lib/: NodejsFunction defaults (bundle, @aws-sdk/* external on nodejs22.x) + ours. */
export const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
};

export interface ColdStartRow {
  entry: string;
  file: string;
  bundleKb: number;
  sourcemapKb: number;
  importMsMedian: number;
  importMsMin: number;
  importMsMax: number;
  runs: number;
  withinTarget: boolean;
  error?: string;
}

export interface ColdStartResult {
  options: { esbuild: Record<string, unknown>; runs: number; env: Record<string, string> };
  targets: typeof COLD_START_TARGETS;
  rows: ColdStartRow[];
  met: boolean;
}

/** Environment a deployed function has at import time (no credentials: nothing may call AWS while loading). */
const LAMBDA_LIKE_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'iam-autoheal-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  NODE_ENV: 'production',
};

const IMPORT_TIMER = `const t0 = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t0));`;

function timeImport(file: string, env: Record<string, string>): number {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error((run.stderr || `exit ${run.status}`).trim().split('\n').slice(-3).join(' '));
  return Number(run.stdout);
}

async function bundle(entryFile: string, outDir: string, sourcemap: boolean): Promise<string> {
  const outfile = join(outDir, sourcemap ? 'with-map' : 'no-map', 'index.mjs');
  await build({ ...BUNDLE_OPTIONS, entryPoints: [entryFile], outfile, sourcemap: sourcemap ? 'external' : false, logLevel: 'silent' });
  return outfile;
}

export async function measureColdStart(runs: number, progress: (line: string) => void): Promise<ColdStartResult> {
  // Inside node_modules so that externals (@aws-sdk/*) resolve as they would from the Lambda runtime.
  const cacheDir = join(PROJECT_ROOT, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, 'iam-autoheal-bench-'));
  const rows: ColdStartRow[] = [];
  try {
    for (const entry of LAMBDA_ENTRIES) {
      const file = `handlers/${entry}.ts`;
      const entryFile = join(PROJECT_ROOT, file);
      const base = { entry, file, bundleKb: 0, sourcemapKb: 0, importMsMedian: 0, importMsMin: 0, importMsMax: 0, runs: 0, withinTarget: false };
      if (!existsSync(entryFile)) {
        rows.push({ ...base, error: 'entry file missing' });
        continue;
      }
      try {
        const outfile = await bundle(entryFile, join(tmp, entry), false);
        const mapped = await bundle(entryFile, join(tmp, entry), true);
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push(timeImport(outfile, LAMBDA_LIKE_ENV));
        const bundleKb = round(statSync(outfile).size / 1024);
        const importMsMedian = round(median(times));
        rows.push({
          ...base,
          bundleKb,
          sourcemapKb: round(statSync(`${mapped}.map`).size / 1024),
          importMsMedian,
          importMsMin: round(Math.min(...times)),
          importMsMax: round(Math.max(...times)),
          runs,
          withinTarget: bundleKb <= COLD_START_TARGETS.maxBundleKb && importMsMedian <= COLD_START_TARGETS.maxImportMs,
        });
        progress(`cold start: ${entry} ${bundleKb} KB, import ${importMsMedian} ms (median of ${runs})`);
      } catch (err) {
        rows.push({ ...base, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
        progress(`cold start: ${entry} failed: ${rows.at(-1)!.error}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const { banner, ...esbuild } = BUNDLE_OPTIONS;
  return {
    options: { esbuild: { ...esbuild, banner: 'createRequire', sourcemap: 'off for size and import; external map size reported' }, runs, env: LAMBDA_LIKE_ENV },
    targets: COLD_START_TARGETS,
    rows,
    met: rows.length > 0 && rows.every((r) => r.withinTarget),
  };
}
