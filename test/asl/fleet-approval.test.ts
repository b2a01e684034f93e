/**
 * A fleet incident that needs a person: one approval covers the same change for the later batches (never another change),
 * and an approval given past the hourly change budget lets the batches go past it, each change still charged.
 */
import { describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { parseScenario } from '../../handlers/adapters/simulated/index.ts';
import { scaleOutScenario } from '../../handlers/bench/storm-scenarios.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';

type Json = ReturnType<typeof scaleOutScenario>;

async function run(json: Json) {
  const audit = new MemoryAuditStore();
  const report = await runScenario(parseScenario(json, 'fleet approval test'), { audit });
  const instances = (report.account as { instances: Array<{ instanceProfile: string | null }> }).instances;
  const requests = report.notifications.filter((n) => n.status === 'awaiting-approval');
  return { report, audit, requests, leftBroken: instances.filter((i) => i.instanceProfile === null).length };
}

function scaleOut(instances: number, mode: 'auto' | 'approve', ec2Budget?: number): Json {
  const json = scaleOutScenario({ instances, windowSeconds: 60, propagationSeconds: 5 });
  // Batch 1 repairs the template (stale-launch-template); later batches find the template fixed and only instances without a profile.
  json.config.modes = { ...json.config.modes, 'stale-launch-template': mode, 'no-instance-profile': mode };
  if (ec2Budget) json.config.limits = { ...(json.config.limits ?? {}), ec2ChangesPerAccountPerHour: ec2Budget };
  json.approvals = 'approve';
  return json;
}

describe('a fleet of 301 instances in approve mode', () => {
  it('asks once, in its first batch, and the approval covers the other batches', async () => {
    const { report, requests, leftBroken, audit } = await run(scaleOut(301, 'approve'));
    expect(report.incidents).toHaveLength(1);
    expect(report.incidents[0]).toMatchObject({ status: 'fixed' });
    expect(leftBroken).toBe(0);
    expect(requests).toHaveLength(1);
    // The request says what an answer covers.
    expect(requests[0]!.email).toMatch(/fleet of 301 instances \(batch 1 of 4\): an approval also covers the same change for the instances of the 3 batches after it/);
    expect(report.answers.filter((a) => a.ok)).toHaveLength(1);
    // Each later batch records that it ran under that approval, naming who gave it.
    const records = await audit.listIncident(report.incidents[0]!.key);
    const batchOutcomes = records.filter((r) => r.phase === 'decision' && /-b\d+$/.test(r.executionName) && String(r.params?.['summary']).startsWith('outcome:'));
    const guardReasons = batchOutcomes.map((r) => String((r.after as { guard: { reason: string } }).guard.reason));
    expect(guardReasons).toHaveLength(4);
    for (const reason of guardReasons.slice(1)) expect(reason).toMatch(/^Approved for this incident by scenario approver at .* \(ap-[0-9a-z]{10}\) in an earlier batch: the same change for \d+ more of its instances; applying\. Without that approval: Mode for no-instance-profile is approve/);
  });

});

describe('a fleet past the hourly EC2 change budget', () => {
  it('asks when the budget runs out; approved past it, the rest of the fleet is fixed without asking again', async () => {
    // 301 instances need 303 EC2 writes; the budget allows 150 an hour: batch 1 (102 writes) fits, batch 2 does not.
    const { report, requests, leftBroken } = await run(scaleOut(301, 'auto', 150));
    expect(report.incidents[0]).toMatchObject({ status: 'fixed' });
    expect(leftBroken).toBe(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.email).toMatch(/change budget exhausted: .*batch 2 of 4\): an approval also covers the same change for the instances of the 2 batches after it, past the hourly budget\./);
    // Every change is charged, past the budget too.
    expect(report.api.ec2Writes).toBe(303);
  });

  it('asks again past the budget when the approval it carries was given within it', async () => {
    // Approve mode: batch 1 is approved within the budget; batch 2 is past it, which that approval did not cover.
    const { report, requests, leftBroken } = await run(scaleOut(301, 'approve', 150));
    expect(report.incidents[0]).toMatchObject({ status: 'fixed' });
    expect(leftBroken).toBe(0);
    expect(requests.map((r) => /change budget exhausted/.test(r.email ?? ''))).toEqual([false, true]);
  });

  it('without an answer, stops at the budget: the batches before it are fixed, the rest waits', async () => {
    const json = scaleOut(301, 'auto', 150);
    json.approvals = 'none';
    const { report, requests, leftBroken } = await run(json);
    expect(requests).toHaveLength(1);
    expect(report.incidents[0]!.status).toBe('awaiting-approval');
    expect(leftBroken).toBe(201);
    expect(report.api.ec2Writes).toBe(102);
  });
});
