/** The workflow's ASL file, with every `${Name}` it uses supplied by the construct. */
import { readFileSync } from 'node:fs';

export class DefinitionSubstitutionError extends Error {
  override readonly name = 'DefinitionSubstitutionError' as const;
}

/** The distinct `${Name}` placeholders of an ASL document, in order of first use. */
export function substitutionNames(asl: string): string[] {
  return [...new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]!))];
}

/**
 * Reads the ASL file and checks it against the substitutions on offer: synth fails, naming the
 * placeholder, when the file uses one that nothing supplies (it would reach Step Functions verbatim).
 * Returns the text (with `TimeoutSeconds` added when the file sets none) and only the substitutions it uses.
 */
export function loadDefinition(
  path: string,
  available: Record<string, string>,
  defaultTimeoutSeconds?: number,
): { body: string; substitutions: Record<string, string> } {
  let body: string;
  try {
    body = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DefinitionSubstitutionError(`${path}: cannot read the state machine definition (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(body) as Record<string, unknown>;
  } catch (error) {
    throw new DefinitionSubstitutionError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  // A string definition ignores the construct's `timeout`: the execution timeout lives in the ASL.
  if (defaultTimeoutSeconds !== undefined && document.TimeoutSeconds === undefined) {
    body = JSON.stringify({ ...document, TimeoutSeconds: defaultTimeoutSeconds }, null, 2);
  }
  const names = substitutionNames(body);
  const missing = names.filter((name) => !(name in available));
  if (missing.length) {
    throw new DefinitionSubstitutionError(
      `${path}: uses ${missing.map((name) => '${' + name + '}').join(', ')} but the construct supplies only ${Object.keys(available).join(', ')}`,
    );
  }
  return { body, substitutions: Object.fromEntries(names.map((name) => [name, available[name]!])) };
}
