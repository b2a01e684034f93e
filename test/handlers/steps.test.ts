/**
 * Each workflow Lambda entry with its dependencies faked at the port level: the simulated account's
 * ports, in-memory audit store, budget and lock, a recording notifier. The steps themselves run for real.
 */
import type { Context } from 'aws-lambda';
import { pino } from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { MemoryChangeBudget, MemoryLock } from '../../handlers/adapters/local/budget-and-lock.ts';
import { SimulatedAccount, loadScenarioFile } from '../../handlers/adapters/simulated/index.ts';
import { coalesceIncidents } from '../../handlers/core/intake.ts';
import { classify, extractRecords, incidentKey } from '../../handlers/core/events/index.ts';
import type { Incident } from '../../handlers/core/incident.ts';
import type { StepDeps, WorkflowState } from '../../handlers/steps/types.ts';
import { nextWait } from '../../handlers/steps/verify.ts';
import { parseConfig } from '../../handlers/core/config.ts';

const fake = vi.hoisted(() => ({ deps: null as unknown as StepDeps }));
vi.mock('../../handlers/environment.ts', () => ({ stepDeps: () => fake.deps }));
const approvals = vi.hoisted(() => ({ store: null as unknown as import('../../handlers/adapters/local/approval-store.ts').MemoryApprovalStore }));
vi.mock('../../handlers/wiring/dynamodb.ts', async () => {
  const { MemoryApprovalStore } = await import('../../handlers/adapters/local/approval-store.ts');
  approvals.store = new MemoryApprovalStore();
  const { MemoryInstanceLists } = await import('../../handlers/adapters/local/instance-lists.ts');
  const lists = new MemoryInstanceLists();
  return { auditStore: () => fake.deps.audit, changeBudget: () => fake.deps.budget, changeLock: () => fake.deps.lock, approvalStore: () => approvals.store, instanceListStore: () => lists };
});

const { handler: diagnose } = await import('../../handlers/diagnose.ts');
const { handler: guard } = await import('../../handlers/guard.ts');
const { handler: apply } = await import('../../handlers/apply.ts');
const { handler: verify } = await import('../../handlers/verify.ts');
const { handler: record } = await import('../../handlers/record.ts');
const { handler: notify } = await import('../../handlers/notify.ts');
const { handler: requestApproval } = await import('../../handlers/request-approval.ts');

const INSTANCE = 'i-0c1d2e3f4a5b6c7d8';
const execution = { name: 'exec-1', id: 'arn:aws:states:eu-central-1:210987654321:execution:iam-autoheal-remediate:exec-1' };
const context = { invokedFunctionArn: 'arn:aws:lambda:eu-central-1:210987654321:function:diagnose' } as Context;
let account: SimulatedAccount;
let audit: MemoryAuditStore;
let budget: MemoryChangeBudget;
let lock: MemoryLock;
let incident: Incident;

beforeEach(() => {
  const scenario = loadScenarioFile('test/fixtures/scenarios/example-launch-without-profile.json');
  account = new SimulatedAccount(scenario);
  audit = new MemoryAuditStore();
  budget = new MemoryChangeBudget();
  lock = new MemoryLock();
  fake.deps = {
    config: scenario.config, portsFor: () => account.ports, audit, budget, lock,
    notifier: account.notifier, clock: account.clock, logger: pino({ level: 'silent' }),
  };
  const keyed = scenario.events.flatMap((e) => extractRecords(e, 'scenario')).map((r) => {
    const classification = classify(r);
    return { key: incidentKey(classification), classification };
  });
  incident = coalesceIncidents(keyed).incidents[0]!;
});

async function diagnosed() {
  return (await diagnose({ incident, execution }, context)).diagnosis;
}

describe('diagnose Lambda', () => {
  it('returns the cause with a plan and says whether it is fixable, changing nothing', async () => {
    const out = await diagnose({ incident, execution }, context);
    expect(out.fixable).toBe(true);
    expect(out.diagnosis.cause).toBe('no-instance-profile');
    expect(out.diagnosis.plan[0]).toMatchObject({ type: 'associate-profile', target: INSTANCE });
    expect(account.counters.ec2Writes + account.counters.iamWrites).toBe(0);
  });

  it('rejects an input without the incident with a named error', async () => {
    await expect(diagnose({ execution }, context)).rejects.toMatchObject({ name: 'WorkflowInputError' });
  });
});

