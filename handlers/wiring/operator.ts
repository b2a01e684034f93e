/**
 * Operator mode (`iam-autoheal remediate`): the workflow the deployment runs — the real ASL on the local
 * interpreter, every Task bound to the real step — against the caller's own account through the real AWS
 * adapters, from a terminal. Waits are real time (the same adaptive propagation waits and retry backoffs as
 * the state machine's); the audit trail is a local JSON-lines file; approvals are answered by the operator
 * through the same answer path as the Slack buttons; notifications and outcome events are kept in the report.
 */
import '../adapters/polyfills.ts';
import { pino } from 'pino';
import { MemoryApprovalStore } from '../adapters/local/approval-store.ts';
import { MemoryChangeBudget, MemoryLock } from '../adapters/local/budget-and-lock.ts';
import { RecordingEvents, RecordingWorkflow } from '../adapters/local/recorders.ts';
import { systemClock } from '../adapters/aws/clock.ts';
import type { WorkflowApprovalAnswer } from '../core/approval.ts';
import { answerIncident, type AnswerCaller } from '../core/answer.ts';
import type { AuditStore } from '../core/audit-record.ts';
import type { Config } from '../core/config.ts';
import type { Diagnosis, GuardDecision, Incident } from '../core/incident.ts';
import type { AccountPorts, NotifierPort } from '../core/ports.ts';
import { REMEDIATIONS } from '../core/remediations/index.ts';
import type { StartedIncident } from '../steps/intake.ts';
import type { DiagnoseOutput, GuardOutput, StepDeps } from '../steps/types.ts';
import { loadLocalDefinition, taskStates } from '../local/definition.ts';
import { runExecution, type Approver, type ExecutionEnv, type ExecutionHost } from '../local/execution.ts';
import { isOperatorActor, OPERATOR_STATE_MACHINE } from './operator-names.ts';
import { toNotificationReport, type IncidentReport, type NotificationReport, type SimulationReport, type TimelineEntry } from '../local/report.ts';

/** One plan put to the operator before anything is written. */
export interface PlanToConfirm {
  incident: Incident;
  diagnosis: Diagnosis;
  decision: GuardDecision;
  /** The configuration lets it apply without a person (mode auto, within budget); otherwise it requires an approval. */
  approvalRequired: boolean;
  approvalId: string;
  expiresAt: string;
}

/** The operator's answer: yes, or no with the reason shown in the outcome. */
export type Confirmation = { approved: true } | { approved: false; reason: string };

export interface OperatorRun {
  config: Config;
  accountId: string;
  region: string;
  /** The account's ports (the run counts their calls). */
  ports: AccountPorts;
  audit: AuditStore;
  /** Incidents from intake (a file) or built from the account (`--instance`, `--role`). */
  started: StartedIncident[];
  /** Put every plan the guard lets through to the operator before it is applied (`--apply`); absent: a dry run. */
  confirm?: (plan: PlanToConfirm) => Promise<Confirmation>;
  /** Who confirms, as the audit trail records it. */
  operator: AnswerCaller;
  /** What the report calls the source: the file, or `--instance i-…`. */
  source: string;
  /** Intake's counts of a file (the rest of the SimulationReport shape). */
  intake?: Pick<SimulationReport, 'ignoredEvents' | 'refusedEvents' | 'outOfScope' | 'duplicateStarts'>;
  onTimeline?: (entry: TimelineEntry) => void;
  /** Before each wait of the workflow (propagation, retry backoff): real time passes. */
  onWait?: (seconds: number) => void;
  /** How a wait is waited: real sleep by default (tests pass a stub). */
  sleep?: (ms: number) => Promise<void>;
  /** Every failed AWS call, before the step sees the error (the CLI names a permission the operator lacks). */
  onCallError?: (service: string, method: string, err: unknown) => void;
}

/** One incident of the report: simulate's, with the diagnosis (evidence, exact plan) and the guard's decision. */
export interface OperatorIncidentReport extends IncidentReport {
  diagnosis: Diagnosis | null;
  decision: GuardDecision | null;
}

