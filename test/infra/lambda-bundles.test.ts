// The Lambda bundles, built with the construct's esbuild settings: nothing AGPL or infrastructure inside.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLING, NEVER_BUNDLED } from '../../lib/autoheal-function.ts';
import { STEP_NAMES } from '../../lib/steps.ts';

const HANDLERS = join(import.meta.dirname, '..', '..', 'handlers');

describe('Lambda bundles', () => {
  const entries = STEP_NAMES.map((step) => join(HANDLERS, `${step}.ts`));

  it('exist for every step the construct deploys', () => {
    expect(entries.filter((entry) => !existsSync(entry))).toEqual([]);
  });

  it('never contain @cloud-copilot packages, the CDK, or the AWS SDK the runtime provides', async () => {
    const result = await build({
      entryPoints: entries,
      outdir: join(HANDLERS, '..', 'node_modules', '.cache', 'bundle-check'),
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: LAMBDA_BUNDLING.target,
      minify: LAMBDA_BUNDLING.minify,
      mainFields: LAMBDA_BUNDLING.mainFields,
      external: LAMBDA_BUNDLING.externalModules,
      banner: { js: LAMBDA_BUNDLING.banner! },
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(STEP_NAMES.length);
    for (const forbidden of [...NEVER_BUNDLED, 'aws-cdk-lib', '@aws-sdk/client-']) {
      expect(inputs.filter((input) => input.includes(`node_modules/${forbidden}`)), forbidden).toEqual([]);
    }
    for (const output of Object.values(result.metafile.outputs)) expect(output.bytes).toBeLessThan(1024 * 1024);
  });
});
