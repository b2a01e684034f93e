/** Lambda entry of the Notify step: one SNS message (Chatbot JSON + email text) per incident state change. */
import type { Context } from 'aws-lambda';
import { stepDeps } from './environment.ts';
import { snsNotifier } from './wiring/notifier.ts';
import { notifyStep } from './steps/notify.ts';
import { requireFields } from './steps/input.ts';
import type { NotifyInput, NotifyOutput } from './steps/types.ts';

export const handler = async (raw: unknown, _context: Context): Promise<NotifyOutput> => {
  const event = requireFields<NotifyInput>(raw, 'Notify', ['state', 'execution']);
  return notifyStep(stepDeps(event.state.incident.key, { notifier: snsNotifier }), event);
};
