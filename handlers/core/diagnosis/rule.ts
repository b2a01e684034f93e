/** A diagnosis rule: one cause the facts may show, with its summary, evidence and plan. */
import type { Cause } from '../causes.ts';
import type { Config } from '../config.ts';
import type { Evidence, PlannedAction } from '../incident.ts';
import type { Facts } from './facts.ts';

export interface Finding {
  cause: Cause;
  summary: string;
  plan?: PlannedAction[];
  owner?: string;
  /** The decisive facts, shown before the rest. */
  because?: Evidence[];
  healthy?: boolean;
  /** Other causes whose repairs the plan also holds (e.g. a second profile's role lost EC2 trust): the guard takes the strictest mode. */
  also?: Cause[];
  /** Why the cause is less certain than usual (e.g. decided without the policy simulator): never applied without a person. */
  reducedConfidence?: string;
}

export type Rule = (facts: Facts, config: Config) => Finding | null;

/** "i-1, i-2 and 8 more": a storm's summary stays one readable line. */
export function instanceList(ids: string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more`;
}
