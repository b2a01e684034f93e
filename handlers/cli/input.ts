/** Reading the files a command is given: every problem becomes one InputError line naming the file. */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
// The scenario schema only: the simulated account and its evaluator load when a command runs one.
import { ScenarioError, loadScenarioFile, type Scenario } from '../adapters/simulated/scenario.ts';
import { ConfigError, parseConfig, type Config } from '../core/config.ts';
import { EventInputError, extractRecords } from '../core/events/index.ts';
import { InputError } from './errors.ts';

/** Parsed JSON of a file, or InputError "<file>: cannot read: …" / "<file>: invalid JSON: …". */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InputError(`${file}: cannot read: ${problem}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: invalid JSON: ${(err as Error).message}`);
  }
}

/** A scenario file, validated (its events too); a bad one is an InputError naming the file and the field. */
export function readScenario(file: string): Scenario {
  try {
    const scenario = loadScenarioFile(file);
    // The runner would only count a bad event as a failed batch item: a scenario file must not have one.
    scenario.events.forEach((event, i) => extractRecords(event, `${file}: events[${i}]`));
    return scenario;
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof EventInputError) throw new InputError(err.message);
    throw err;
  }
}

/** A configuration document from a file, or the defaults of ARCHITECTURE.md without one. */
export function readConfig(file: string | undefined): Config {
  if (!file) return parseConfig({});
  return parseConfig(readJsonFile(file), file);
}

/** Runs `body`, turning the input errors of lower layers into the CLI's one-line InputError. */
export async function asInputErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof EventInputError) throw new InputError(err.message);
    if (err instanceof ConfigError || err instanceof InputError) throw err;
    if (err instanceof Error && (err.name === 'AuditFileError' || err.name === 'AuditTableNotFound')) throw new InputError(err.message);
    throw err;
  }
}

/** Fails before a run, not after its first change, when the audit trail cannot be written. */
export function ensureWritable(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, '');
  } catch (err) {
    throw new InputError(`${path}: cannot write the audit trail (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
