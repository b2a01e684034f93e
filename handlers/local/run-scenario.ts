/**
 * The local runner behind `simulate`, `demo` and the end-to-end tests: intake on the scenario's events,
 * then one execution per incident of the real ASL on aws-local-stepfunctions, each Task bound to the real
 * step with the simulated account's ports. Executions run one after the other on one simulated clock, in the
 * order of their first event; the clock moves forward to each incident's first event before its execution starts.
 */
import '../adapters/polyfills.ts';
import { pino } from 'pino';
import { JsonLinesAuditStore, MemoryAuditStore } from '../adapters/local/audit-store.ts';
import { MemoryChangeBudget, MemoryLock } from '../adapters/local/budget-and-lock.ts';
import { MemoryApprovalStore } from '../adapters/local/approval-store.ts';
import { MemoryInstanceLists } from '../adapters/local/instance-lists.ts';
import { RecordingEvents, RecordingWorkflow } from '../adapters/local/recorders.ts';
import { SimulatedAccount, type CrashInjection, type Scenario } from '../adapters/simulated/index.ts';
import { CrashingAuditStore, type AuditCrash } from './crash.ts';
import { changeMeanwhile } from './answers.ts';
import type { AuditStore } from '../core/audit-record.ts';
import { instanceCountOf } from '../steps/fleet.ts';
import { intakeStep, type StartedIncident } from '../steps/intake.ts';
import type { StepDeps } from '../steps/types.ts';
import { loadLocalDefinition, localStateMachineArn, taskStates } from './definition.ts';
import { runExecution } from './execution.ts';
import { scriptedApprover } from './answers.ts';
import { toNotificationReport, type SimulationReport, type TimelineEntry } from './report.ts';

export type { SimulationReport, TimelineEntry, IncidentReport, NotificationReport } from './report.ts';

export interface RunOptions {
  /** Append the audit trail to this JSON-lines file (default: in memory only). */
  auditPath?: string;
  /** Called with each timeline entry as it happens. */
  onTimeline?: (entry: TimelineEntry) => void;
  /** Use this audit store instead (tests; `undo` against the same trail). */
  audit?: AuditStore;
  /** An approval nobody answers: the execution waits (status awaiting-approval, default) or the request expires. */
  unansweredApprovals?: 'wait' | 'expire';
  /** Run against this account (made from the same scenario) and keep it afterwards, e.g. to `undo` on it. */
  account?: SimulatedAccount;
  /** Keep approval requests (and their tokens) here, e.g. to look at them afterwards. */
  approvals?: MemoryApprovalStore;
  /** Lambda crashes to inject: around AWS calls, or right after an audit record (the fault matrix, crash tests). */
  crashes?: { calls?: CrashInjection[]; audit?: AuditCrash[] };
}

