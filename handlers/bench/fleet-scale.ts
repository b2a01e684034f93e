/**
 * Fleet scale: one incident of N instances (an Auto Scaling scale-out from a launch template version without a
 * profile) through the local runner, measured against the Step Functions limits an execution must stay within:
 * the largest state (input or output of a state, 256 KiB) and the history events of each execution (25,000). Beyond one
 * execution's plan the incident fans out (statemachines/remediate.asl.json RunBatch): its own execution and each child
 * execution (one per batch) are measured, each against the limits.
 */
import { parseScenario } from '../adapters/simulated/scenario.ts';
import { runScenario } from '../local/run-scenario.ts';
import { SCALE_OUT_WINDOW_SECONDS } from './amplification.ts';
import { scaleOutScenario } from './storm-scenarios.ts';
import { round } from './numbers.ts';

/** Step Functions quotas (Standard workflows): payload size of a state's input or output, and execution history. */
export { STEP_FUNCTIONS_LIMITS } from '../core/propagation.ts';
import { STEP_FUNCTIONS_LIMITS } from '../core/propagation.ts';

/** limits.ec2ChangesPerAccountPerHour in these runs: its highest allowed value. */
export const FLEET_EC2_BUDGET = 10_000;

export const FLEET_SCALE_METHOD =
  `Scale-out of N instances of one group within ${SCALE_OUT_WINDOW_SECONDS} s from a launch template version without a profile, all in one incident, through the local runner (aws-local-stepfunctions running statemachines/remediate.asl.json), with limits.ec2ChangesPerAccountPerHour at its highest (${FLEET_EC2_BUDGET.toLocaleString('en-US')}) and an on-call person who approves at once (scenario approvals "approve"): a fleet needs one EC2 write per instance and two for the template, so beyond the budget the batch that would pass it asks for approval, and that one approval, given past the budget, covers the same change for the batches after it (column "approvals"). ` +
  'Beyond 200 instances the incident\'s list is kept in the state table and its execution starts one child execution per batch of 100 (states:startExecution.sync:2, run by the local runner as a nested execution of the same definition): executions = the incident\'s own + its children. ' +
  'Largest state: the JSON size of the largest input or output of any state, in the incident\'s own execution · in the largest child. ' +
  'History events: counted by the local runner per execution from the states it ran, as Step Functions writes them (a Task: entered, scheduled, started, succeeded, exited; a retry three more; Choice, Pass and Wait: entered and exited), in the incident\'s own execution · in the child with the most. ' +
  'All verified: simulated seconds from the first launch to the incident\'s outcome. Left broken: instances without a profile in the final account.';

export interface FleetScaleRow {
  instances: number;
  /** limits.ec2ChangesPerAccountPerHour of the run. */
  ec2Budget: number;
  /** Approval requests of the incident (one when the fleet needs more EC2 writes than the budget). */
  approvals: number;
  incidents: number;
  status: string;
  /** The incident's own execution and its children (one per batch). */
  executions: number;
  /** Largest state of any one execution (the incident's own or a child). */
  largestStateKiB: number;
  parentStateKiB: number;
  /** All executions together. */
  stateTransitions: number;
  /** History events of the execution with the most (the incident's own or a child). */
  historyEvents: number;
  parentHistoryEvents: number;
  ec2Writes: number;
  simulatedSeconds: number | null;
  leftBroken: number;
  wallSeconds: number;
  withinLimits: boolean;
}

export interface FleetScaleResult {
  limits: typeof STEP_FUNCTIONS_LIMITS;
  method: string;
  rows: FleetScaleRow[];
  /** Every size fixed in one incident, nothing left broken, within both limits. */
  met: boolean;
}

export async function measureFleetScaleRow(instances: number): Promise<FleetScaleRow> {
  const json = scaleOutScenario({ instances, windowSeconds: SCALE_OUT_WINDOW_SECONDS, propagationSeconds: 5 });
  // The EC2 change budget at its highest (the default, 1,000 an hour, would ask for approval at the eleventh batch).
  const ec2Budget = FLEET_EC2_BUDGET;
  json.config.limits = { ...json.config.limits, ec2ChangesPerAccountPerHour: ec2Budget };
  json.approvals = 'approve';
  const scenario = parseScenario(json, `bench fleet scale (${instances} instances)`);
  const started = performance.now();
  const report = await runScenario(scenario, {});
  const wallSeconds = round((performance.now() - started) / 1000, 1);
  const largestStateBytes = Math.max(0, ...report.incidents.map((i) => Math.max(i.largestStateBytes, i.childExecutions?.largestStateBytes ?? 0)));
  const stateTransitions = report.incidents.reduce((sum, i) => sum + i.stateTransitions + (i.childExecutions?.stateTransitions ?? 0), 0);
  const accountInstances = (report.account as { instances: Array<{ instanceProfile: unknown }> }).instances;
  const leftBroken = accountInstances.filter((i) => i.instanceProfile === null).length;
  const incident = report.incidents[0];
  const fixed = report.incidents.length === 1 && incident?.status === 'fixed';
  const largestStateKiB = round(largestStateBytes / 1024, 1);
  const historyEvents = Math.max(0, ...report.incidents.map((i) => Math.max(i.historyEvents, i.childExecutions?.historyEvents ?? 0)));
  return {
    instances,
    ec2Budget,
    approvals: report.notifications.filter((n) => n.status === 'awaiting-approval').length,
    incidents: report.incidents.length,
    status: [...new Set(report.incidents.map((i) => i.status))].join(', ') || 'none',
    executions: report.incidents.reduce((sum, i) => sum + 1 + (i.childExecutions?.count ?? 0), 0),
    largestStateKiB,
    parentStateKiB: round(Math.max(0, ...report.incidents.map((i) => i.largestStateBytes)) / 1024, 1),
    stateTransitions,
    historyEvents,
    parentHistoryEvents: Math.max(0, ...report.incidents.map((i) => i.historyEvents)),
    ec2Writes: report.api.ec2Writes,
    simulatedSeconds: fixed ? round(incident.simulatedSeconds, 1) : null,
    leftBroken,
    wallSeconds,
    withinLimits: largestStateKiB < STEP_FUNCTIONS_LIMITS.stateKiB && historyEvents < STEP_FUNCTIONS_LIMITS.historyEvents,
  };
}

export async function measureFleetScale(sizes: number[], progress: (line: string) => void): Promise<FleetScaleResult> {
  const rows: FleetScaleRow[] = [];
  for (const instances of sizes) {
    progress(`fleet scale: scale-out of ${instances.toLocaleString('en-US')} instances in one incident…`);
    const r = await measureFleetScaleRow(instances);
    rows.push(r);
    progress(`fleet scale: ${instances} → ${r.status} in ${r.executions} execution(s), largest state ${r.parentStateKiB} · ${r.largestStateKiB} KiB (limit ${STEP_FUNCTIONS_LIMITS.stateKiB}), ${r.stateTransitions} transitions, history ${r.parentHistoryEvents} · ${r.historyEvents} events per execution (limit ${STEP_FUNCTIONS_LIMITS.historyEvents}), ${r.ec2Writes} EC2 writes, ${r.approvals} approval(s) asked, ${r.leftBroken} left broken, ${r.wallSeconds} s wall`);
  }
  return { limits: STEP_FUNCTIONS_LIMITS, method: FLEET_SCALE_METHOD, rows, met: rows.every((r) => r.incidents === 1 && r.status === 'fixed' && r.leftBroken === 0 && r.withinLimits) };
}
