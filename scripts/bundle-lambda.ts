/**
 * Bundles one Lambda step for `cdk synth` (lib/autoheal-function.ts runs it in a child process: CDK's local
 * bundling is synchronous, esbuild plugins need the asynchronous API).
 * Usage: tsx scripts/bundle-lambda.ts <handler file> <output directory>
 */
import { bundleStep } from '../lib/lambda-bundle.ts';

const [entry, outputDir] = process.argv.slice(2);
if (!entry || !outputDir) {
  console.error('usage: tsx scripts/bundle-lambda.ts <handler file> <output directory>');
  process.exit(2);
}
try {
  await bundleStep(entry, outputDir);
} catch (error) {
  console.error(`bundle-lambda: ${entry}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
