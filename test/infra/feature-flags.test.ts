// cdk.json is the one list of feature flags: `cdk synth` reads it, and so does testApp() in these tests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testApp } from './app-fixture.ts';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
const context = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const recommended = createRequire(import.meta.url)('aws-cdk-lib/recommended-feature-flags.json') as Record<string, unknown>;

/** Flags set against the recommendation, on purpose. */
const DELIBERATE = {
  // GovCloud too: partition literals are generated for every partition the service may run in.
  '@aws-cdk/core:target-partitions': ['aws', 'aws-cn', 'aws-us-gov'],
  // No wider usage data in templates than the CDK default (the CLI's telemetry is off too).
  '@aws-cdk/core:enableAdditionalMetadataCollection': false,
};

describe('feature flags', () => {
  it('cdk.json sets every flag the installed aws-cdk-lib recommends (an upgrade that adds one fails here)', () => {
    const unset = Object.keys(recommended).filter((flag) => !(flag in context));
    expect(unset).toEqual([]);
  });

  it('cdk.json follows each recommendation but the deliberate exceptions', () => {
    const differing = Object.fromEntries(Object.entries(recommended).filter(([flag, value]) => JSON.stringify(context[flag]) !== JSON.stringify(value)).map(([flag]) => [flag, context[flag]]));
    expect(differing).toEqual(DELIBERATE);
  });

  it('the test app runs with the same flags as cdk synth', () => {
    const app = testApp();
    for (const flag of ['@aws-cdk/core:enablePartitionLiterals', '@aws-cdk/aws-events:eventsTargetQueueSameAccount']) {
      expect(app.node.tryGetContext(flag)).toBe(true);
    }
  });
});
