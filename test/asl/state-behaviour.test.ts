/**
 * Single states of statemachines/remediate.asl.json run in the local interpreter (aws-local-stepfunctions), each
 * cut out with its targets replaced by markers: how a state behaves on an input or error a full run rarely shows.
 */
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';

const ASL = JSON.parse(readFileSync(new URL('../../statemachines/remediate.asl.json', import.meta.url), 'utf8').replaceAll('${Partition}', 'aws')) as {
  States: Record<string, Record<string, any>>;
};

const CONTEXT = { Execution: { Id: 'arn:aws:states:eu-west-1:111122223333:execution:iam-autoheal:x', Name: 'x' }, Task: { Token: 'token' } };

/**
 * The state alone: each Next/Default/Catch target becomes a Pass state that outputs {reached: target}. `bare` drops
 * what shapes a Task's input and output (its Retry and Catch are what is tested).
 */
function isolate(name: string, bare = false) {
  const state = structuredClone(ASL.States[name]!);
  if (bare) for (const key of ['Parameters', 'ResultSelector', 'ResultPath', 'TimeoutSecondsPath']) delete state[key];
  const targets = new Set<string>([state.Next, state.Default, ...(state.Choices ?? []).map((c: { Next: string }) => c.Next), ...(state.Catch ?? []).map((c: { Next: string }) => c.Next)].filter(Boolean));
  const markers = Object.fromEntries([...targets].map((t) => [t, { Type: 'Pass', Result: { reached: t }, End: true }]));
  return new StateMachine({ StartAt: name, States: { [name]: state, ...markers } } as never);
}

class NamedError extends Error {
  constructor(override readonly name: string) {
    super(name);
  }
}

/** Runs a Task state whose resource fails with `errors` in turn, then answers `answer`; returns where it went and how many calls. */
async function runTask(name: string, errors: string[], answer: unknown, input: unknown = {}) {
  let calls = 0;
  const handler = async () => {
    calls++;
    const error = errors[calls - 1];
    if (error) throw new NamedError(error);
    return answer as never;
  };
  const execution = isolate(name).run(input as never, {
    context: CONTEXT,
    overrides: { taskResourceLocalHandlers: { [name]: handler }, retryIntervalOverrides: { [name]: 0 } },
  });
  const result = (await execution.result) as { reached?: string };
  return { reached: result.reached ?? null, calls };
}

const LAMBDA_TASKS = Object.entries(ASL.States).filter(([, s]) => s.Type === 'Task' && String(s.Resource).includes(':lambda:invoke')).map(([n]) => n);

describe('IsApproved', () => {
  const route = async (approval: unknown) => ((await isolate('IsApproved').run({ approval } as never).result) as { reached: string }).reached;

  it('goes on only with approved: true', async () => {
    expect(await route({ approved: true, by: 'alice' })).toBe('Rediagnose');
    expect(await route({ approved: false, by: 'bob' })).toBe('MarkRejected');
  });

  it('treats an answer without "approved" as a rejection instead of failing the execution', async () => {
    expect(await route({ by: 'carol', reason: 'answered without a verdict' })).toBe('MarkRejected');
    expect(await route({})).toBe('MarkRejected');
  });
});

describe('retries', () => {
  it('PublishOutcome retries EventBridge.FailedEntry (a non-zero FailedEntryCount) and publishes once it is accepted', async () => {
    const input = { incident: { key: 'k', accountId: '111122223333', region: 'eu-west-1' }, outcome: { status: 'verified', reason: 'r', actions: [] } };
    const run = await runTask('PublishOutcome', ['EventBridge.FailedEntry', 'EventBridge.FailedEntry'], { Entries: [{ EventId: 'e' }], FailedEntryCount: 0 }, input);
    expect(run).toEqual({ reached: null, calls: 3 });
  });

  it('PublishOutcome still ends on OutcomeNotPublished when the entry keeps failing', async () => {
    const input = { incident: { key: 'k', accountId: '111122223333', region: 'eu-west-1' }, outcome: { status: 'verified', reason: 'r', actions: [] } };
    const run = await runTask('PublishOutcome', Array(20).fill('EventBridge.FailedEntry'), {}, input);
    expect(run.reached).toBe('OutcomeNotPublished');
    expect(run.calls).toBeGreaterThan(1);
  });

  it.each(LAMBDA_TASKS)('%s retries a crashed Lambda (Lambda.Unknown) and a client-side invoke timeout', async (name) => {
    for (const error of ['Lambda.Unknown', 'Lambda.ClientExecutionTimeoutException']) {
      const execution = isolate(name, true);
      let calls = 0;
      const handler = async () => {
        calls++;
        if (calls === 1) throw new NamedError(error);
        return { Payload: {} } as never;
      };
      const run = execution.run({} as never, { context: CONTEXT, overrides: { taskResourceLocalHandlers: { [name]: handler }, retryIntervalOverrides: { [name]: 0 } } });
      const result = (await run.result) as { reached?: string };
      expect(calls, `${name} after ${error}`).toBe(2);
      expect(result.reached, `${name} after ${error}`).not.toMatch(/^(MarkFailed|RecordFailed|MarkExpired)$/);
    }
  });

  it('Diagnose and Verify, which only read, are not escalated on the first crash', async () => {
    for (const name of ['Diagnose', 'Verify']) {
      const retriers = ASL.States[name]!.Retry as Array<{ ErrorEquals: string[]; MaxAttempts: number }>;
      const crash = retriers.find((r) => r.ErrorEquals.includes('Lambda.Unknown'));
      expect(crash?.MaxAttempts, name).toBeGreaterThanOrEqual(2);
    }
  });
});
