/** Storm amplification: how many incidents, executions and writes a storm of events turns into. */
import { pino } from 'pino';
import { RecordingWorkflow } from '../adapters/local/recorders.ts';
import { parseScenario } from '../adapters/simulated/scenario.ts';
import { intakeStep } from '../steps/intake.ts';
import { runScenario } from '../local/run-scenario.ts';
import { DENIAL_TEMPLATE, LAUNCH_TEMPLATE, denialStormScenario, scaleOutScenario } from './storm-scenarios.ts';
import { round } from './numbers.ts';
import { SQS_BATCH_SIZE } from './project.ts';

export const STORM_WINDOW_SECONDS = 10;
export const SCALE_OUT_WINDOW_SECONDS = 60;
export const MAX_STORM_INSTANCES = 500;
/** EC2 writes a template fix may take beyond one association per instance: new version + make it the default. */
export const TEMPLATE_FIX_EC2_WRITES = 2;

export interface AmplificationInputs {
  template: string;
  events: number;
  instances: number;
  windowSeconds: number;
  propagationSeconds: number;
}

export interface AmplificationRow {
  scenario: 'denial storm' | 'scale-out';
  inputs: AmplificationInputs;
  events: number;
  ignoredEvents: number;
  incidents: number;
  /** Executions the local runner ran (all events through intake at once). */
  executions: number;
  /** The same events through intake in SQS batches, as deployed: every batch starts its incident again, deterministic names make repeats no-ops. */
  sqs: SqsIntake;
  rootCauses: number;
  iamWrites: number;
  iamWritesNeeded: number;
  ec2Writes: number;
  ec2WritesBound: number;
  /** What is still broken in the final account: instances without a profile, or the role without its declared policy. */
  leftBroken: number;
  leftBrokenWhat: string;
  causes: string[];
  statuses: string[];
  actions: string[];
  wallSeconds: number;
  met: boolean;
}

/** Denial storm sizes get one instance per five denials, at most 500 (100 denials → 20 instances). */
export function stormInstances(events: number): number {
  return Math.min(MAX_STORM_INSTANCES, Math.max(1, Math.ceil(events / 5)));
}

export interface SqsIntake {
  batchSize: number;
  batches: number;
  startExecutionCalls: number;
  executionsStarted: number;
  duplicateStarts: number;
  /** Of the executions started, follow-ups for late events their key's first execution never saw (e.g. instances of a later batch). */
  followUps: number;
}

/** When the storm's first batch reaches the queue: the start of an execution window, so that a storm fits in one. */
const STORM_RECEIVED_AT = Date.parse('2026-01-01T00:00:00Z');

/** Feeds events to the intake step batch by batch, like the SQS event source, and counts what started. */
export async function intakeInSqsBatches(events: unknown[], batchSize = SQS_BATCH_SIZE): Promise<SqsIntake> {
  const workflow = new RecordingWorkflow();
  const logger = pino({ level: 'silent' });
  let startExecutionCalls = 0;
  let followUps = 0;
  let batches = 0;
  for (let i = 0; i < events.length; i += batchSize) {
    const items = events.slice(i, i + batchSize).map((body, j) => ({ id: `message-${i + j}`, body: JSON.stringify(body) }));
    // One storm, received within one window: the batches reach the queue 100 ms apart.
    const receivedAt = STORM_RECEIVED_AT + batches * 100;
    const summary = await intakeStep({ workflow, logger, clock: { now: () => new Date(receivedAt) } }, items.map((item) => ({ ...item, receivedAt })));
    // A batch whose events the running execution covers still made its start call (then merged).
    startExecutionCalls += summary.started.length + summary.merged.length;
    followUps += summary.started.filter((s) => s.followUpOf && !s.alreadyStarted).length;
    batches++;
  }
  return { batchSize, batches, startExecutionCalls, executionsStarted: workflow.started.length, duplicateStarts: workflow.duplicates.length, followUps };
}

interface Expectation {
  rootCauses: number;
  iamWritesNeeded: number;
  ec2WritesBound: number;
  /** Counts what the run left broken, from the final account (few writes must not mean few fixes). */
  leftBroken(account: FinalAccount): number;
  leftBrokenWhat: string;
}

/** The parts of the final account snapshot (the scenario's account shape) the checks read. */
interface FinalAccount {
  roles: Array<{ name: string; managedPolicies: Array<string | { arn: string }> }>;
  instances: Array<{ id: string; instanceProfile: unknown }>;
}

