/** A fleet in one incident: its list in the state table, one child execution per batch, on the real ASL and the local runner. */
import { describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { parseScenario } from '../../handlers/adapters/simulated/index.ts';
import { scaleOutScenario } from '../../handlers/bench/storm-scenarios.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';

describe('a scale-out of 201 instances from a template without a profile', () => {
  it('is fixed in one incident by three child executions (batches of 100) that notify nothing themselves', async () => {
    // One more than one execution plans: the smallest fleet.
    const json = scaleOutScenario({ instances: 201, windowSeconds: 60, propagationSeconds: 5 });
    const audit = new MemoryAuditStore();
    const steps: string[] = [];
    const report = await runScenario(parseScenario(json, 'fleet test'), { audit, onTimeline: (e) => steps.push(`${e.step}: ${e.text}`) });

    expect(report.incidents).toHaveLength(1);
    const [incident] = report.incidents;
    expect(incident).toMatchObject({ cause: 'stale-launch-template', status: 'fixed' });
    expect(incident!.reason).toMatch(/^all 3 batches of 100 verified \(201 instances\)/);
    // The template fix once, and one line for the 250 associations (the outcome does not grow with the fleet).
    expect(incident!.actions.map((a) => `${a.type} ${a.target} ${a.result}`)).toEqual([
      'create-launch-template-version lt-07a0b5cea4ece8ffd done',
      'set-default-launch-template-version lt-07a0b5cea4ece8ffd done',
      'associate-profile 201 instances done',
    ]);
    const instances = (report.account as { instances: Array<{ instanceProfile: string | null }> }).instances;
    expect(instances.filter((i) => i.instanceProfile === null)).toHaveLength(0);
    expect(report.api.ec2Writes).toBe(203);

    // Three children, each with its own history and state; the incident's own execution holds no instance list (its
    // largest state: the incident, the cursor, and at the end the first batch's diagnosis for the message).
    expect(incident!.childExecutions).toMatchObject({ count: 3 });
    expect(incident!.largestStateBytes).toBeLessThan(8 * 1024);
    expect(incident!.childExecutions!.largestStateBytes).toBeLessThan(128 * 1024);
    expect(steps.filter((s) => s.startsWith('RunBatch: child execution'))).toHaveLength(3);

    // One notification and one outcome event for the incident, none per batch.
    expect(report.notifications.map((n) => n.status)).toEqual(['fixed']);
    // It names the cause and the evidence of the first batch's diagnosis (the incident's own execution diagnoses nothing).
    expect(report.notifications[0]!.email).toMatch(/stale-launch-template: /);
    expect(report.notifications[0]!.email).not.toMatch(/not diagnosed/);
    expect(report.notifications[0]!.subject).toMatch(/stale-launch-template/);
    expect(report.outcomeEvents).toHaveLength(1);

    // Each child recorded its batch's outcome; the incident's own record counts them.
    const records = await audit.listIncident(incident!.key);
    const outcomes = records.filter((r) => r.phase === 'decision' && String(r.params?.['summary']).startsWith('outcome:'));
    // Children are named <hash of the incident's execution name>-b<batch>: within 80 characters whatever that name.
    const prefix = outcomes[0]!.executionName.slice(0, -3);
    expect(prefix).toMatch(/^[0-9a-f]{64}$/);
    expect(outcomes.map((r) => r.executionName)).toEqual([`${prefix}-b0`, `${prefix}-b1`, `${prefix}-b2`, incident!.executionName]);
    expect((outcomes[3]!.after as { fleet: { recorded: unknown[] } }).fleet.recorded).toEqual([
      { batch: 0, status: 'fixed' }, { batch: 1, status: 'fixed' }, { batch: 2, status: 'fixed' },
    ]);
  });
});
