/**
 * The Lambda side of the steps' dependencies, read from the environment the CDK app sets, once per
 * container (cold start): configuration validated here, SDK clients reused across invocations.
 */
import type { Context } from 'aws-lambda';
import { pino, type Logger } from 'pino';
import {
  DynamoAuditStore, DynamoChangeBudget, DynamoLock, SnsNotifier, StepFunctionsWorkflow,
  createAwsAccountPorts, systemClock,
} from './adapters/aws/index.ts';
import type { AccountPorts } from './adapters/ports.ts';
import { parseConfig, type Config } from './core/config.ts';
import { memberRoleArn, partitionOf } from './core/member-role.ts';
import type { StepDeps } from './steps/types.ts';

export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError' as const;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new EnvironmentError(`environment variable ${name} is not set`);
  return value;
}

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
  redact: { paths: ['*.credentials', '*.SecretAccessKey', '*.SessionToken', '*.trustPolicy', '*.document'], censor: '[redacted]' },
});

/** The account a Lambda runs in, from its own ARN (arn:aws:lambda:region:ACCOUNT:function:name). */
function ownAccountOf(context: Pick<Context, 'invokedFunctionArn'>): string {
  return context.invokedFunctionArn.split(':')[4] ?? '';
}


/** Hub/member: the incident's account is reached through its remediation role, the hub's own directly. */
export function accountPorts(context: Pick<Context, 'invokedFunctionArn'>, accountId: string, region: string): AccountPorts {
  const memberRole = process.env['MEMBER_ROLE_NAME'];
  const own = ownAccountOf(context);
  // Member roles live in the partition the hub runs in (aws, aws-cn, aws-us-gov), read from its own ARN.
  const assumeRoleArn = memberRole && accountId !== own ? memberRoleArn(partitionOf(context.invokedFunctionArn), accountId, memberRole) : undefined;
  return createAwsAccountPorts({ accountId, region, ...(assumeRoleArn ? { assumeRoleArn } : {}) });
}

let shared: Omit<StepDeps, 'portsFor' | 'logger'> | null = null;

/** Step dependencies for one invocation, with a logger bound to the incident key. */
export function stepDeps(context: Pick<Context, 'invokedFunctionArn'>, incidentKey: string): StepDeps {
  shared ??= {
    config,
    audit: new DynamoAuditStore({ tableName: required('AUDIT_TABLE') }),
    budget: new DynamoChangeBudget({ tableName: required('STATE_TABLE') }),
    lock: new DynamoLock({ tableName: required('STATE_TABLE') }),
    notifier: new SnsNotifier({ topicArn: required('TOPIC_ARN') }),
    clock: systemClock,
  };
  return { ...shared, portsFor: (accountId, region) => accountPorts(context, accountId, region), logger: logger.child({ incident: incidentKey }) };
}

export function workflowPort(): StepFunctionsWorkflow {
  return new StepFunctionsWorkflow({ stateMachineArn: required('STATE_MACHINE_ARN') });
}
