/** The real ASL on the local interpreter, every Task bound to the real step, against the simulated account. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { JsonLinesAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { loadScenarioFile, parseScenario, type Scenario } from '../../handlers/adapters/simulated/index.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';

const EXAMPLE = 'test/fixtures/scenarios/example-launch-without-profile.json';
const INSTANCE = 'i-0c1d2e3f4a5b6c7d8';

/** The example scenario with changes: a fresh copy each time. */
function example(change: (json: any) => void = () => {}): Scenario {
  const json = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  change(json);
  return parseScenario(json, EXAMPLE);
}

function profileOf(account: unknown, instanceId: string): string | null {
  const instances = (account as { instances: Array<{ id: string; instanceProfile: string | null }> }).instances;
  return instances.find((i) => i.id === instanceId)!.instanceProfile;
}

describe('runScenario on the example (launch without a profile)', () => {
  it('fixes it with one association: one incident, one EC2 write, no IAM write, the profile in the final account', async () => {
    const report = await runScenario(loadScenarioFile(EXAMPLE));
    expect(report.scenario).toBe('batch worker launched by hand without an instance profile');
    expect(report.incidents).toHaveLength(1);
    const [incident] = report.incidents;
    expect(incident).toMatchObject({ cause: 'no-instance-profile', status: 'fixed', events: 1 });
    expect(incident!.actions).toEqual([expect.objectContaining({ type: 'associate-profile', target: INSTANCE, result: 'done' })]);
    expect(report.api).toMatchObject({ ec2Writes: 1, iamWrites: 0, throttled: 0 });
    expect(profileOf(report.account, INSTANCE)).toBe('batch-worker');
    expect(report.ignoredEvents).toBe(0);
  });

  it('counts state transitions, and the timeline runs on simulated time through Diagnose → Apply → Wait → Verify → Record → Notify', async () => {
    const seen: string[] = [];
    const report = await runScenario(loadScenarioFile(EXAMPLE), { onTimeline: (e) => seen.push(e.step) });
    const steps = report.timeline.map((e) => e.step);
    expect(seen).toEqual(steps);
    for (const step of ['intake', 'Diagnose', 'Guard', 'ApplyAction', 'WaitForPropagation', 'Verify', 'Record', 'Notify', 'PublishOutcome']) {
      expect(steps, step).toContain(step);
    }
    expect(steps.indexOf('ApplyAction')).toBeLessThan(steps.indexOf('WaitForPropagation'));
    const times = report.timeline.map((e) => e.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(report.incidents[0]!.simulatedSeconds).toBeGreaterThan(0);
    expect(report.timeline[0]!.at).toBe('2026-10-02T08:03:40.000Z');
    // Begin, Diagnose, IsFixable, Guard, RouteVerdict, HasActions, StartApply, ApplyAction, MoreActions, StartVerification,
    // WaitForPropagation, Verify, IsVerified, MarkVerified, Record, IsBatch, Notify, PublishOutcome
    expect(report.stateTransitions).toBe(18);
  });

  it('notifies once, in Chatbot form threaded on the incident and as email text with the undo command', async () => {
    const report = await runScenario(loadScenarioFile(EXAMPLE));
    expect(report.notifications).toHaveLength(1);
    const [n] = report.notifications;
    const key = report.incidents[0]!.key;
    expect(n!.chatbot).toMatchObject({ version: '1.0', source: 'custom', metadata: { threadId: key } });
    expect(n!.email).toContain(`iam-autoheal undo ${key}`);
    expect(n!.email).toContain('associate-profile');
    expect(report.outcomeEvents).toEqual([expect.objectContaining({ detail: expect.objectContaining({ incident: key, status: 'fixed' }) })]);
  });

  it('audits the intent before the change and the result after, with the exact before', async () => {
    const auditPath = join(mkdtempSync(join(tmpdir(), 'autoheal-')), 'audit.jsonl');
    const report = await runScenario(loadScenarioFile(EXAMPLE), { auditPath });
    const records = await new JsonLinesAuditStore(auditPath).listIncident(report.incidents[0]!.key);
    const change = records.filter((r) => r.action === 'associate-profile');
    expect(change.map((r) => [r.phase, r.result])).toEqual([['intent', 'pending'], ['result', 'done']]);
    expect(change[0]!.step < change[1]!.step).toBe(true);
    expect(change[1]!.before).toMatchObject({ kind: expect.any(String) });
    expect(records.at(-1)!).toMatchObject({ phase: 'decision', after: expect.objectContaining({ status: 'fixed' }) });
  });
});

describe('runScenario: approvals', () => {
  const approveMode = (approvals: string) => example((json) => {
    json.config.modes['no-instance-profile'] = 'approve';
    json.approvals = approvals;
  });

  it('approved: asks once (with how to approve and reject), replies "approved by" in the thread, then applies and verifies', async () => {
    const report = await runScenario(approveMode('approve'));
    expect(report.incidents[0]).toMatchObject({ status: 'fixed' });
    expect(report.api.ec2Writes).toBe(1);
    expect(profileOf(report.account, INSTANCE)).toBe('batch-worker');
    expect(report.notifications.map((n) => n.status)).toEqual(['awaiting-approval', 'answer-approve', 'fixed']);
    expect(report.notifications[0]!.email).toMatch(/iam-autoheal approve /);
    expect(report.notifications[0]!.email).toMatch(/iam-autoheal reject /);
    expect(report.notifications[1]!.subject).toMatch(/approved/);
  });

  it('rejected: nothing changes, the incident says who rejected it', async () => {
    const report = await runScenario(approveMode('reject'));
    expect(report.incidents[0]).toMatchObject({ status: 'rejected', actions: [] });
    expect(report.incidents[0]!.reason).toMatch(/rejected by/);
    expect(report.api).toMatchObject({ ec2Writes: 0, iamWrites: 0 });
    expect(profileOf(report.account, INSTANCE)).toBeNull();
  });

  it('unanswered: the execution waits for an approver and nothing changes', async () => {
    const report = await runScenario(approveMode('none'));
    expect(report.incidents[0]).toMatchObject({ status: 'awaiting-approval' });
    expect(report.notifications.map((n) => n.status)).toEqual(['awaiting-approval']);
    expect(report.api.ec2Writes).toBe(0);
  });

  it('expired: the request times out after the configured time, nothing changes, the incident says so', async () => {
    const scenario = example((json) => {
      json.config.modes['no-instance-profile'] = 'approve';
      json.config.approvalTimeoutSeconds = 3600;
      json.approvals = 'none';
    });
    const report = await runScenario(scenario, { unansweredApprovals: 'expire' });
    expect(report.incidents[0]).toMatchObject({ status: 'rejected', actions: [] });
    expect(report.incidents[0]!.reason).toMatch(/expired after 3600s/);
    expect(report.incidents[0]!.simulatedSeconds).toBeGreaterThanOrEqual(3600);
    expect(report.notifications.map((n) => n.status)).toEqual(['awaiting-approval', 'rejected']);
    expect(profileOf(report.account, INSTANCE)).toBeNull();
  });
});

describe('runScenario: escalations, observe mode and faults', () => {
  it('escalates an explicit deny with its evidence and changes nothing', async () => {
    const report = await runScenario(loadScenarioFile('test/asl/fixtures/explicit-deny.json'));
    expect(report.incidents[0]).toMatchObject({ cause: 'explicit-deny', status: 'escalated', actions: [] });
    expect(report.api).toMatchObject({ iamWrites: 0, ec2Writes: 0 });
    expect(report.timeline.map((e) => e.step)).not.toContain('Guard');
    expect(report.notifications[0]!.email).toMatch(/Evidence:/);
  });

  it('escalates when no expected profile is known (nothing safe to associate)', async () => {
    const report = await runScenario(example((json) => { json.config.baselineInstanceProfile = null; }));
    expect(report.incidents[0]).toMatchObject({ cause: 'no-instance-profile', status: 'escalated' });
    expect(report.api.ec2Writes).toBe(0);
  });

  it('observe mode reports the plan and writes nothing', async () => {
    const report = await runScenario(example((json) => { json.config.modes['no-instance-profile'] = 'observe'; }));
    expect(report.incidents[0]).toMatchObject({ status: 'observed' });
    expect(report.api).toMatchObject({ iamWrites: 0, ec2Writes: 0 });
    expect(report.notifications[0]!.email).toMatch(/proposed \(not applied\): associate-profile/);
  });

  it('retries an injected transient fault and throttling on simulated time, ending fixed without a double write', async () => {
    const report = await runScenario(example((json) => {
      json.physics.faults = [{ api: 'AssociateIamInstanceProfile', error: 'IncorrectState', times: 2 }];
    }));
    expect(report.incidents[0]).toMatchObject({ status: 'fixed' });
    expect(report.api.ec2Writes).toBe(1);
    const retries = report.timeline.filter((e) => e.text.startsWith('retry after'));
    expect(retries.map((e) => e.text)).toEqual(['retry after 2s (TransientAwsError)', 'retry after 4s (TransientAwsError)']);
    expect(report.incidents[0]!.simulatedSeconds).toBeGreaterThanOrEqual(6);
  });

  it('takes the failure path on an error that is not retried: recorded and notified as failed', async () => {
    const report = await runScenario(example((json) => {
      json.physics.faults = [{ api: 'AssociateIamInstanceProfile', error: 'UnauthorizedOperation', times: 1 }];
    }));
    expect(report.incidents[0]).toMatchObject({ status: 'failed' });
    expect(report.incidents[0]!.reason).toMatch(/UnauthorizedOperation|AwsCallError/);
    expect(report.notifications.map((n) => n.status)).toEqual(['failed']);
    expect(profileOf(report.account, INSTANCE)).toBeNull();
  });
});

describe('loadLocalDefinition', () => {
  it('leaves no placeholder behind and binds every Task: the partition becomes aws, each FunctionArn its step', async () => {
    const { loadLocalDefinition, taskStates } = await import('../../handlers/local/definition.ts');
    const definition = loadLocalDefinition('eu-central-1', '210987654321');
    expect(JSON.stringify(definition)).not.toMatch(/\$\{/);
    const tasks = taskStates(definition, 'eu-central-1', '210987654321');
    expect(tasks.find((t) => t.name === 'PublishOutcome')!.resource).toBe('arn:aws:states:::events:putEvents');
    // Service integrations: the fleet's child executions (states:startExecution.sync:2) and the outcome event.
    expect(tasks.filter((t) => t.step === null).map((t) => t.name)).toEqual(['RunBatch', 'PublishOutcome']);
    expect(tasks.find((t) => t.name === 'RunBatch')!.resource).toBe('arn:aws:states:::states:startExecution.sync:2');
  });
});

describe('runExecution', () => {
  it('refuses to run a definition with a Task it cannot bind locally, rather than call AWS', async () => {
    const { SimulatedAccount } = await import('../../handlers/adapters/simulated/index.ts');
    const { loadLocalDefinition, taskStates } = await import('../../handlers/local/definition.ts');
    const { runExecution } = await import('../../handlers/local/execution.ts');
    const { RecordingEvents } = await import('../../handlers/adapters/local/recorders.ts');
    const { MemoryApprovalStore } = await import('../../handlers/adapters/local/approval-store.ts');
    const scenario = loadScenarioFile(EXAMPLE);
    const account = new SimulatedAccount(scenario);
    const definition = loadLocalDefinition('eu-central-1', '210987654321');
    definition.States['Diagnose'] = { ...definition.States['Diagnose']!, Resource: 'arn:aws:states:::sqs:sendMessage' } as never;
    const env = {
      host: { nowMs: () => account.clock.nowMs(), pause: async () => {}, invocation: () => {} }, definition, tasks: taskStates(definition, 'eu-central-1', '210987654321'),
      approver: { answer: async () => ({ waiting: true as const }) }, approvalStore: new MemoryApprovalStore(), answers: [], events: new RecordingEvents(), note: () => {}, deps: { logger: pino({ level: 'silent' }) } as never,
    };
    const started = { incident: {} as never, executionName: 'x', executionArn: 'arn:x', alreadyStarted: false };
    await expect(runExecution(env, started)).rejects.toMatchObject({ name: 'MissingTaskBinding' });
  });
});
