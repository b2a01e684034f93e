/** Lambda entry of the Record step: the final status of an execution, into the audit trail. */
import type { Context } from 'aws-lambda';
import { stepDeps } from './environment.ts';
import { auditStore } from './wiring/dynamodb.ts';
import { recordStep } from './steps/record.ts';
import { requireFields } from './steps/input.ts';
import type { RecordInput, RecordOutput } from './steps/types.ts';

export const handler = async (raw: unknown, _context: Context): Promise<RecordOutput> => {
  const event = requireFields<RecordInput>(raw, 'Record', ['state', 'execution']);
  return recordStep(stepDeps(event.state.incident.key, { audit: auditStore }), event);
};
