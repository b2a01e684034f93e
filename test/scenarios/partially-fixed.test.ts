/**
 * Partial remediation by scope: a scale-out from a launch template without the opt-in tag. The tagged instances are
 * associated and verified; the template's repair is left for a person, proposed, and never written.
 */
import { describe, expect, it } from 'vitest';
import { undoIncident } from '../../handlers/core/undo.ts';
import { runBuiltin } from './run-builtin.ts';

const run = () => runBuiltin('launch-template-untagged-partially-fixed');

describe('a scale-out from an untagged launch template', () => {
  it('associates every tagged instance, writes nothing to the template, and ends partially-fixed', async () => {
    const { s, report, account } = await run();
    const [incident] = report.incidents;
    expect(incident!.status).toBe('partially-fixed');
    expect(incident!.reason).toMatch(/2 change\(s\) the service may not make \(out of scope, or never made by it\) are left for a person: create-launch-template-version lt-/);
    const before = s.account.launchTemplates![0]!;
    const after = account.snapshot().launchTemplates!.find((t) => t.id === before.id)!;
    // Nothing outside scope is ever written: the template has the same versions and default as before.
    expect(after.versions.map((v) => v.number)).toEqual(before.versions.map((v) => v.number));
    expect(after.defaultVersion).toBe(before.defaultVersion);
    const withoutProfile = account.snapshot().instances!.filter((i) => i.state === 'running' && !i.instanceProfile);
    expect(withoutProfile).toEqual([]);
    const done = incident!.actions.filter((a) => a.result === 'done');
    expect(done).toHaveLength(8);
    expect(done.every((a) => a.type === 'associate-profile')).toBe(true);
    expect(incident!.actions.filter((a) => a.result === 'deferred').map((a) => a.type)).toEqual(['create-launch-template-version', 'set-default-launch-template-version']);
    expect(report.api.ec2Writes).toBe(8);
  });

  it('tells the person what is left, with the proposed change, in the notification', async () => {
    const { report } = await run();
    const final = report.notifications.at(-1)!;
    expect(final.status).toBe('partially-fixed');
    expect(final.subject).toMatch(/partly fixed; the rest needs a person/);
    expect(final.email).toMatch(/for a person \(not applied\): create-launch-template-version lt-\w+ with profile web-frontend — out of scope: launch template lt-\w+ is not tagged iam-autoheal=on/);
    expect(final.email).toMatch(/Make the 2 change\(s\) marked "for a person"/);
  });

  it('records the deferred changes on the audit trail, and undo restores only what was applied', async () => {
    const { audit, report, account } = await run();
    const key = report.incidents[0]!.key;
    const outcome = (await audit.listIncident(key)).filter((r) => r.phase === 'decision').at(-1)!;
    const data = outcome.after as { status: string; guard: { deferred: Array<{ action: { type: string; params: Record<string, unknown> } }> } };
    expect(data.status).toBe('partially-fixed');
    expect(data.guard.deferred.map((d) => d.action.type)).toEqual(['create-launch-template-version', 'set-default-launch-template-version']);
    expect(data.guard.deferred[0]!.action.params).toMatchObject({ profileName: 'web-frontend' });
    const undo = await undoIncident(account.ports, audit, key, { actor: 'ops', pause: async (n) => account.clock.advance(n) });
    expect(undo.stoppedAt).toBeNull();
    expect(undo.steps).toHaveLength(8);
    const bare = account.snapshot().instances!.filter((i) => i.state === 'running' && !i.instanceProfile);
    expect(bare).toHaveLength(8);
  });
});
