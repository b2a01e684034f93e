/**
 * The Lambda side of the steps' dependencies, read from the environment the CDK app sets, once per
 * container (cold start): configuration validated here. No SDK client is loaded here: each entry imports
 * the adapters its step uses from handlers/wiring (the EC2 client alone takes ~300 ms to import).
 */
import { pino, type Logger } from 'pino';
import { systemClock } from './adapters/aws/clock.ts';
import { parseConfig, type Config } from './core/config.ts';
import type { AuditStore } from './core/audit-record.ts';
import type { ChangeBudgetPort, InstanceListPort, LockPort, NotifierPort } from './core/ports.ts';
import type { StepDeps } from './steps/types.ts';
import { EnvironmentError } from './wiring/variables.ts';

export { EnvironmentError };

function readConfig(): Config {
  const raw = process.env['CONFIG'] ?? '{}';
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new EnvironmentError(`CONFIG is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(json, 'CONFIG');
}

// Validated at cold start: a bad configuration fails the first invocation loudly, never silently later.
export const config: Config = readConfig();

export const logger: Logger = pino({
  level: process.env['LOG_LEVEL'] ?? 'info',
  // Policy documents can be long and credentials must never reach the logs.
  // Task tokens stay in the state table: never in a log line either.
  redact: { paths: ['*.credentials', '*.SecretAccessKey', '*.SessionToken', '*.trustPolicy', '*.document', 'taskToken', '*.taskToken'], censor: '[redacted]' },
});

/** The adapters a step uses; each entry imports only their modules (handlers/wiring), so a Lambda loads only its SDK clients. */
export interface StepAdapters {
  portsFor?: StepDeps['portsFor'];
  // Factories, called here: an entry's test that fakes stepDeps never creates a real adapter.
  audit?: () => AuditStore;
  budget?: () => ChangeBudgetPort;
  lock?: () => LockPort;
  notifier?: () => NotifierPort;
  instanceLists?: () => InstanceListPort;
}

function notWiredError(port: string): EnvironmentError {
  return new EnvironmentError(`${port} is not wired into this Lambda: its entry must pass it to stepDeps (handlers/wiring)`);
}

/** A port this Lambda does not wire: fails loudly, naming it, if a step starts to use it. */
function notWired<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get: (_target, member) => {
      if (member === 'then') return undefined; // not a thenable: `await` on it must not call through
      return () => { throw notWiredError(port); };
    },
  });
}

/** Step dependencies for one invocation, with a logger bound to the incident key. */
export function stepDeps(incidentKey: string, adapters: StepAdapters): StepDeps {
  return {
    config,
    clock: systemClock,
    portsFor: adapters.portsFor ?? (() => { throw notWiredError('portsFor'); }),
    audit: adapters.audit?.() ?? notWired('audit'),
    budget: adapters.budget?.() ?? notWired('budget'),
    lock: adapters.lock?.() ?? notWired('lock'),
    notifier: adapters.notifier?.() ?? notWired('notifier'),
    logger: logger.child({ incident: incidentKey }),
    answerQueueUrl: process.env['ANSWER_QUEUE_URL'] || null,
    ...(adapters.instanceLists ? { instanceLists: adapters.instanceLists() } : {}),
  };
}