export interface OperatorReport extends Omit<SimulationReport, 'incidents'> {
  mode: 'dry-run' | 'apply';
  accountId: string;
  region: string;
  incidents: OperatorIncidentReport[];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The workflow port of an operator run: names its executions as operator runs of the account. */
export function operatorWorkflow(accountId: string, region: string): RecordingWorkflow {
  return new RecordingWorkflow(`arn:aws:states:${region}:${accountId}:stateMachine:${OPERATOR_STATE_MACHINE}`);
}

/**
 * The change budget of the configuration, charged with the changes earlier operator runs made in this account
 * (their intent records in the same trail): the hourly budget holds across runs, not only within one.
 */
async function budgetFromTrail(audit: AuditStore, accountId: string, now: Date): Promise<MemoryChangeBudget> {
  const budget = new MemoryChangeBudget();
  const hourAgo = now.getTime() - 3_600_000;
  for (const { incidentKey, last } of await audit.listIncidents()) {
    if (Date.parse(last.timestamp) < hourAgo) continue;
    for (const r of await audit.listIncident(incidentKey)) {
      const writes = REMEDIATIONS.find((m) => m.type === r.action)?.writes;
      if (r.phase !== 'intent' || r.account !== accountId || !isOperatorActor(r.actor) || (writes !== 'iam' && writes !== 'ec2')) continue;
      await budget.consume(accountId, writes, 1, Number.POSITIVE_INFINITY, new Date(r.timestamp));
    }
  }
  return budget;
}

/**
 * With --apply every plan the guard lets through goes to the operator: a verdict `apply` becomes an approval
 * request, so that the answer takes the workflow's approval path (decided again before anything is applied;
 * a refusal ends as `rejected`). The guard's own decision (and its audit record) stay as they were.
 */
function confirmEveryPlan(output: GuardOutput): GuardOutput {
  return output.verdict === 'apply' && output.hasActions ? { ...output, verdict: 'await-approval' } : output;
}

function operatorApprover(run: OperatorRun, pause: (seconds: number) => Promise<void>): Approver {
  return {
    async answer(ctx, pending) {
      const { request } = pending;
      const confirmation: Confirmation = run.confirm
        ? await run.confirm({
          incident: request.incident, diagnosis: request.diagnosis, decision: request.decision,
          approvalRequired: request.decision.verdict !== 'apply', approvalId: pending.approvalId, expiresAt: pending.expiresAt,
        })
        : { approved: false, reason: 'dry run: nothing is applied' };
      let delivered: WorkflowApprovalAnswer | null = null;
      const workflow = { async sendTaskSuccess(token: string, output: unknown) {
        if (token !== pending.taskToken || delivered) throw Object.assign(new Error('Invalid Token'), { name: 'InvalidToken' });
        delivered = output as WorkflowApprovalAnswer;
      } };
      const result = await answerIncident(
        { approvals: ctx.approvals, workflow, audit: ctx.deps.audit, notifier: ctx.deps.notifier, clock: ctx.deps.clock, portsFor: ctx.deps.portsFor, pause },
        { action: confirmation.approved ? 'approve' : 'reject', incident: ctx.key, approvalId: pending.approvalId, ...(confirmation.approved ? {} : { reason: confirmation.reason }) },
        run.operator,
      );
      ctx.answers.push({ incident: ctx.key, action: confirmation.approved ? 'approve' : 'reject', by: run.operator.identity, at: ctx.deps.clock.now().toISOString(), ok: result.ok, ...(result.refusal ? { refusal: result.refusal } : {}), message: result.message });
      if (delivered) return { answer: delivered };
      ctx.note('answer', `refused: ${result.message}`);
      return { expired: true };
    },
  };
}

const WRITES: Record<string, ReadonlySet<string>> = {
  iam: new Set(['updateAssumeRolePolicy', 'attachRolePolicy', 'detachRolePolicy', 'putRolePolicy', 'deleteRolePolicy', 'addRoleToInstanceProfile', 'removeRoleFromInstanceProfile']),
  ec2: new Set(['associateProfile', 'replaceProfileAssociation', 'disassociateProfile', 'createLaunchTemplateVersion', 'setDefaultLaunchTemplateVersion', 'deleteLaunchTemplateVersion']),
  autoScaling: new Set(['setGroupLaunchTemplate']),
};

export interface CallCounters {
  iamWrites: number;
  ec2Writes: number;
  reads: number;
  throttled: number;
}

/** `ports` whose calls are counted (reads, IAM and EC2 writes, throttled), and whose errors are shown to `onError` before they go on unchanged. */
export function countedPorts(ports: AccountPorts, counters: CallCounters, onError: (service: string, method: string, err: unknown) => void): AccountPorts {
  const wrap = <P extends object>(port: P, service: string): P => new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return async (...args: unknown[]) => {
        if (!WRITES[service]?.has(key)) counters.reads++;
        else if (service === 'iam') counters.iamWrites++;
        else counters.ec2Writes++;
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          if ((err as Error)?.name === 'ThrottlingError') counters.throttled++;
          onError(service, key, err);
          throw err;
        }
      };
    },
  });
  return { ...ports, iam: wrap(ports.iam, 'iam'), ec2: wrap(ports.ec2, 'ec2'), autoScaling: wrap(ports.autoScaling, 'autoScaling'), sts: wrap(ports.sts, 'sts'), ...(ports.cloudTrail ? { cloudTrail: wrap(ports.cloudTrail, 'cloudTrail') } : {}) };
}