async function measure(scenario: AmplificationRow['scenario'], inputs: AmplificationInputs, json: { events: unknown[] }, expected: Expectation): Promise<AmplificationRow> {
  const started = performance.now();
  const report = await runScenario(parseScenario(json, `bench ${scenario} (${inputs.events} events)`), {});
  const wallSeconds = round((performance.now() - started) / 1000, 2);
  const executions = report.executions;
  const sqs = await intakeInSqsBatches(json.events);
  const row = {
    scenario,
    inputs,
    events: inputs.events,
    ignoredEvents: report.ignoredEvents,
    incidents: report.incidents.length,
    executions,
    sqs,
    rootCauses: expected.rootCauses,
    iamWrites: report.api.iamWrites,
    iamWritesNeeded: expected.iamWritesNeeded,
    ec2Writes: report.api.ec2Writes,
    ec2WritesBound: expected.ec2WritesBound,
    leftBroken: expected.leftBroken(report.account as FinalAccount),
    leftBrokenWhat: expected.leftBrokenWhat,
    causes: [...new Set(report.incidents.map((i) => i.cause))],
    statuses: [...new Set(report.incidents.map((i) => i.status))],
    actions: [...new Set(report.incidents.flatMap((i) => i.actions.map((a) => a.type)))],
    wallSeconds,
  };
  // Through SQS, instances of a later batch that the first execution never saw get one follow-up each batch: not amplification.
  const met = row.incidents === row.rootCauses && row.executions === row.incidents && sqs.executionsStarted - sqs.followUps === row.incidents && sqs.followUps < sqs.batches && row.iamWrites === row.iamWritesNeeded && row.ec2Writes <= row.ec2WritesBound && row.leftBroken === 0;
  return { ...row, met };
}

/** One role lost its declared policy: one root cause, one attach-policy, no EC2 write needed (at most one per instance allowed). */
export function measureDenialStorm(events: number, propagationSeconds = 5): Promise<AmplificationRow> {
  const inputs = { template: DENIAL_TEMPLATE, events, instances: stormInstances(events), windowSeconds: STORM_WINDOW_SECONDS, propagationSeconds };
  const json = denialStormScenario({ events, instances: inputs.instances, windowSeconds: inputs.windowSeconds, propagationSeconds });
  const declared: string = json.config.expectedPermissions[0].policyArns[0];
  const roleName: string = json.account.roles[0].name;
  return measure('denial storm', inputs, json, {
    rootCauses: 1,
    iamWritesNeeded: 1,
    ec2WritesBound: inputs.instances,
    leftBroken: (account) => (account.roles.find((r) => r.name === roleName)?.managedPolicies.some((p) => (typeof p === 'string' ? p : p.arn) === declared) ? 0 : 1),
    leftBrokenWhat: 'role without its declared policy',
  });
}

/** A template without a profile: one root cause; at most one association per instance plus the template fix. */
export function measureScaleOut(instances: number, propagationSeconds = 5): Promise<AmplificationRow> {
  const inputs = { template: LAUNCH_TEMPLATE, events: instances, instances, windowSeconds: SCALE_OUT_WINDOW_SECONDS, propagationSeconds };
  const json = scaleOutScenario({ instances, windowSeconds: inputs.windowSeconds, propagationSeconds });
  return measure('scale-out', inputs, json, {
    rootCauses: 1,
    iamWritesNeeded: 0,
    ec2WritesBound: instances + TEMPLATE_FIX_EC2_WRITES,
    leftBroken: (account) => account.instances.filter((i) => i.instanceProfile === null).length,
    leftBrokenWhat: 'instances without a profile',
  });
}

export async function measureAmplification(stormSizes: number[], scaleOutInstances: number, progress: (line: string) => void): Promise<{ rows: AmplificationRow[]; met: boolean }> {
  const rows: AmplificationRow[] = [];
  for (const events of stormSizes) {
    progress(`amplification: denial storm of ${events.toLocaleString('en-US')} events from ${stormInstances(events)} instances…`);
    rows.push(await measureDenialStorm(events));
    progress(`amplification: ${describeRow(rows.at(-1)!)}`);
  }
  progress(`amplification: scale-out of ${scaleOutInstances} instances…`);
  rows.push(await measureScaleOut(scaleOutInstances));
  progress(`amplification: ${describeRow(rows.at(-1)!)}`);
  return { rows, met: rows.every((r) => r.met) };
}

function describeRow(r: AmplificationRow): string {
  return `${r.events} events → ${r.incidents} incidents, ${r.executions} executions, ${r.iamWrites} IAM / ${r.ec2Writes} EC2 writes, ${r.leftBroken} ${r.leftBrokenWhat} left, in ${r.wallSeconds} s`;
}
