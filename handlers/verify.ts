/** Lambda entry of the Verify step: did the fix take? If not, the next (longer) wait, or the next batch of instances. */
import type { Context } from 'aws-lambda';
import { stepDeps } from './environment.ts';
import { portsFor } from './wiring/account.ts';
import { verifyStep } from './steps/verify.ts';
import { requireFields } from './steps/input.ts';
import type { VerifyInput, VerifyOutput } from './steps/types.ts';

export const handler = async (raw: unknown, context: Context): Promise<VerifyOutput> => {
  const event = requireFields<VerifyInput>(raw, 'Verify', ['incident', 'diagnosis', 'wait', 'execution']);
  return verifyStep(stepDeps(event.incident.key, { portsFor: portsFor(context, 'read') }), event);
};
