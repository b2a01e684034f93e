/** Lambda entry of the Guard step: mode, never-grant rules and change budget decide what may run. */
import type { Context } from 'aws-lambda';
import { stepDeps } from './environment.ts';
import { changeBudget } from './wiring/dynamodb.ts';
import { guardStep } from './steps/guard.ts';
import { requireFields } from './steps/input.ts';
import type { GuardInput, GuardOutput } from './steps/types.ts';

export const handler = async (raw: unknown, _context: Context): Promise<GuardOutput> => {
  const event = requireFields<GuardInput>(raw, 'Guard', ['incident', 'diagnosis', 'execution']);
  return guardStep(stepDeps(event.incident.key, { budget: changeBudget }), event);
};
