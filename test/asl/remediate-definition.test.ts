import { readFileSync } from 'node:fs';
import validator from 'asl-validator';
import { describe, expect, it } from 'vitest';

const TEXT = readFileSync(new URL('../../statemachines/remediate.asl.json', import.meta.url), 'utf8');
const ASL = JSON.parse(TEXT) as { StartAt: string; States: Record<string, Record<string, any>> };
const STATES = Object.entries(ASL.States);
const TASKS = STATES.filter(([, s]) => s.Type === 'Task');
const RETRIED = ['Throttling', 'TransientAwsError', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

function targets(state: Record<string, any>): string[] {
  return [
    state.Next, state.Default,
    ...(state.Choices ?? []).map((c: { Next: string }) => c.Next),
    ...(state.Catch ?? []).map((c: { Next: string }) => c.Next),
  ].filter((t): t is string => typeof t === 'string');
}

function walk(value: unknown, visit: (key: string, v: unknown) => void): void {
  if (Array.isArray(value)) value.forEach((v) => walk(v, visit));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) { visit(k, v); walk(v, visit); }
}

describe('statemachines/remediate.asl.json', () => {
  it('is valid Amazon States Language (asl-validator) once the partition is supplied', () => {
    // The validator checks Resource against an ARN pattern, which `arn:${Partition}:` does not meet until synth.
    const { isValid, errorsText } = validator(JSON.parse(TEXT.replaceAll('${Partition}', 'aws'))); // the validator mutates its input
    expect(isValid, errorsText('\n')).toBe(true);
  });

  it('gives every Task a Retry on throttling, transient and Lambda service errors, with capped jittered backoff', () => {
    expect(TASKS.length).toBeGreaterThanOrEqual(8);
    for (const [name, task] of TASKS) {
      const retriers = task.Retry as Array<Record<string, any>>;
      expect(retriers, name).toBeDefined();
      const retried = retriers.flatMap((r) => r.ErrorEquals);
      for (const error of RETRIED) expect(retried, `${name} retries ${error}`).toContain(error);
      for (const r of retriers) {
        expect(r.JitterStrategy, name).toBe('FULL');
        expect(r.BackoffRate, name).toBeGreaterThan(1);
        expect(r.MaxDelaySeconds, name).toBeGreaterThan(0);
      }
    }
  });

  it('gives every Task a Catch on States.ALL that keeps the state document', () => {
    for (const [name, task] of TASKS) {
      const catchAll = (task.Catch ?? []).find((c: { ErrorEquals: string[] }) => c.ErrorEquals.includes('States.ALL'));
      expect(catchAll, `${name} catches States.ALL`).toBeDefined();
      expect(catchAll.ResultPath, `${name}: the error goes beside the incident, not over it`).toMatch(/^\$\.\w+$/);
    }
  });

  it('routes the main tasks failures to the path that records and notifies', () => {
    for (const name of ['Diagnose', 'Guard', 'RequestApproval', 'ApplyAction', 'Verify']) {
      const next = ASL.States[name]!.Catch.find((c: { ErrorEquals: string[] }) => c.ErrorEquals.includes('States.ALL')).Next;
      expect(next, name).toBe('MarkFailed');
    }
    expect(ASL.States['MarkFailed']!.Next).toBe('Record');
    // A fleet's child execution ends after Record with its outcome; every other execution notifies.
    expect(ASL.States['Record']!.Next).toBe('IsBatch');
    expect(ASL.States['RecordFailed']!.Next).toBe('IsBatch');
    expect(ASL.States['IsBatch']).toMatchObject({ Choices: [{ Variable: '$.incident.batch', IsPresent: true, Next: 'BatchDone' }], Default: 'Notify' });
  });

  it('fans a fleet out to one child execution of the same state machine per batch, one after the other', () => {
    // IsPresent true only: the local interpreter (aws-local-stepfunctions 3.0.0) evaluates IsPresent false as always false.
    expect(ASL.States[ASL.StartAt]!.Choices).toEqual([
      { Variable: '$.incident.batch', IsPresent: true, Next: 'Diagnose' },
      { Variable: '$.incident.fleet', IsPresent: true, Next: 'StartFleet' },
    ]);
    const run = ASL.States['RunBatch']!;
    expect(run.Resource).toBe('arn:${Partition}:states:::states:startExecution.sync:2');
    expect(run.Parameters.StateMachineArn).toBe('${StateMachineArn}');
    expect(run.Parameters.Input['incident.$']).toBe('States.JsonMerge($.incident, $.fleet.cursor, false)');
    // Only the child's outcome comes back (and the approval its next batch carries): the parent's state holds no per-instance result.
    expect(run.ResultSelector).toEqual({ 'status.$': '$.Output.outcome.status', 'reason.$': '$.Output.outcome.reason', 'fleetApproval.$': '$.Output.outcome.fleetApproval' });
    expect(ASL.States['NextBatch']!.Parameters.cursor['fleetApproval.$']).toBe('$.fleet.last.fleetApproval');
    // Every way a child ends carries the field (null when no approval), so the parent's ResultSelector never misses it.
    expect(ASL.States['Record']!.ResultSelector['fleetApproval.$']).toBe('$.Payload.fleetApproval');
    expect(ASL.States['RecordFailed']!.Result).toMatchObject({ fleetApproval: null });
    expect(ASL.States['BatchDone']).toMatchObject({ Parameters: { 'outcome.$': '$.outcome' }, End: true });
    const goesOn = ASL.States['BatchEnded']!.Choices[0].Or.map((c: { StringEquals: string }) => c.StringEquals);
    expect(goesOn.sort()).toEqual(['fixed', 'partially-fixed', 'prevented', 'verified-no-change']);
    expect(ASL.States['MoreBatches']!.Choices[0]).toMatchObject({ Variable: '$.fleet.remaining', NumericGreaterThan: 0, Next: 'RunBatch' });
  });

  it('has every Next, Default, Choice and Catch target defined, and every state reachable', () => {
    const names = new Set(Object.keys(ASL.States));
    for (const [name, state] of STATES) for (const t of targets(state)) expect(names.has(t), `${name} → ${t}`).toBe(true);
    const reached = new Set<string>([ASL.StartAt]);
    const queue = [ASL.StartAt];
    while (queue.length) for (const t of targets(ASL.States[queue.shift()!]!)) if (!reached.has(t)) { reached.add(t); queue.push(t); }
    expect([...names].filter((n) => !reached.has(n))).toEqual([]);
  });

  it('uses JSONPath only: no JSONata, no Assign (the local interpreter would ignore them silently)', () => {
    const offending: string[] = [];
    walk(ASL, (key, v) => {
      if (key === 'Assign' || key === 'Arguments' || key === 'Output') offending.push(key);
      if (key === 'QueryLanguage' && v === 'JSONata') offending.push(`${key}=${String(v)}`);
      if (typeof v === 'string' && v.trim().startsWith('{%')) offending.push(v);
    });
    expect(offending).toEqual([]);
  });

  it('invokes Lambdas through lambda:invoke with exactly the substitutions the CDK app supplies', () => {
    const names = [...new Set([...TEXT.matchAll(/\$\{([A-Za-z]+)\}/g)].map((m) => m[1]))].sort();
    expect(names).toEqual([
      'ApplyFunctionArn', 'DiagnoseFunctionArn', 'EventBusName', 'GuardFunctionArn', 'NotifyFunctionArn', 'Partition',
      'RecordFunctionArn', 'RequestApprovalFunctionArn', 'StateMachineArn', 'VerifyFunctionArn',
    ]);
    for (const [name, task] of TASKS) {
      if (task.Resource === 'arn:${Partition}:states:::events:putEvents' || name === 'RunBatch') continue;
      expect(task.Resource, name).toMatch(/^arn:\$\{Partition\}:states:::lambda:invoke(\.waitForTaskToken)?$/);
      expect(task.Parameters.FunctionName, name).toMatch(/^\$\{[A-Za-z]+FunctionArn\}$/);
    }
  });

  it('waits for approval with a task token and a timeout that leads to an expiry, not a failure', () => {
    const approval = ASL.States['RequestApproval']!;
    expect(approval.Resource).toBe('arn:${Partition}:states:::lambda:invoke.waitForTaskToken');
    expect(approval.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
    expect(approval.TimeoutSecondsPath ?? approval.TimeoutSeconds).toBeDefined();
    const timeout = approval.Catch.find((c: { ErrorEquals: string[] }) => c.ErrorEquals.includes('States.Timeout'));
    expect(timeout.Next).toBe('MarkExpired');
    expect(approval.Catch.indexOf(timeout)).toBe(0);
  });

  it('waits with SecondsPath in a Verify loop, and ends by putting the outcome event on the bus', () => {
    expect(ASL.States['WaitForPropagation']).toMatchObject({ Type: 'Wait', SecondsPath: '$.verify.wait.seconds', Next: 'Verify' });
    expect(ASL.States['IsVerified']!.Default).toBe('WaitForPropagation');
    const publish = ASL.States['PublishOutcome']!;
    expect(publish.Resource).toBe('arn:${Partition}:states:::events:putEvents');
    expect(publish.Parameters.Entries[0].EventBusName).toBe('${EventBusName}');
    expect(publish.End).toBe(true);
  });

  it('sends not-fixable causes and observe mode straight to Record, without Apply', () => {
    expect(ASL.States['IsFixable']!.Choices[0]).toMatchObject({ Variable: '$.diagnose.fixable', BooleanEquals: false, Next: 'MarkEscalated' });
    const routes = Object.fromEntries(ASL.States['RouteVerdict']!.Choices.map((c: { StringEquals: string; Next: string }) => [c.StringEquals, c.Next]));
    expect(routes).toMatchObject({ observe: 'MarkObserved', apply: 'HasActions', 'await-approval': 'PrepareApproval' });
    expect(ASL.States['RouteVerdict']!.Default).toBe('MarkEscalated');
  });
});
