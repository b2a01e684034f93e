/** Verify step: is the incident resolved? If not, how long should the state machine wait next? */
import { verify } from '../core/verify.ts';
import { nextWait } from '../core/propagation.ts';
import type { StepDeps, VerifyInput, VerifyOutput } from './types.ts';

// The schedule lives in core (the configuration's bounds need it too).
export { nextWait, WAIT_GROWTH } from '../core/propagation.ts';

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
