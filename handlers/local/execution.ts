/**
 * One workflow execution on the local interpreter: the real ASL, every Task bound to the real step with
 * the ports of its host — the simulated account (`simulate`, `demo`) or a real account (`remediate`).
 * Wait states and Retry pauses are overridden to 0 ms in the interpreter and waited by the host instead
 * (the simulated clock advances; a real account's run sleeps), so that both see the same waits:
 * - a Wait's seconds reach the next task (Verify gets `wait.seconds`), whose binding waits them first;
 * - a retried task's binding sees that the same state failed just before and waits the retrier's backoff
 *   (IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds; the upper bound of FULL jitter,
 *   so that runs repeat exactly).
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { MemoryApprovalStore } from '../adapters/local/approval-store.ts';
import type { RecordingEvents } from '../adapters/local/recorders.ts';
import type { WorkflowApprovalAnswer } from '../core/approval.ts';
import type { Cause } from '../core/causes.ts';
import { applyStep } from '../steps/apply.ts';
import { diagnoseStep } from '../steps/diagnose.ts';
import { guardStep } from '../steps/guard.ts';
import type { StartedIncident } from '../steps/intake.ts';
import { notifyStep } from '../steps/notify.ts';
import { recordStep } from '../steps/record.ts';
import { requestApprovalStep } from '../steps/request-approval.ts';
import type {
  ApplyProgress, DiagnoseOutput, GuardOutput, RecordOutput, RequestApprovalInput, StepDeps, VerifyInput, VerifyOutput,
} from '../steps/types.ts';
import { verifyStep } from '../steps/verify.ts';
import type { AnswerReport } from './answers.ts';
import type { StepName, TaskStateInfo } from './definition.ts';
import type { IncidentReport } from './report.ts';

type Json = Parameters<StateMachine['run']>[0];
// Each step types its own input; the bindings only pass payloads through.
type Payload = Record<string, any>;

export type { ApprovalOutcome, Approver, ApproverContext, ExecutionEnv, ExecutionHost, PendingApproval } from './execution-env.ts';
import type { ApproverContext, ExecutionEnv } from './execution-env.ts';

/** What Step Functions raises when a task token is not answered within TimeoutSeconds. */
class ApprovalTimeoutError extends Error {
  override readonly name = 'States.Timeout';
}

export class MissingTaskBindingError extends Error {
  override readonly name = 'MissingTaskBinding' as const;
}

/** What Step Functions raises in a `.sync` task whose child execution did not succeed. */
class ChildExecutionFailedError extends Error {
  override readonly name = 'States.TaskFailed';
}

const START_EXECUTION_SYNC = /:states:::states:startExecution\.sync:2$/;

// Validating a definition takes 50–800 ms: the ASL is validated once per process, not once per execution.
const validatedDefinitions = new Set<string>();
// Scenarios differ only in the region and account inside the Lambda ARNs: one validation covers them all.
const FUNCTION_ARN_LOCATION = /arn:aws:lambda:[a-z0-9-]+:\d{12}:function:/g;

function stateMachineOf(definition: StateMachineDefinition): StateMachine {
  const key = JSON.stringify(definition).replace(FUNCTION_ARN_LOCATION, 'arn:aws:lambda:REGION:ACCOUNT:function:');
  if (validatedDefinitions.has(key)) return new StateMachine(definition, { validationOptions: { noValidate: true } });
  const machine = new StateMachine(definition);
  validatedDefinitions.add(key);
  return machine;
}

const STEP_FUNCTIONS: Record<Exclude<StepName, 'RequestApproval'>, (deps: StepDeps, payload: Payload) => Promise<unknown>> = {
  Diagnose: (deps, p) => diagnoseStep(deps, p as never),
  Guard: (deps, p) => guardStep(deps, p as never),
  Apply: (deps, p) => applyStep(deps, p as never),
  Verify: (deps, p) => verifyStep(deps, p as never),
  Record: (deps, p) => recordStep(deps, p as never),
  Notify: (deps, p) => notifyStep(deps, p as never),
};

