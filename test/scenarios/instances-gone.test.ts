/**
 * Instances terminated mid-fix: a scale-out without a profile, repaired while the group scales back in. The associations
 * of the terminated instances are skipped (audited, no write), the rest of the plan goes on, and Verify does not count
 * a terminated instance as broken.
 */
import { describe, expect, it } from 'vitest';
import { compareWithExpected, type Expected } from '../../handlers/cli/demo.ts';
import { undoIncident } from '../../handlers/core/undo.ts';
import { runBuiltin } from './run-builtin.ts';

const run = () => runBuiltin('scale-out-instances-gone-mid-fix');

describe('a scale-out whose group scales in while it is fixed', () => {
  it('ends fixed: the template and the remaining instances repaired, the terminated ones skipped without a write', async () => {
    const { s, report, account } = await run();
    expect(compareWithExpected(report, s.expected as Expected)).toEqual([]);
    const [incident] = report.incidents;
    expect(incident!.status).toBe('fixed');
    expect(incident!.reason).toMatch(/^verified after \d+s of waiting; 3 instances were terminated before their change \(skipped, nothing written\)$/);
    const gone = s.account.instances!.filter((i) => i.terminatesAt).map((i) => i.id);
    expect(gone).toHaveLength(3);
    const skipped = incident!.actions.filter((a) => a.result === 'skipped');
    expect(skipped.map((a) => a.target).sort()).toEqual([...gone].sort());
    for (const a of skipped) expect(a.detail).toBe(`instance ${a.target} no longer exists (shutting-down)`);
    expect(incident!.actions.filter((a) => a.result === 'done' && a.type === 'associate-profile')).toHaveLength(5);
    expect(report.api.ec2Writes).toBe(7);
    // Every instance still there has its profile; the gone ones are terminated, not broken.
    const snapshot = account.snapshot().instances!;
    expect(snapshot.filter((i) => i.state === 'running' && !i.instanceProfile)).toEqual([]);
    expect(snapshot.filter((i) => gone.includes(i.id)).map((i) => i.state)).toEqual(['shutting-down', 'shutting-down', 'shutting-down']);
  });

  it('audits each skipped change (intent, then result "skipped" with the reason), and the notification says how many were gone', async () => {
    const { audit, report } = await run();
    const key = report.incidents[0]!.key;
    const records = await audit.listIncident(key);
    const skipped = records.filter((r) => r.phase === 'result' && r.result === 'skipped');
    expect(skipped).toHaveLength(3);
    for (const r of skipped) {
      expect(r).toMatchObject({ action: 'associate-profile', before: null, error: null, params: { detail: `instance ${r.target} no longer exists (shutting-down)` } });
      expect(records.some((i) => i.phase === 'intent' && i.target === r.target && i.action === 'associate-profile')).toBe(true);
    }
    // Verify checked the gone instances and did not count them as broken.
    const outcome = records.filter((r) => r.phase === 'decision').at(-1)!.after as { verify: { verified: boolean; evidence: Array<{ summary: string }> } };
    expect(outcome.verify.verified).toBe(true);
    for (const r of skipped) expect(outcome.verify.evidence).toContainEqual(expect.objectContaining({ summary: `${r.target} is shutting-down; nothing to verify` }));
    const final = report.notifications.at(-1)!;
    expect(final.status).toBe('fixed');
    expect(final.email).toMatch(/Why: verified after \d+s of waiting; 3 instances were terminated before their change \(skipped, nothing written\)/);
    expect(final.email!.match(/skipped: associate-profile i-\w+ — instance i-\w+ no longer exists/g)).toHaveLength(3);
    expect(report.outcomeEvents.at(-1)!.detail).toMatchObject({ status: 'fixed', reason: expect.stringMatching(/3 instances were terminated/) });
  });

  it('undo restores the changes made and does nothing for the skipped ones', async () => {
    const { audit, report, account } = await run();
    const key = report.incidents[0]!.key;
    const writesBefore = account.counters.ec2Writes;
    const undo = await undoIncident(account.ports, audit, key, { actor: 'ops', pause: async (n) => account.clock.advance(n) });
    expect(undo.stoppedAt).toBeNull();
    // 5 associations, the default switch and the new version: 7 undone; the 3 skipped ones are not steps at all.
    expect(undo.steps.map((st) => st.type).filter((t) => t === 'associate-profile')).toHaveLength(5);
    expect(undo.steps).toHaveLength(7);
    expect(account.counters.ec2Writes - writesBefore).toBe(7);
  });
});
