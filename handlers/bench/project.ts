/** Where the project's own files are, wherever the command is run from. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CLOUDTRAIL_FIXTURES_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'cloudtrail');

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Every real CloudTrail fixture, by file name. */
export function loadCloudTrailFixtures(): Array<{ name: string; doc: unknown }> {
  return readdirSync(CLOUDTRAIL_FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, doc: readJson(join(CLOUDTRAIL_FIXTURES_DIR, name)) }));
}

export function loadCloudTrailFixture(name: string): Record<string, unknown> {
  return readJson(join(CLOUDTRAIL_FIXTURES_DIR, name)) as Record<string, unknown>;
}

/** The intake's SQS event source takes up to this many messages per invocation (lib/iam-autoheal.ts, batchSize). */
export const SQS_BATCH_SIZE = 100;