describe('guard Lambda', () => {
  it('lets the auto-mode plan through with the first propagation wait of the configuration', async () => {
    const out = await guard({ incident, diagnosis: await diagnosed(), execution }, context);
    expect(out).toMatchObject({ verdict: 'apply', hasActions: true, wait: { seconds: 2, elapsedSeconds: 0 } });
    expect(out.actions.map((a) => a.type)).toEqual(['associate-profile']);
  });

  it('holds the plan for approval once the EC2 change budget of the hour is spent', async () => {
    await budget.consume(incident.accountId, 'ec2', 1000, 1000, account.clock.now());
    const out = await guard({ incident, diagnosis: await diagnosed(), execution }, context);
    expect(out.verdict).toBe('await-approval');
    expect(out.decision.reason).toMatch(/budget/);
    expect(out.approval).toBeNull();
  });

  it('after an approval of the same plan past the budget: the plan runs under that answer', async () => {
    await budget.consume(incident.accountId, 'ec2', 1000, 1000, account.clock.now());
    const diagnosis = await diagnosed();
    const asked = await guard({ incident, diagnosis, execution }, context);
    const answer = { approved: true, by: 'arn:aws:sts::111122223333:assumed-role/oncall/alice', at: account.clock.now().toISOString(), approvalId: 'ap-0123456789' };
    const again = await guard({ incident, diagnosis, execution, approved: asked.actions, answer }, context);
    expect(again.recheck).toMatchObject({ unchanged: true });
    expect(again.approval).toMatchObject({ by: answer.by, approvalId: answer.approvalId, overBudget: true, covers: ['associate-profile instance {"profileName":"batch-worker"}'] });
  });
});

describe('apply Lambda', () => {
  async function planned() {
    const diagnosis = await diagnosed();
    const g = await guard({ incident, diagnosis, execution }, context);
    return { incident, diagnosis, actions: g.actions, progress: { next: 0, done: false, results: [], writes: { iam: 0, ec2: 0 } }, execution };
  }

  it('applies one action, audits intent then result, and reports progress', async () => {
    const out = await apply(await planned(), context);
    expect(out).toMatchObject({ next: 1, done: true, writes: { iam: 0, ec2: 1 } });
    expect(out.results[0]).toMatchObject({ type: 'associate-profile', target: INSTANCE, result: 'done' });
    expect((await account.ports.ec2.describeProfileAssociations(INSTANCE))).toHaveLength(1);
    const phases = (await audit.listIncident(incident.key)).filter((r) => r.action === 'associate-profile').map((r) => r.phase);
    expect(phases).toEqual(['intent', 'result']);
    expect(lock.holder(`${incident.accountId}:batch-worker`)).toBeNull();
  });

  it('refuses to change anything when the budget is spent between guard and apply', async () => {
    const input = await planned();
    await budget.consume(incident.accountId, 'ec2', 1000, 1000, account.clock.now());
    await expect(apply(input, context)).rejects.toMatchObject({ name: 'ChangeBudgetExhausted' });
    expect(account.counters.ec2Writes).toBe(0);
  });

  it('goes past a spent budget only when a person approved the plan past it, and still charges the change', async () => {
    const input = await planned();
    await budget.consume(incident.accountId, 'ec2', 1000, 1000, account.clock.now());
    const approval = { by: 'arn:aws:sts::111122223333:assumed-role/oncall/alice', at: account.clock.now().toISOString(), approvalId: 'ap-0123456789', covers: [], overBudget: false };
    await expect(apply({ ...input, approval }, context)).rejects.toMatchObject({ name: 'ChangeBudgetExhausted' });
    const out = await apply({ ...input, approval: { ...approval, overBudget: true } }, context);
    expect(out.results[0]).toMatchObject({ type: 'associate-profile', result: 'done' });
    expect(account.counters.ec2Writes).toBe(1);
    expect(await budget.used(incident.accountId, 'ec2', account.clock.now())).toBe(1001);
  });

  it('gives the budget back when the action wrote nothing (the instance already has the profile)', async () => {
    const input = await planned();
    await account.ports.ec2.associateProfile(INSTANCE, { name: 'batch-worker' });
    account.clock.advance(5);
    const writesBefore = account.counters.ec2Writes;
    const out = await apply(input, context);
    expect(out.results[0]).toMatchObject({ type: 'associate-profile', result: 'already-done' });
    expect(account.counters.ec2Writes).toBe(writesBefore);
    expect(await budget.used(incident.accountId, 'ec2', account.clock.now())).toBe(0);
  });

  it('waits its turn when another execution is changing the same role', async () => {
    const input = await planned();
    await lock.acquire(`${incident.accountId}:${input.diagnosis.subject.roleName ?? INSTANCE}`, 'other-execution', 60, account.clock.now());
    await expect(apply(input, context)).rejects.toMatchObject({ name: 'ChangeLockBusy' });
    expect(account.counters.ec2Writes).toBe(0);
  });
});

