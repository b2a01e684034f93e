/** Verify step: is the incident resolved? If not, how long should the state machine wait next? */
import { verify } from '../core/verify.ts';
import type { Config } from '../core/config.ts';
import type { StepDeps, VerifyInput, VerifyOutput, WaitPlan } from './types.ts';

/** Each wait is this many times the last: overshoots a propagation by at most ~1.2× while few Verify calls are spent. */
export const WAIT_GROWTH = 1.5;

/**
 * The one place the propagation schedule lives: waits grow ×1.5 (2, 3, 4, 6, 9, then the 10 s cap), capped per
 * wait and by the total budget; whole seconds, because a Wait state's SecondsPath takes only integers.
 */
export function nextWait(waited: WaitPlan, propagation: Config['propagation']): { wait: WaitPlan; exhausted: boolean } {
  const elapsedSeconds = waited.elapsedSeconds + waited.seconds;
  const remaining = Math.floor(propagation.budgetSeconds - elapsedSeconds);
  const grown = Math.max(waited.seconds + 1, Math.floor(waited.seconds * WAIT_GROWTH));
  const seconds = Math.min(grown, Math.ceil(propagation.maxWaitSeconds), Math.max(0, remaining));
  return { wait: { seconds, elapsedSeconds }, exhausted: seconds <= 0 };
}

export async function verifyStep(deps: StepDeps, input: VerifyInput): Promise<VerifyOutput> {
  const { incident, diagnosis, wait } = input;
  const ports = await deps.portsFor(incident.accountId, incident.region);
  const result = await verify(ports, diagnosis, incident, (input.deferred ?? []).map((d) => d.action));
  const next = nextWait(wait, deps.config.propagation);
  deps.logger.info({ verified: result.verified, waitedSeconds: next.wait.elapsedSeconds }, 'verified');
  const unplanned = result.unplannedWithoutProfile;
  const left = { unplannedWithoutProfile: unplanned.length, nextBatch: false, nextInstanceIds: [] as string[] };
  if (result.verified) return { verified: true, exhausted: false, evidence: result.evidence, wait: { seconds: 0, elapsedSeconds: next.wait.elapsedSeconds }, ...left };
  // The planned batch took; instances beyond it go back to Diagnose as the next batch (the set only shrinks).
  if (result.plannedVerified && unplanned.length > 0) return { verified: false, exhausted: false, evidence: result.evidence, wait: next.wait, ...left, nextBatch: true, nextInstanceIds: unplanned };
  return { verified: false, exhausted: next.exhausted, evidence: result.evidence, wait: next.wait, ...left };
}
