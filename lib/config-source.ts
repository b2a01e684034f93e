/** The deployment's configuration document (CONTRACTS.md): from a file or context, validated at synth. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Node } from 'constructs';
import { parseConfig, type Config } from '../handlers/core/config.ts';

export interface DeploymentConfig {
  config: Config;
  /** Where it came from, for messages: a file path, `context "config"` or `defaults`. */
  source: string;
}

export class ConfigSourceError extends Error {
  override readonly name = 'ConfigSourceError' as const;
}

/**
 * Reads context `configFile` (a JSON file, relative to the working directory) or context `config`
 * (an object, or its JSON text when given with `-c config=…`); defaults when neither is set.
 * Throws the ConfigError of parseConfig, which names the file and the field.
 */
export function loadDeploymentConfig(node: Node): DeploymentConfig {
  const file = node.tryGetContext('configFile') as string | undefined;
  const inline = node.tryGetContext('config') as unknown;
  if (file && inline !== undefined) throw new ConfigSourceError('set either context "configFile" or context "config", not both');
  if (file) {
    const path = resolve(String(file));
    return { config: parseConfig(readJson(path, readText(path)), path), source: path };
  }
  if (inline !== undefined) {
    const document = typeof inline === 'string' ? readJson('context "config"', inline) : inline;
    return { config: parseConfig(document, 'context "config"'), source: 'context "config"' };
  }
  return { config: parseConfig({}, 'defaults'), source: 'defaults' };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigSourceError(`${path}: cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function readJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigSourceError(`${source}: not valid JSON (${(error as Error).message})`);
  }
}
