/** Diagnosis: gather the runbook's facts through the ports, then decide purely. */
import type { AccountPorts } from '../ports.ts';
import type { Config } from '../config.ts';
import type { Diagnosis, Incident } from '../incident.ts';
import { decide } from './decide.ts';
import { gatherFacts, type GatherExtra } from './gather.ts';

export async function diagnose(ports: AccountPorts, incident: Incident, config: Config, extra: GatherExtra = {}): Promise<Diagnosis> {
  return decide(await gatherFacts(ports, incident, config, extra), config);
}

export { decide } from './decide.ts';
export { gatherFacts, propagationWindowSeconds, type GatherExtra } from './gather.ts';
export { PROFILE_TAG } from './expected-profile.ts';
export { EXPECTED_INLINE_POLICY } from './plans.ts';
export type { Facts } from './facts.ts';