describe('verify Lambda', () => {
  it('is not verified before the fix and asks for a 1.5× longer wait; verified once the association is in place', async () => {
    const diagnosis = await diagnosed();
    const before = await verify({ incident, diagnosis, wait: { seconds: 2, elapsedSeconds: 0 }, execution }, context);
    expect(before).toMatchObject({ verified: false, exhausted: false, wait: { seconds: 3, elapsedSeconds: 2 } });
    await account.ports.ec2.associateProfile(INSTANCE, { name: 'batch-worker' });
    account.clock.advance(3);
    const after = await verify({ incident, diagnosis, wait: before.wait, execution }, context);
    expect(after.verified).toBe(true);
  });

  it('waits 2, 3, 4, 6, 9 s, then every 10 s, within the total budget', async () => {
    const waits: number[] = [];
    let wait = { seconds: 2, elapsedSeconds: 0 };
    for (;;) {
      waits.push(wait.seconds);
      const next = nextWait(wait, parseConfig({}).propagation);
      if (next.exhausted) break;
      wait = next.wait;
    }
    expect(waits.slice(0, 8)).toEqual([2, 3, 4, 6, 9, 10, 10, 10]);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('gives up when the wait budget is spent', async () => {
    const out = await verify({ incident, diagnosis: await diagnosed(), wait: { seconds: 30, elapsedSeconds: 280 }, execution }, context);
    expect(out).toMatchObject({ verified: false, exhausted: true });
  });
});

describe('record and notify Lambdas', () => {
  async function finished(): Promise<WorkflowState> {
    const diagnosis = await diagnosed();
    return {
      incident, diagnose: { diagnosis, fixable: true },
      apply: { next: 1, done: true, results: [{ type: 'associate-profile', target: INSTANCE, result: 'done' }], writes: { iam: 0, ec2: 1 } },
      verify: { verified: true, exhausted: false, evidence: [], wait: { seconds: 0, elapsedSeconds: 2 } },
      route: { path: 'verified' },
    };
  }

  it('record: fixed when verified after a change, audited with the diagnosis and its evidence', async () => {
    const out = await record({ state: await finished(), execution }, context);
    expect(out.status).toBe('fixed');
    const last = (await audit.listIncident(incident.key)).at(-1)!;
    expect(last).toMatchObject({ phase: 'decision', cause: 'no-instance-profile', actor: execution.id });
    expect(last.after).toMatchObject({ status: 'fixed', diagnosis: { cause: 'no-instance-profile', evidence: expect.any(Array) } });
  });

  it('record: an unverified incident says which verification check failed, and a retried Record writes once', async () => {
    const failedCheck = { kind: 'verification', summary: `${INSTANCE} still has no profile association` };
    const state = { ...(await finished()), verify: { verified: false, exhausted: true, evidence: [failedCheck], wait: { seconds: 0, elapsedSeconds: 300 } }, route: { path: 'unverified' as const } };
    await record({ state, execution }, context);
    await record({ state, execution }, context);
    const decisions = (await audit.listIncident(incident.key)).filter((r) => r.phase === 'decision');
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.after).toMatchObject({ verify: { verified: false, exhausted: true, evidence: [failedCheck] } });
  });

  it('record: a caught error is a failure, with the error as the reason', async () => {
    const state = { ...(await finished()), route: { path: 'failed' as const }, error: { Error: 'AwsCallError', Cause: 'UnauthorizedOperation: nope' } };
    expect(await record({ state, execution }, context)).toMatchObject({ status: 'failed', reason: 'AwsCallError: UnauthorizedOperation: nope' });
  });

  it('notify: publishes the Chatbot JSON (threaded on the incident) with the email text beside it', async () => {
    const state = await finished();
    state.outcome = await record({ state, execution }, context);
    const out = await notify({ state, execution }, context);
    expect(out.subject).toMatch(/no-instance-profile/);
    const [message] = account.notifier.messages as Array<{ body: string; email?: string }>;
    expect(JSON.parse(message!.body)).toMatchObject({ version: '1.0', source: 'custom', metadata: { threadId: incident.key } });
    expect(message!.email).toContain(`iam-autoheal undo ${incident.key}`);
    expect(message!.email).toContain('https://eu-central-1.console.aws.amazon.com/states/');
  });

  it('request-approval: keeps the task token in the approval store and tells approvers the approval id, never the token', async () => {
    const diagnosis = await diagnosed();
    const decision = (await guard({ incident, diagnosis, execution }, context)).decision;
    const out = await requestApproval({ taskToken: 'TOKEN-123', incident, diagnosis, decision, approvalTimeoutSeconds: 3600, execution }, context);
    expect(Date.parse(out.expiresAt) - account.clock.now().getTime()).toBe(3600_000);
    expect(out.approvalId).toMatch(/^ap-[0-9a-z]{10}$/);
    const [message] = account.notifier.messages as Array<{ body: string; email?: string }>;
    expect(`${message!.body}${message!.email}`).not.toContain('TOKEN-123');
    expect(message!.email).toContain(`approval ${out.approvalId}`);
    expect(JSON.parse(message!.body).metadata.additionalContext.approval).toBe(out.approvalId);
    expect(await approvals.store.get(incident.key, out.approvalId)).toMatchObject({ taskToken: 'TOKEN-123', expiresAt: out.expiresAt, answer: null });
  });
});