// What crosses a Lambda boundary is JSON: no undefined, no Date objects.
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value ?? null)) as T;

function retryDelaySeconds(task: TaskStateInfo, errorName: string, attempts: number[]): number | null {
  const index = task.retry.findIndex((r) => r.ErrorEquals.includes(errorName) || r.ErrorEquals.includes('States.ALL'));
  if (index < 0) return null;
  const r = task.retry[index]!;
  const attempt = attempts[index] ?? 0;
  attempts[index] = attempt + 1;
  const delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** attempt;
  return Math.min(delay, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
}

export async function runExecution(env: ExecutionEnv, started: StartedIncident): Promise<IncidentReport> {
  return (await execute(env, started, { incident: asJson(started.incident) }, false)).report;
}

/**
 * One execution; `child`: started by a fleet's RunBatch (states:startExecution.sync:2), which waits for it and takes its
 * output. A child runs on the same definition, clock and stores; its history and largest state are its own.
 */
async function execute(env: ExecutionEnv, started: StartedIncident, input: Payload, child: boolean): Promise<{ report: IncidentReport; output: unknown; failed: boolean }> {
  const { host, tasks } = env;
  const key = started.incident.key;
  const deps: StepDeps = { ...env.deps, logger: env.deps.logger.child({ incident: key }) };
  // Event → outcome: measured from the incident's first event (the clock may already be past it).
  const startMs = Math.min(host.nowMs(), Date.parse(started.incident.firstSeen) || Number.POSITIVE_INFINITY);
  const note = (step: string, text: string) => env.note(key, step, text);
  const approverContext: ApproverContext = { key, deps, approvals: env.approvalStore, answers: env.answers, note };
  let cause: Cause | null = null;
  let outcome: RecordOutput | null = null;
  let awaitingApproval = false;
  let abort: () => void = () => {};
  let lastFailure: { state: string; error: string } | null = null;
  const retryAttempts = new Map<string, number[]>();
  const children: IncidentReport[] = [];

  const runChild = async (task: TaskStateInfo, parameters: Payload): Promise<unknown> => {
    const name = String(parameters['Name']);
    const childInput = asJson(parameters['Input'] as Payload);
    const childIncident = childInput['incident'] as StartedIncident['incident'];
    const executionArn = `${String(parameters['StateMachineArn']).replace(':stateMachine:', ':execution:')}:${name}`;
    note(task.name, `child execution ${name}: batch ${(childIncident.batch?.index ?? 0) + 1} of ${childIncident.fleet?.batches ?? '?'}`);
    const run = await execute(env, { incident: childIncident, executionName: name, executionArn, alreadyStarted: false }, childInput, true);
    children.push(run.report);
    if (run.report.status === 'awaiting-approval') {
      // The child waits for its approver; so does this execution (in AWS both stay open; locally both stop here).
      awaitingApproval = true;
      abort();
      return { ExecutionArn: executionArn, Status: 'RUNNING' };
    }
    if (run.failed) throw new ChildExecutionFailedError(`child execution ${name} did not succeed`);
    return { ExecutionArn: executionArn, Name: name, Status: 'SUCCEEDED', Output: run.output };
  };

  const invoke = async (task: TaskStateInfo, input: Payload, isRetry: boolean): Promise<unknown> => {
    if (task.step === null && START_EXECUTION_SYNC.test(task.resource)) return runChild(task, input);
    if (task.step === null) {
      // events:putEvents (checked when binding): the outcome event is recorded instead of sent.
      for (const entry of (input['Entries'] ?? []) as Array<{ DetailType: string; Detail: Payload }>) {
        await env.events.putOutcome(entry.DetailType, entry.Detail);
        note(task.name, `outcome event "${entry.DetailType}": ${entry.Detail['status']}`);
      }
      return { Entries: [{ EventId: `local-${env.events.outcomes.length}` }], FailedEntryCount: 0 };
    }
    const payload = asJson(input['Payload'] as Payload);
    if (task.step === 'RequestApproval') {
      const request = payload as RequestApprovalInput;
      const { approvalId, expiresAt } = await requestApprovalStep({ ...deps, approvals: env.approvalStore }, request);
      const outcome = await env.approver.answer(approverContext, { approvalId, taskToken: request.taskToken, expiresAt, request });
      if ('answer' in outcome) {
        note(task.name, `approval ${approvalId}: ${outcome.answer.approved ? 'approved' : 'rejected'} by ${outcome.answer.by}`);
        return outcome.answer; // what SendTaskSuccess delivered: the task's output
      }
      if ('expired' in outcome) {
        const timeout = request.approvalTimeoutSeconds;
        await host.pause(Math.max(0, (Date.parse(expiresAt) - host.nowMs()) / 1000));
        note(task.name, `approval ${approvalId} requested; no answer reached it within ${timeout}s: the request expires`);
        throw new ApprovalTimeoutError(`no answer within ${timeout}s`);
      }
      awaitingApproval = true;
      note(task.name, `approval ${approvalId} requested (expires ${expiresAt}); nobody answers in this scenario: the execution waits`);
      abort(); // the execution stays open in AWS; locally it stops here
      return { approved: false, by: 'nobody' };
    }
    if (task.step === 'Verify' && !isRetry) {
      const waited = (payload as VerifyInput).wait.seconds;
      await host.pause(waited);
      note('WaitForPropagation', `waited ${waited}s`);
    }
    let output = asJson(await STEP_FUNCTIONS[task.step](deps, payload));
    if (env.stepOutput) output = asJson(env.stepOutput(task, output, key));
    describe(task, output);
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: output };
  };

  const describe = (task: TaskStateInfo, output: unknown): void => {
    switch (task.step) {
      case 'Diagnose': {
        const { diagnosis } = output as DiagnoseOutput;
        // The incident's cause is the diagnosis it was decided on; Rediagnose (after an approval) only checks it again.
        if (task.name !== 'Rediagnose') cause = diagnosis.cause;
        note(task.name, `cause ${diagnosis.cause}: ${diagnosis.summary}`);
        break;
      }
      case 'Guard': {
        const g = output as GuardOutput;
        note(task.name, `${g.verdict}${g.decision.mode ? ` (${g.decision.mode})` : ''}: ${g.decision.reason}`);
        break;
      }
      case 'Apply': {
        const p = output as ApplyProgress;
        const r = p.results[p.results.length - 1]!;
        note(task.name, `${r.type} ${r.target}: ${r.result}${r.detail ? ` — ${r.detail}` : ''}`);
        break;
      }
      case 'Verify': {
        const v = output as VerifyOutput;
        const first = v.evidence[0]?.summary;
        note(task.name, v.verified ? `verified${first ? `: ${first}` : ''}` : `not yet${first ? `: ${first}` : ''}${v.exhausted ? ' — wait budget spent' : `; next wait ${v.wait.seconds}s`}`);
        break;
      }
      case 'Record':
        outcome = output as RecordOutput;
        note(task.name, `status ${outcome.status}: ${outcome.reason}`);
        break;
      case 'Notify':
        note(task.name, (output as { subject: string }).subject ? `notified: ${(output as { subject: string }).subject}` : 'not notified: the change breaks nothing in use');
        break;
    }
  };

  const bind = (task: TaskStateInfo) => async (input: Json): Promise<Json> => {
    host.invocation(); // a new Lambda invocation
    const isRetry = lastFailure?.state === task.name;
    if (lastFailure !== null && isRetry) {
      const attempts = retryAttempts.get(task.name) ?? [];
      retryAttempts.set(task.name, attempts);
      const delay = retryDelaySeconds(task, lastFailure.error, attempts);
      if (delay !== null) {
        await host.pause(delay);
        note(task.name, `retry after ${delay}s (${lastFailure.error})`);
      }
    } else {
      retryAttempts.delete(task.name);
    }
    try {
      const result = await invoke(task, input as Payload, isRetry);
      lastFailure = null;
      return result as Json;
    } catch (err) {
      const error = err instanceof Error ? err.name : 'Error';
      lastFailure = { state: task.name, error };
      note(task.name, `failed: ${error}: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  };

  const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
  const zero: Record<string, number> = {};
  for (const task of tasks) {
    if (task.step === null && !task.resource.endsWith(':events:putEvents') && !START_EXECUTION_SYNC.test(task.resource)) throw new MissingTaskBindingError(`Task ${task.name} (${task.resource}) has no local binding`);
    taskResourceLocalHandlers[task.name] = bind(task);
    zero[task.name] = 0;
  }
  const waitTimeOverrides = Object.fromEntries(
    Object.entries(env.definition.States).filter(([, s]) => s.Type === 'Wait').map(([name]) => [name, 0]),
  );

  const machine = stateMachineOf(env.definition);
  const execution = machine.run(input as unknown as Json, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides: zero },
    noThrowOnAbort: true,
    context: {
      Execution: { Id: started.executionArn, Name: started.executionName },
      Task: { Token: `local-task-token:${started.executionName}` },
    },
  });
  abort = execution.abort;
  let transitions = 0;
  let largestStateBytes = 0;
  let historyEvents = 0;
  const counting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') transitions++;
      historyEvents += historyEventsOf(event);
      // Step Functions fails an execution whose state (input or output of a state) exceeds 256 KB.
      if (event.type === 'StateEntered' || event.type === 'StateExited') {
        const sizes = [event.state.input, event.state.output].map((v) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v))));
        largestStateBytes = Math.max(largestStateBytes, ...sizes);
      }
    }
  })();
  let output: unknown;
  let failed = false;
  try {
    output = await execution.result;
  } catch (err) {
    failed = true;
    note('execution', `ended with an error: ${err instanceof Error ? err.message : String(err)}`);
  }
  await counting;
  if (!awaitingApproval && !child) await env.approver.afterExecution?.(approverContext);

  const final = outcome as RecordOutput | null;
  const status = awaitingApproval ? 'awaiting-approval' : (final?.status ?? 'failed');
  const report: IncidentReport = {
    key,
    executionName: started.executionName,
    events: started.incident.eventCount,
    // A fleet's own execution diagnoses nothing: its cause is its batches'.
    cause: cause ?? children.find((c) => c.cause !== 'unknown')?.cause ?? 'unknown',
    status,
    reason: awaitingApproval ? 'waiting for an approver' : (final?.reason ?? 'the execution ended without recording an outcome'),
    actions: (final?.actions ?? []).map((a) => ({ type: a.type, target: a.target, result: a.result, ...(a.detail ? { detail: a.detail } : {}) })),
    simulatedSeconds: (host.nowMs() - startMs) / 1000,
    stateTransitions: transitions,
    largestStateBytes,
    historyEvents,
    ...(children.length ? {
      childExecutions: {
        count: children.length,
        stateTransitions: children.reduce((sum, c) => sum + c.stateTransitions, 0),
        largestStateBytes: Math.max(...children.map((c) => c.largestStateBytes)),
        historyEvents: Math.max(...children.map((c) => c.historyEvents)),
      },
    } : {}),
  };
  return { report, output, failed };
}

/**
 * The events Step Functions writes to an execution's history for one local event (its quota is 25,000 per execution):
 * ExecutionStarted/Succeeded/Failed; a state's Entered and Exited; a Task's Scheduled, Started and Succeeded or Failed
 * (each retried attempt writes those three again).
 */
function historyEventsOf(event: { type: string; state?: { type?: string } }): number {
  const task = event.state?.type === 'Task';
  switch (event.type) {
    case 'ExecutionStarted': case 'ExecutionSucceeded': case 'ExecutionFailed': case 'ExecutionTerminated': return 1;
    case 'StateEntered': return task ? 3 : 1; // entered (+ scheduled, started)
    case 'StateExited': return task ? 2 : 1; // (succeeded +) exited
    case 'StateRetried': return task ? 3 : 0; // failed, scheduled, started
    case 'StateFailed': return task ? 1 : 0;
    default: return 1; // Map iterations and Parallel branches
  }
}
