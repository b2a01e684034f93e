/**
 * Approvals answered through the answer path (handlers/core/answer.ts) in the simulation: the token never leaves the
 * approval store, one answer per request, late and unknown answers refused, undo only of what is applied, replies in
 * the incident's thread.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryApprovalStore } from '../../handlers/adapters/local/approval-store.ts';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { parseScenario, type Scenario } from '../../handlers/adapters/simulated/index.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';

const EXAMPLE = 'test/fixtures/scenarios/example-launch-without-profile.json';
const INSTANCE = 'i-0c1d2e3f4a5b6c7d8';
const ALICE = 'arn:aws:sts::210987654321:assumed-role/oncall/alice';
const BOB = 'arn:aws:sts::210987654321:assumed-role/oncall/bob';

function scenario(approvals: unknown, change: (json: any) => void = () => {}): Scenario {
  const json = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  json.config.modes['no-instance-profile'] = 'approve';
  json.config.approvalTimeoutSeconds = 3600;
  json.approvals = approvals;
  change(json);
  return parseScenario(json, EXAMPLE);
}

function profileOf(account: unknown): string | null {
  return (account as { instances: Array<{ id: string; instanceProfile: string | null }> }).instances.find((i) => i.id === INSTANCE)!.instanceProfile;
}

async function run(approvals: unknown, change?: (json: any) => void) {
  const approvalStore = new MemoryApprovalStore();
  const audit = new MemoryAuditStore();
  const report = await runScenario(scenario(approvals, change), { approvals: approvalStore, audit });
  return { report, approvalStore, audit };
}

describe('answers through the answer path (simulation)', () => {
  it('approve: the workflow gets the answer of the authenticated caller, the thread gets "approved by", the audit trail says who', async () => {
    const { report, approvalStore, audit } = await run([{ action: 'approve', by: ALICE, afterSeconds: 120 }]);
    expect(report.incidents[0]).toMatchObject({ status: 'fixed' });
    expect(profileOf(report.account)).toBe('batch-worker');
    expect(report.answers).toEqual([expect.objectContaining({ action: 'approve', by: ALICE, ok: true })]);
    const [request, reply] = report.notifications;
    const approvalId = (request!.chatbot as any).metadata.additionalContext.approval;
    expect(approvalId).toMatch(/^ap-[0-9a-z]{10}$/);
    // The reply is threaded with the request, and says who.
    expect((reply!.chatbot as any).metadata.threadId).toBe((request!.chatbot as any).metadata.threadId);
    expect((reply!.chatbot as any).content.description).toContain(`approved by ${ALICE}`);
    const key = report.incidents[0]!.key;
    const decision = (await audit.listIncident(key)).find((r) => r.phase === 'decision' && String(r.params?.['summary']).startsWith('approved by'));
    expect(decision).toMatchObject({ actor: ALICE, after: { answer: { decision: 'approve', approvalId, by: ALICE, authenticatedBy: 'simulated caller' } } });
    // Answered: the token is gone from the store too.
    expect(approvalStore.all()).toEqual([expect.objectContaining({ approvalId, taskToken: null, answer: expect.objectContaining({ decision: 'approve', by: ALICE }) })]);
  });

  it('no message published carries a task token or an AWS CLI command to paste', async () => {
    const { report, approvalStore } = await run([{ action: 'reject', by: ALICE, reason: 'not during the freeze' }]);
    const token = `local-task-token:${report.incidents[0]!.executionName}`;
    expect(report.notifications.length).toBeGreaterThan(1);
    for (const n of report.notifications) {
      const text = JSON.stringify(n);
      expect(text).not.toContain(token);
      expect(text).not.toContain('local-task-token');
      expect(text).not.toMatch(/send-task-success|task-token/);
    }
    expect(approvalStore.all()[0]!.taskToken).toBeNull();
  });

  it('reject: nothing changes, the outcome says who rejected and why', async () => {
    const { report } = await run([{ action: 'reject', by: BOB, reason: 'not during the freeze' }]);
    expect(report.incidents[0]).toMatchObject({ status: 'rejected', actions: [] });
    expect(report.incidents[0]!.reason).toBe(`rejected by ${BOB}: not during the freeze`);
    expect(report.api).toMatchObject({ ec2Writes: 0, iamWrites: 0 });
    expect(report.notifications.map((n) => n.status)).toEqual(['awaiting-approval', 'answer-reject', 'rejected']);
  });

  it('a double answer: exactly one reaches the workflow, the second is told who was first', async () => {
    const { report } = await run([{ action: 'approve', by: ALICE, afterSeconds: 10 }, { action: 'reject', by: BOB, afterSeconds: 11 }]);
    expect(report.incidents[0]).toMatchObject({ status: 'fixed' });
    expect(report.answers.map((a) => [a.by, a.ok, a.refusal])).toEqual([[ALICE, true, undefined], [BOB, false, 'answered']]);
    expect(report.answers[1]!.message).toMatch(new RegExp(`already approved by ${ALICE.replace(/[/:]/g, '.')} at 20`));
    const refusal = report.notifications.find((n) => n.status === 'answer-reject')!;
    expect((refusal.chatbot as any).content.title).toContain('reject refused');
  });

  it('a late answer is refused with the expiry, and the request expires: nothing changes', async () => {
    const { report } = await run([{ action: 'approve', by: ALICE, afterSeconds: 7200 }]);
    expect(report.answers[0]).toMatchObject({ ok: false, refusal: 'expired' });
    expect(report.answers[0]!.message).toMatch(/expired at .* nothing was changed/);
    expect(report.incidents[0]).toMatchObject({ status: 'rejected', actions: [] });
    expect(report.incidents[0]!.reason).toMatch(/expired after 3600s/);
    expect(profileOf(report.account)).toBeNull();
  });

  it('an unknown approval id is refused and changes nothing', async () => {
    const { report } = await run([{ action: 'approve', by: ALICE, approvalId: 'ap-zzzzzzzzzz' }]);
    expect(report.answers[0]).toMatchObject({ ok: false, refusal: 'unknown-approval' });
    expect(report.answers[0]!.message).toContain('no approval ap-zzzzzzzzzz');
    expect(report.incidents[0]).toMatchObject({ status: 'rejected' });
    expect(report.api.ec2Writes).toBe(0);
  });

  it('undo after the fix restores the account, replies "undone by", and a second undo is refused: nothing is applied any more', async () => {
    const { report, audit } = await run([
      { action: 'approve', by: ALICE },
      { action: 'undo', by: BOB, afterSeconds: 600 },
      { action: 'undo', by: ALICE, afterSeconds: 700 },
    ]);
    expect(report.incidents[0]).toMatchObject({ status: 'fixed' });
    expect(profileOf(report.account)).toBeNull();
    expect(report.answers.map((a) => [a.action, a.by, a.ok, a.refusal])).toEqual([
      ['approve', ALICE, true, undefined], ['undo', BOB, true, undefined], ['undo', ALICE, false, 'nothing-to-undo'],
    ]);
    const undone = report.notifications.find((n) => n.status === 'answer-undo')!;
    expect((undone.chatbot as any).content.description).toContain(`undone by ${BOB}`);
    expect((undone.chatbot as any).metadata.threadId).toBe(report.incidents[0]!.key);
    const undoRecords = (await audit.listIncident(report.incidents[0]!.key)).filter((r) => r.phase === 'undo-result');
    expect(undoRecords).toEqual([expect.objectContaining({ result: 'undone', actor: BOB })]);
  });

  it('undo of an incident that changed nothing is refused: nothing is recorded as applied', async () => {
    const { report } = await run([{ action: 'reject', by: ALICE }, { action: 'undo', by: BOB, afterSeconds: 60 }]);
    expect(report.answers[1]).toMatchObject({ action: 'undo', ok: false, refusal: 'nothing-to-undo' });
    expect(report.api).toMatchObject({ ec2Writes: 0, iamWrites: 0 });
  });

  it('details: replies with the audit trail in the thread, changing nothing', async () => {
    const { report } = await run([{ action: 'approve', by: ALICE }, { action: 'details', by: BOB, afterSeconds: 5 }]);
    const reply = report.notifications.find((n) => n.status === 'answer-details')!;
    expect((reply.chatbot as any).content.description).toMatch(/associate-profile i-0c1d2e3f4a5b6c7d8: done/);
    expect(profileOf(report.account)).toBe('batch-worker');
  });

  it('scenario answers are validated: an unknown action names the field', () => {
    expect(() => scenario([{ action: 'merge', by: ALICE }])).toThrow(/approvals/);
  });
});
