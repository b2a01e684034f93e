/**
 * How every Lambda step is bundled (esbuild's JS API; no CDK import, so the bench, the tests and the
 * synth-time bundler share it): one self-contained ESM file per step, the AWS SDK clients it uses inside.
 *
 * Why the SDK is bundled: importing `@aws-sdk/client-ec2` from the runtime's copy takes ≈ 300 ms; bundled and
 * tree-shaken, with {@link pureSdkSchemas}, the whole step imports in ≈ 50–60 ms (docs/PERFORMANCE.md). The
 * deployed SDK is also the version the tests ran against, not whatever the runtime ships that day.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

/** Packages that must never reach a Lambda bundle (AGPL simulator, 15 MB of IAM data read from disk). */
export const NEVER_BUNDLED = ['@cloud-copilot/'] as const;

/** The Node major of the Lambda runtime (nodejs22.x). */
export const LAMBDA_NODE_TARGET = 'node22';

/**
 * AWS SDK v3 clients describe their shapes as top-level arrays (`export var Instance$ = [3, n0, _I, ...]`)
 * in `schemas/schemas_0.js`. EC2's (query protocol) carry computed keys (`{ [_xN]: "item" }`), which esbuild
 * must assume may have side effects, so it keeps about 2,200 of the 3,400 shapes, used or not: 550 KB, half
 * of a step's bundle and of its import time. Each shape is a plain literal: this marks it pure
 * (`/* @__PURE__ *\/ (() => [...])()`, evaluated in the same place) so that only the shapes of the commands
 * a step sends stay. A file whose layout is not recognised is left as it is (a larger bundle, never a wrong one).
 */
export const pureSdkSchemas: Plugin = {
  name: 'iam-autoheal-pure-sdk-schemas',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return { contents: markShapesPure(source), loader: 'js' };
    });
  },
};

/** One shape: `var Name$ = [` up to the `];` that ends a line (shapes never nest a statement). */
const SHAPE = /^(export )?var ([\w$]+) = (\[[\s\S]*?\]);$/gm;

export function markShapesPure(source: string): string {
  return source.replace(SHAPE, (_match, exported: string | undefined, name: string, body: string) =>
    `${exported ?? ''}var ${name} = /* @__PURE__ */ (() => ${body})();`);
}

/** esbuild settings of every step: ESM with a createRequire banner for CommonJS dependencies, `module` entry points first (tree-shaking), minified, linked source map. */
export const LAMBDA_ESBUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: LAMBDA_NODE_TARGET,
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  // The map names files and lines (for NODE_OPTIONS=--enable-source-maps); without the sources it stays small.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  external: [],
  plugins: [pureSdkSchemas],
  logLevel: 'warning',
};

export interface BundledStep {
  /** `<outdir>/<name>/index.mjs` (the Lambda handler is `index.handler`). */
  file: string;
  /** Bundle inputs with their bytes in the output, largest first. */
  inputs: Array<{ path: string; bytes: number }>;
  bytes: number;
}

/**
 * Bundles each entry (`name → handler file`) to `<outdir>/<name>/index.mjs` in one esbuild run; every output is
 * self-contained (no code splitting). `overrides` change the settings (the bench's comparison variants).
 */
export async function bundleSteps(entries: Record<string, string>, outdir: string, overrides: BuildOptions = {}): Promise<Record<string, BundledStep>> {
  const result = await build({
    ...LAMBDA_ESBUILD,
    entryNames: '[name]/index',
    ...overrides,
    entryPoints: entries,
    outdir,
    outExtension: { '.js': '.mjs' },
    metafile: true,
  });
  return stepsOf(result.metafile, entries);
}

/** One step to `<outputDir>/index.mjs` (and its map): what the CDK asset of a function holds. */
export async function bundleStep(entry: string, outputDir: string): Promise<BundledStep> {
  const steps = await bundleSteps({ index: entry }, outputDir, { entryNames: '[name]' });
  return steps.index!;
}

function stepsOf(metafile: Metafile, entries: Record<string, string>): Record<string, BundledStep> {
  const steps: Record<string, BundledStep> = {};
  for (const [path, output] of Object.entries(metafile.outputs)) {
    const name = Object.keys(entries).find((n) => output.entryPoint && resolve(output.entryPoint) === resolve(entries[n]!));
    if (!name) continue;
    const inputs = Object.entries(output.inputs).map(([input, i]) => ({ path: input, bytes: i.bytesInOutput })).sort((a, b) => b.bytes - a.bytes);
    steps[name] = { file: resolve(path), inputs, bytes: output.bytes };
  }
  return steps;
}
