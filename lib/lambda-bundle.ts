/**
 * How every Lambda step is bundled (esbuild's JS API; no CDK import, so the bench, the tests and the
 * synth-time bundler share it): one self-contained ESM file per step, the AWS SDK clients it uses inside.
 *
 * Why the SDK is bundled: importing `@aws-sdk/client-ec2` from the runtime's copy takes ≈ 300 ms; bundled and
 * tree-shaken, with {@link pureSdkSchemas}, the whole step imports in ≈ 50–60 ms (docs/PERFORMANCE.md). The
 * deployed SDK is also the version the tests ran against, not whatever the runtime ships that day.
 *
 * Code behind a dynamic `import()` is split into chunks of its own (`chunks/`, beside `index.mjs`), read only when
 * called: the SDK's credential providers a Lambda never uses (SSO, INI files, web identity) and the adapters the
 * account ports load on their first call (handlers/adapters/aws/account.ts) stay out of the cold start.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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

/**
 * esbuild settings of every step: ESM with a createRequire banner for CommonJS dependencies, `module` entry points
 * first (tree-shaking), minified, linked source map, dynamic imports split into chunks loaded on first use.
 */
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
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
};

export interface BundledStep {
  /** `<outdir>/<name>/index.mjs` (the Lambda handler is `index.handler`). */
  file: string;
  /** Every output file of the step (the entry first, then its chunks), without source maps. */
  files: string[];
  /** Bundle inputs with their bytes in the output, largest first; `lazy` when only a dynamic import reaches them. */
  inputs: Array<{ path: string; bytes: number; lazy: boolean }>;
  /** Bytes a cold start imports: the entry and the chunks it imports statically. */
  bytes: number;
  /** Bytes behind dynamic imports: read only by an invocation that calls them. */
  lazyBytes: number;
}

/**
 * Bundles each entry (`name → handler file`) to `<outdir>/<name>/index.mjs` (and `<outdir>/<name>/chunks/`), one
 * esbuild run per entry, as synth builds each step alone. `overrides` change the settings (the bench's comparison variants).
 */
export async function bundleSteps(entries: Record<string, string>, outdir: string, overrides: BuildOptions = {}): Promise<Record<string, BundledStep>> {
  const built = await Promise.all(Object.entries(entries).map(async ([name, entry]) => [name, await bundleStep(entry, join(outdir, name), overrides)] as const));
  return Object.fromEntries(built);
}

/** One step to `<outputDir>/index.mjs`, its chunks and their maps: what the CDK asset of a function holds. */
export async function bundleStep(entry: string, outputDir: string, overrides: BuildOptions = {}): Promise<BundledStep> {
  const result = await build({
    ...LAMBDA_ESBUILD,
    ...overrides,
    entryPoints: { index: entry },
    entryNames: '[name]',
    outdir: outputDir,
    outExtension: { '.js': '.mjs' },
    metafile: true,
  });
  return stepOf(result.metafile, entry);
}

/** The step's outputs from esbuild's metafile: what the entry imports statically (cold start) and what only on demand. */
function stepOf(metafile: Metafile, entryPoint: string): BundledStep {
  const outputs = Object.entries(metafile.outputs).filter(([path]) => !path.endsWith('.map'));
  // Dynamic import targets are entry points too: the step's is the one of its handler file.
  const entry = outputs.find(([, output]) => output.entryPoint && resolve(output.entryPoint) === resolve(entryPoint));
  if (!entry) throw new Error('esbuild wrote no entry output');
  const eager = reachable([entry[0]], metafile, 'import-statement');
  const all = reachable([entry[0]], metafile, 'any');
  const files = [...all];
  const inputs = files.flatMap((path) => Object.entries(metafile.outputs[path]!.inputs).map(([input, i]) => ({ path: input, bytes: i.bytesInOutput, lazy: !eager.has(path) })))
    .filter((input) => input.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  const sum = (paths: string[]) => paths.reduce((total, path) => total + metafile.outputs[path]!.bytes, 0);
  return {
    file: resolve(entry[0]),
    files: files.map((path) => resolve(path)),
    inputs,
    bytes: sum([...eager]),
    lazyBytes: sum(files.filter((path) => !eager.has(path))),
  };
}

/** Output files reachable from `start` through static imports only, or through any import. */
function reachable(start: string[], metafile: Metafile, kind: 'import-statement' | 'any'): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !metafile.outputs[path]) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]!.imports) {
      if (!imported.external && (kind === 'any' || imported.kind === kind)) visit(imported.path);
    }
  };
  start.forEach(visit);
  return seen;
}
