/** Cost per incident: state transitions and Lambda invocations per cause, priced at list prices. */
import { basename } from 'node:path';
import { loadScenarioFile } from '../adapters/simulated/scenario.ts';
import { builtinScenarioFiles } from '../cli/demo.ts';
import { loadLocalDefinition, taskStates } from '../local/definition.ts';
import { runScenario, type SimulationReport } from '../local/run-scenario.ts';
import { round } from './numbers.ts';
import { LIST_PRICES, usdPerIncident, type PriceAssumptions } from './pricing.ts';
import { SQS_BATCH_SIZE } from './project.ts';

export interface CostRow {
  cause: string;
  scenario: string;
  status: string;
  events: number;
  stateTransitions: number;
  /** Workflow steps invoked, retries included (each attempt is billed). */
  lambdaInvocations: number;
  /** Intake invocations for the incident's events at the deployed SQS batch size. */
  intakeInvocations: number;
  invocationsByStep: Record<string, number>;
  usdPer1000Incidents: number;
}

export interface CostResult {
  prices: PriceAssumptions;
  sqsBatchSize: number;
  method: string;
  rows: CostRow[];
  /** Mean over the rows. */
  meanUsdPer1000Incidents: number;
}

/** Step name as the CDK app knows it (lib/steps.ts) for a state machine step name. */
const cdkStepName = (step: string) => step.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

/** Lambda invocations of one incident, by step: one timeline entry per attempt, retry pauses excluded. */
function invokedSteps(report: SimulationReport, key: string, lambdaStates: Map<string, string>): string[] {
  return report.timeline
    .filter((t) => t.incident === key && lambdaStates.has(t.step) && !t.text.startsWith('retry after'))
    .map((t) => lambdaStates.get(t.step)!);
}

export async function measureCost(progress: (line: string) => void): Promise<CostResult> {
  // Loaded lazily: aws-cdk-lib is slow to import and only the sizing is needed here.
  const { STEPS } = await import('../../lib/steps.ts');
  const prices: PriceAssumptions = { ...LIST_PRICES, lambdaMemoryMb: Object.fromEntries(Object.entries(STEPS).map(([name, s]) => [name, s.memorySize])) };
  const definition = loadLocalDefinition('us-east-1', '000000000000');
  const lambdaStates = new Map(taskStates(definition, 'us-east-1', '000000000000').filter((t) => t.step !== null).map((t) => [t.name, cdkStepName(t.step!)]));

  const rows: CostRow[] = [];
  for (const file of builtinScenarioFiles()) {
    const report = await runScenario(loadScenarioFile(file), {});
    for (const incident of report.incidents) {
      const steps = invokedSteps(report, incident.key, lambdaStates);
      const intakeInvocations = Math.ceil(incident.events / SQS_BATCH_SIZE);
      const all = [...steps, ...Array.from({ length: intakeInvocations }, () => 'intake')];
      const invocationsByStep: Record<string, number> = {};
      for (const step of all) invocationsByStep[step] = (invocationsByStep[step] ?? 0) + 1;
      rows.push({
        cause: incident.cause,
        scenario: basename(file, '.json'),
        status: incident.status,
        events: incident.events,
        stateTransitions: incident.stateTransitions,
        lambdaInvocations: steps.length,
        intakeInvocations,
        invocationsByStep,
        usdPer1000Incidents: round(1000 * usdPerIncident(incident.stateTransitions, all, prices), 4),
      });
    }
  }
  rows.sort((a, b) => a.cause.localeCompare(b.cause) || a.scenario.localeCompare(b.scenario));
  progress(`cost: ${rows.length} incidents of ${new Set(rows.map((r) => r.cause)).size} causes priced`);
  return {
    prices,
    sqsBatchSize: SQS_BATCH_SIZE,
    method:
      `One run of each built-in scenario (scenarios/*.json). Transitions = states entered in the execution (the interpreter's StateEntered events). ` +
      `Lambda invocations = workflow steps invoked, each attempt counted (retries are billed); intake adds ceil(events / ${SQS_BATCH_SIZE}) invocations (SQS batch size of the deployed event source). ` +
      'Waiting for propagation or an approval costs nothing in a Standard workflow.',
    rows,
    meanUsdPer1000Incidents: round(rows.reduce((sum, r) => sum + r.usdPer1000Incidents, 0) / Math.max(1, rows.length), 4),
  };
}
