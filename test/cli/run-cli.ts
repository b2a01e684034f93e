/** Runs `node bin/iam-autoheal.js …` from the project root, as a user would, for the CLI tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function cli(...args: string[]): { code: number | null; stdout: string; stderr: string; ms: number } {
  return cliIn(ROOT, ...args);
}

/** The same from another working directory (the package's own files must not depend on it). */
export function cliIn(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string; ms: number } {
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/iam-autoheal.js'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

export function scratchFile(name: string, content: unknown): string {
  const file = join(scratchDir('cli'), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The one-line error a user sees for bad input: exit 2, one stderr line naming the file, no stack. */
export function expectInputError(r: ReturnType<typeof cli>, file: string, problem: RegExp): void {
  if (r.code !== 2) throw new Error(`exit ${r.code}, expected 2; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one stderr line, got:\n${r.stderr}`);
  if (!lines[0]!.includes(file)) throw new Error(`stderr does not name ${file}: ${lines[0]}`);
  if (!problem.test(lines[0]!)) throw new Error(`stderr does not say ${problem}: ${lines[0]}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error('stack trace on stderr');
}

/** The same with only `env` (and PATH) in the environment: e.g. no AWS credentials anywhere. */
export function cliWithEnv(env: Record<string, string>, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/iam-autoheal.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
