/**
 * Each workflow Lambda entry wires every port its step uses: the real stepDeps, with only the adapter
 * modules of handlers/wiring faked. A port an entry forgot would fail here with "… is not wired".
 */
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryApprovalStore } from '../../handlers/adapters/local/approval-store.ts';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { MemoryChangeBudget, MemoryLock } from '../../handlers/adapters/local/budget-and-lock.ts';
import { SimulatedAccount, loadScenarioFile } from '../../handlers/adapters/simulated/index.ts';
import { coalesceIncidents } from '../../handlers/core/intake.ts';
import { classify, extractRecords, incidentKey } from '../../handlers/core/events/index.ts';

const SCENARIO = 'test/fixtures/scenarios/example-launch-without-profile.json';
const fake = vi.hoisted(() => ({ accesses: [], answers: [] } as unknown as {
  account: import('../../handlers/adapters/simulated/index.ts').SimulatedAccount; accesses: string[]; answers: Array<{ token: string; output: any }>;
}));
vi.mock('../../handlers/wiring/account.ts', () => ({ portsFor: (_context: unknown, access: string) => () => { fake.accesses.push(access); return fake.account.ports; } }));
vi.mock('../../handlers/wiring/dynamodb.ts', async () => {
  const { MemoryInstanceLists } = await import('../../handlers/adapters/local/instance-lists.ts');
  const lists = new MemoryInstanceLists();
  const audit = new MemoryAuditStore();
  const budget = new MemoryChangeBudget();
  const lock = new MemoryLock();
  const approvals = new MemoryApprovalStore();
  return { auditStore: () => audit, changeBudget: () => budget, changeLock: () => lock, approvalStore: () => approvals, instanceListStore: () => lists };
});
vi.mock('../../handlers/wiring/workflow.ts', () => ({ workflowPort: () => ({ sendTaskSuccess: async (token: string, output: unknown) => { fake.answers.push({ token, output }); } }) }));
vi.mock('../../handlers/wiring/notifier.ts', () => ({ snsNotifier: () => fake.account.notifier }));

const scenario = loadScenarioFile(SCENARIO);
vi.stubEnv('CONFIG', JSON.stringify(scenario.config));
vi.stubEnv('LOG_LEVEL', 'silent');
const entry = async (name: string) => (await import(`../../handlers/${name}.ts`)).handler as (event: unknown, context: Context) => Promise<any>;

const execution = { name: 'exec-1', id: 'arn:aws:states:eu-central-1:210987654321:execution:iam-autoheal-remediate:exec-1' };
const context = { invokedFunctionArn: 'arn:aws:lambda:eu-central-1:210987654321:function:f' } as Context;

describe('Lambda entries with the real stepDeps', () => {
  beforeAll(() => { fake.account = new SimulatedAccount(scenario); });

  it('diagnose, guard, apply, verify, record, notify and request-approval each get the ports their step uses', async () => {
    const keyed = scenario.events.flatMap((e) => extractRecords(e, 'scenario')).map((r) => {
      const classification = classify(r);
      return { key: incidentKey(classification), classification };
    });
    const incident = coalesceIncidents(keyed).incidents[0]!;
    const { diagnosis } = await (await entry('diagnose'))({ incident, execution }, context);
    const guarded = await (await entry('guard'))({ incident, diagnosis, execution }, context);
    const progress = { next: 0, done: false, results: [], writes: { iam: 0, ec2: 0 } };
    const applied = await (await entry('apply'))({ incident, diagnosis, actions: guarded.actions, progress, execution }, context);
    expect(applied).toMatchObject({ done: true, writes: { ec2: 1 } });
    const verified = await (await entry('verify'))({ incident, diagnosis, wait: guarded.wait, execution }, context);
    expect(verified).toHaveProperty('verified');
    const state = { incident, diagnose: { diagnosis, fixable: true }, apply: applied, verify: verified, route: { path: 'verified' } };
    const outcome = await (await entry('record'))({ state, execution }, context);
    await (await entry('notify'))({ state: { ...state, outcome }, execution }, context);
    await (await entry('request-approval'))({ taskToken: 'T', incident, diagnosis, decision: guarded.decision, approvalTimeoutSeconds: 60, execution }, context);
    expect(fake.account.notifier.messages).toHaveLength(2);
    // In a hub, only apply reaches a member through its write role; diagnose and verify use the read role.
    expect(fake.accesses).toEqual(['read', 'write', 'read']);
  });

  it('answer: a queue message from the Slack channel role approves the request with its SenderId, once; the token stays server-side', async () => {
    vi.stubEnv('CHANNEL_ROLE_ID', 'AROAEXAMPLECHANNEL01');
    vi.stubEnv('SLACK_CHANNEL', 'C0123ABCD');
    const request = fake.account.notifier.messages.at(-1)!;
    const context_ = JSON.parse(request.body).metadata.additionalContext;
    expect(request.body).not.toContain('"T"');
    const message = (id: string, senderId: string) => ({ messageId: id, body: `approve/${context_.incident}/${context_.approval}`, attributes: { SenderId: senderId } });
    const answer = await entry('answer');
    const result = await answer({ Records: [message('m-1', 'AROAEXAMPLECHANNEL01:AWSChatbot-session'), message('m-2', 'AROAOTHERROLE0000001:someone')] }, context);
    expect(result).toEqual({ batchItemFailures: [] });
    // Exactly one SendTaskSuccess, with the token from the store and who the platform says sent it.
    expect(fake.answers).toEqual([{ token: 'T', output: expect.objectContaining({ approved: true, by: 'Slack channel C0123ABCD (AWS Chatbot channel role) (AROAEXAMPLECHANNEL01:AWSChatbot-session)', approvalId: context_.approval }) }]);
    const replies = fake.account.notifier.messages.slice(-2).map((m) => JSON.parse(m.body));
    expect(replies[0].content.description).toMatch(/^approved by Slack channel C0123ABCD/);
    expect(replies[1].content.description).toMatch(/already approved by Slack channel C0123ABCD .* your answer was not recorded/);
    expect(replies.map((r) => r.metadata.threadId)).toEqual([context_.incident, context_.incident]);
    // A message nobody can answer (bad body) is refused in the log, not retried.
    expect(await answer({ Records: [{ messageId: 'm-3', body: 'approve/x', attributes: { SenderId: 'AROAX:y' } }] }, context)).toEqual({ batchItemFailures: [] });
  });
});
