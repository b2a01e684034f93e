/** Lambda entry of the Diagnose step: the cause of an incident, with evidence and a plan. */
import type { Context } from 'aws-lambda';
import { stepDeps } from './environment.ts';
import { portsFor } from './wiring/account.ts';
import { auditStore, instanceListStore } from './wiring/dynamodb.ts';
import { diagnoseStep } from './steps/diagnose.ts';
import { requireFields } from './steps/input.ts';
import type { DiagnoseInput, DiagnoseOutput } from './steps/types.ts';

export const handler = async (raw: unknown, context: Context): Promise<DiagnoseOutput> => {
  const event = requireFields<DiagnoseInput>(raw, 'Diagnose', ['incident', 'execution']);
  return diagnoseStep(stepDeps(event.incident.key, { portsFor: portsFor(context, 'read'), audit: auditStore, instanceLists: instanceListStore }), event);
};
