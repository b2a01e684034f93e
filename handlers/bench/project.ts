/** Where the project's own files are, wherever the command is run from, and deployed settings the benchmark mirrors. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const CLOUDTRAIL_FIXTURES_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'cloudtrail');

/** Every real CloudTrail fixture: file name, text and parsed document. */
export function loadCloudTrailFixtures(): Array<{ name: string; text: string; doc: unknown }> {
  return readdirSync(CLOUDTRAIL_FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(CLOUDTRAIL_FIXTURES_DIR, name), 'utf8');
      return { name, text, doc: JSON.parse(text) as unknown };
    });
}

/** The intake's SQS event source takes up to this many messages per invocation (lib/iam-autoheal.ts, batchSize). */
export const SQS_BATCH_SIZE = 100;
