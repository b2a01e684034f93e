/** The real clock, in its own module so that a Lambda needing only the time loads no SDK client. */
import type { Clock } from '../../core/ports.ts';

export const systemClock: Clock = { now: () => new Date(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
