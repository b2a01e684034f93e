/** Verify step: is the incident resolved? If not, how long should the state machine wait next? */
import { verify } from '../core/verify.ts';
import type { Config } from '../core/config.ts';
import type { StepDeps, VerifyInput, VerifyOutput, WaitPlan } from './types.ts';

/** Doubling waits, capped per wait and by the total budget; whole seconds (the Wait state's unit). */
export function nextWait(waited: WaitPlan, propagation: Config['propagation']): { wait: WaitPlan; exhausted: boolean } {
  const elapsedSeconds = waited.elapsedSeconds + waited.seconds;
  const remaining = Math.floor(propagation.budgetSeconds - elapsedSeconds);
  const seconds = Math.min(Math.max(1, waited.seconds * 2), Math.ceil(propagation.maxWaitSeconds), Math.max(0, remaining));
  return { wait: { seconds, elapsedSeconds }, exhausted: seconds <= 0 };
}

export async function verifyStep(deps: StepDeps, input: VerifyInput): Promise<VerifyOutput> {
  const { incident, diagnosis, wait } = input;
  const ports = await deps.portsFor(incident.accountId, incident.region);
  const result = await verify(ports, diagnosis, incident);
  const next = nextWait(wait, deps.config.propagation);
  deps.logger.info({ verified: result.verified, waitedSeconds: next.wait.elapsedSeconds }, 'verified');
  if (result.verified) return { verified: true, exhausted: false, evidence: result.evidence, wait: { seconds: 0, elapsedSeconds: next.wait.elapsedSeconds } };
  return { verified: false, exhausted: next.exhausted, evidence: result.evidence, wait: next.wait };
}
