/** Lambda entry of the scheduled sweep: instances without a profile and in-use roles that lost EC2 trust, which no event reported, get a workflow too. */
import type { Context } from 'aws-lambda';
import { systemClock } from './adapters/aws/clock.ts';
import { config, logger } from './environment.ts';
import { portsFor } from './wiring/account.ts';
import { instanceListStore } from './wiring/dynamodb.ts';
import { workflowPort } from './wiring/workflow.ts';
import { sweepStep, sweepTargets, type SweepSummary } from './steps/sweep.ts';

const workflow = workflowPort();

export const handler = async (_event: unknown, context: Context): Promise<Pick<SweepSummary, 'checked' | 'duplicates' | 'quarantined'> & { started: string[] }> => {
  const own = { accountId: context.invokedFunctionArn.split(':')[4] ?? '', region: process.env['AWS_REGION'] ?? '' };
  const summary = await sweepStep(
    { config, workflow, portsFor: portsFor(context, 'read'), clock: systemClock, logger, instanceLists: instanceListStore() },
    sweepTargets(config, own),
  );
  logger.info({ checked: summary.checked, started: summary.started.length, duplicates: summary.duplicates, quarantined: summary.quarantined.length }, 'sweep done');
  return { checked: summary.checked, duplicates: summary.duplicates, quarantined: summary.quarantined, started: summary.started.map((s) => s.executionName) };
};