export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<SimulationReport> {
  const account = options.account ?? new SimulatedAccount(scenario);
  const { accountId, region } = account.ports;
  for (const crash of options.crashes?.calls ?? []) account.injectCrash(crash);
  const startMs = account.startTime.getTime();
  const timeline: TimelineEntry[] = [];
  const note = (incident: string, step: string, text: string) => {
    const entry: TimelineEntry = { at: account.clock.now().toISOString(), t: (account.clock.nowMs() - startMs) / 1000, incident, step, text };
    timeline.push(entry);
    options.onTimeline?.(entry);
  };

  const logger = pino({ level: 'silent' });
  const workflow = new RecordingWorkflow(localStateMachineArn(region, accountId));
  // The state table's instance lists: a fleet's incident carries a reference, each child execution reads its batch.
  const instanceLists = new MemoryInstanceLists();
  const deps: StepDeps = {
    config: scenario.config,
    portsFor: () => account.ports,
    audit: new CrashingAuditStore(options.audit ?? (options.auditPath ? new JsonLinesAuditStore(options.auditPath) : new MemoryAuditStore()), account, options.crashes?.audit),
    budget: new MemoryChangeBudget(),
    lock: new MemoryLock(),
    notifier: account.notifier,
    clock: account.clock,
    logger,
    answerQueueUrl: `https://sqs.${region}.amazonaws.com/${accountId}/iam-autoheal-answers`,
    instanceLists,
  };
  const definition = loadLocalDefinition(region, accountId);
  const approvalStore = options.approvals ?? new MemoryApprovalStore();
  const host = { nowMs: () => account.clock.nowMs(), pause: async (seconds: number) => account.clock.advance(seconds), invocation: () => account.revive() };
  const env = { host, deps, definition, tasks: taskStates(definition, region, accountId), approver: scriptedApprover(account, scenario.approvals, options.unansweredApprovals ?? 'wait'),
    approvalStore, answers: [], events: new RecordingEvents(), note };

  const incidents = [];
  const intakes = [];
  // Events of one delivery offset (scenario `delivery`, default all at the start) reach the queue as one SQS batch:
  // one intake window per key; the next window is taken once the incidents of this one have run.
  // A person's changes (scenario `changes`) are made before the window of their offset is taken.
  const changes = [...scenario.changes].sort((a, b) => a.afterSeconds - b.afterSeconds);
  const changesUntil = async (seconds: number) => {
    while (changes.length && changes[0]!.afterSeconds <= seconds) {
      const change = changes.shift()!;
      advanceTo(account, new Date(startMs + change.afterSeconds * 1000).toISOString());
      await changeMeanwhile({ account, note: (step, text) => note('', step, text) }, change);
    }
  };
  for (const window of deliveryWindows(scenario)) {
    await changesUntil(window.afterSeconds);
    advanceTo(account, new Date(startMs + window.afterSeconds * 1000).toISOString());
    const intake = await intakeStep({ workflow, logger, clock: account.clock, scope: scenario.config.scope, drift: scenario.config.drift, instanceLists }, window.items);
    intakes.push(intake);
    note('', 'intake', `${intake.records} records → ${intake.started.length} incident(s); ${intake.ignored} ignored, ${intake.changes} change record(s)`);
    for (const failed of intake.failedItems) note('', 'intake', `rejected ${failed.id}: ${failed.error}`);
    for (const refused of intake.rejected) note('', 'intake', `refused ${refused.item}: ${refused.reason}`);
    for (const outside of intake.outOfScope) note(outside.key, 'intake', `not started: ${outside.reason}`);
    for (const started of byFirstEvent(intake.started)) {
      if (started.alreadyStarted) continue;
      advanceTo(account, started.incident.firstSeen);
      note(started.incident.key, 'StartExecution', `${started.executionName}: ${started.incident.eventCount} event(s), ${instanceCountOf(started.incident)} instance(s)${started.incident.fleet ? ` (list in the state table: ${started.incident.fleet.batches} batches of ${started.incident.fleet.batchSize})` : ''}`);
      const report = await runExecution(env, started);
      // An execution left waiting for an approval still runs: later windows' events of its key merge into it.
      if (report.status !== 'awaiting-approval') workflow.ended.add(started.executionName);
      incidents.push(report);
    }
  }

  await changesUntil(Infinity);

  const { iamWrites, ec2Writes, reads, throttled } = account.counters;
  return {
    scenario: scenario.name,
    incidents,
    ignoredEvents: intakes.reduce((n, i) => n + i.ignored, 0),
    refusedEvents: intakes.flatMap((i) => i.rejected),
    outOfScope: intakes.flatMap((i) => i.outOfScope),
    executions: incidents.length,
    duplicateStarts: intakes.reduce((n, i) => n + i.duplicates, 0),
    api: { iamWrites, ec2Writes, reads, throttled },
    stateTransitions: incidents.reduce((sum, i) => sum + i.stateTransitions, 0),
    account: account.snapshot(),
    timeline,
    notifications: account.notifier.messages.map(toNotificationReport),
    outcomeEvents: env.events.outcomes,
    answers: env.answers,
  };
}

/** The scenario's events by delivery offset, earliest first; each keeps its `events[i]` id. */
function deliveryWindows(scenario: Scenario): Array<{ afterSeconds: number; items: Array<{ id: string; body: unknown }> }> {
  const windows = new Map<number, Array<{ id: string; body: unknown }>>();
  scenario.events.forEach((body, i) => {
    const at = scenario.delivery?.[i] ?? 0;
    windows.set(at, [...(windows.get(at) ?? []), { id: `events[${i}]`, body }]);
  });
  if (!windows.size) windows.set(0, []);
  return [...windows.entries()].sort(([a], [b]) => a - b).map(([afterSeconds, items]) => ({ afterSeconds, items }));
}

/** Incidents in the order their first event happened (stable for ties). */
function byFirstEvent(started: StartedIncident[]): StartedIncident[] {
  return [...started].sort((a, b) => Date.parse(a.incident.firstSeen) - Date.parse(b.incident.firstSeen));
}

/** An incident is handled no earlier than its first event; the clock never goes back for an earlier one. */
function advanceTo(account: SimulatedAccount, iso: string): void {
  const ms = Date.parse(iso);
  if (ms > account.clock.nowMs()) account.clock.advance((ms - account.clock.nowMs()) / 1000);
}