/** Runs each incident's execution in turn against the account; returns the `simulate --json` report shape. */
export async function runOperator(run: OperatorRun): Promise<OperatorReport> {
  const { accountId, region } = run;
  const sleep = run.sleep ?? realSleep;
  const startMs = systemClock.now().getTime();
  const timeline: TimelineEntry[] = [];
  const note = (incident: string, step: string, text: string) => {
    const now = systemClock.now();
    const entry: TimelineEntry = { at: now.toISOString(), t: (now.getTime() - startMs) / 1000, incident, step, text };
    timeline.push(entry);
    run.onTimeline?.(entry);
  };
  const pause = async (seconds: number) => {
    if (seconds <= 0) return;
    run.onWait?.(seconds);
    await sleep(seconds * 1000);
  };
  const host: ExecutionHost = { nowMs: () => systemClock.now().getTime(), pause, invocation: () => {} };
  // Kept in the report, never sent: the operator reads the outcome in the terminal.
  const notifications: NotificationReport[] = [];
  const notifier: NotifierPort = {
    async publish(message) {
      notifications.push(toNotificationReport({ ...message, at: systemClock.now().toISOString() }));
      return { messageId: `local-${notifications.length}` };
    },
  };
  const api: CallCounters = { iamWrites: 0, ec2Writes: 0, reads: 0, throttled: 0 };
  const ports = countedPorts(run.ports, api, run.onCallError ?? (() => {}));
  const deps: StepDeps = {
    config: run.config,
    portsFor: (account, incidentRegion) => {
      // The credentials are the operator's own: no member role is assumed, and no other account or region is reached.
      if (account !== accountId || incidentRegion !== region) throw new Error(`operator mode reaches account ${accountId} in ${region} only, not ${account} in ${incidentRegion}`);
      return ports;
    },
    audit: run.audit,
    budget: await budgetFromTrail(run.audit, accountId, systemClock.now()),
    lock: new MemoryLock(),
    notifier,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    answerQueueUrl: null,
  };
  const definition = loadLocalDefinition(region, accountId);
  const events = new RecordingEvents();
  // The first diagnosis and decision of each incident: what the operator reads (Rediagnose/Reguard only check them again).
  const diagnoses = new Map<string, Diagnosis>();
  const decisions = new Map<string, GuardDecision>();
  const env: ExecutionEnv = {
    host, deps, definition, tasks: taskStates(definition, region, accountId), approver: operatorApprover(run, pause),
    approvalStore: new MemoryApprovalStore(), answers: [], events, note,
    stepOutput(task, output, key) {
      if (task.name === 'Diagnose' && !diagnoses.has(key)) diagnoses.set(key, (output as DiagnoseOutput).diagnosis);
      if (task.name !== 'Guard') return output;
      if (!decisions.has(key)) decisions.set(key, (output as GuardOutput).decision);
      return run.confirm ? confirmEveryPlan(output as GuardOutput) : output;
    },
  };
  const incidents: OperatorIncidentReport[] = [];
  for (const started of run.started) {
    if (started.alreadyStarted) continue;
    const key = started.incident.key;
    note(key, 'StartExecution', `${started.executionName}: ${started.incident.eventCount} event(s), ${started.incident.instanceIds.length} instance(s)`);
    const begun = host.nowMs();
    const report = await runExecution(env, started);
    // Real time of this run (from the event, as a simulation counts it, would include the hours before anyone ran it).
    const simulatedSeconds = (host.nowMs() - begun) / 1000;
    incidents.push({ ...report, simulatedSeconds, diagnosis: diagnoses.get(key) ?? null, decision: decisions.get(key) ?? null });
  }
  return {
    mode: run.confirm ? 'apply' : 'dry-run',
    accountId,
    region,
    scenario: run.source,
    incidents,
    ignoredEvents: run.intake?.ignoredEvents ?? 0,
    refusedEvents: run.intake?.refusedEvents ?? [],
    outOfScope: run.intake?.outOfScope ?? [],
    executions: incidents.length,
    duplicateStarts: run.intake?.duplicateStarts ?? 0,
    api,
    stateTransitions: incidents.reduce((sum, i) => sum + i.stateTransitions, 0),
    account: { accountId, region },
    timeline,
    notifications,
    outcomeEvents: events.outcomes,
    answers: env.answers,
  };
}
