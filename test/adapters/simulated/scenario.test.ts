import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { loadScenarioFile, parseScenario, scenarioStartTime, ScenarioError } from '../../../handlers/adapters/simulated/scenario.ts';
import { buildScenario } from './build-scenario.ts';

const EXAMPLE = 'test/fixtures/scenarios/example-launch-without-profile.json';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('scenario files', () => {
  it('loads the example scenario with its account, physics, config defaults and events', () => {
    const scenario = loadScenarioFile(EXAMPLE);
    expect(scenario.account.instances[0]).toMatchObject({ id: 'i-0c1d2e3f4a5b6c7d8', instanceProfile: null, state: 'running' });
    expect(scenario.physics.propagationSeconds).toBe(4);
    expect(scenario.config.modes['no-instance-profile']).toBe('auto');
    expect(scenario.config.modes['missing-permission']).toBe('approve');
    expect(scenario.events).toHaveLength(1);
    expect(scenarioStartTime(scenario).toISOString()).toBe('2026-10-02T08:03:40.000Z');
  });

  it('names the file, the field path and the problem for an invalid scenario', () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'x', account: { accountId: '12', region: 'eu-west-1' } }, 'bad.json: account.accountId: account ids are 12 digits'],
      [{ name: 'x', account: { accountId: '111122223333', region: 'r', instanceProfiles: [{ name: 'p', roles: ['ghost'] }] } }, 'bad.json: account.instanceProfiles[0].roles[0]: unknown role "ghost"'],
      [{ name: 'x', account: { accountId: '111122223333', region: 'r', instanceProfiles: [{ name: 'p', roles: ['a', 'b'] }] } }, 'bad.json: account.instanceProfiles[0].roles: an instance profile holds at most one role'],
      [{ name: 'x', account: { accountId: '111122223333', region: 'r' }, physics: { faults: [{ api: 'associate', error: 'X' }] } }, 'bad.json: physics.faults[0].api: unknown API "associate" (an SDK operation name'],
      [{ name: 'x', account: { accountId: '111122223333', region: 'r' }, config: { modes: { 'no-such-cause': 'auto' } } }, 'bad.json: config: modes.no-such-cause: unknown cause'],
      [{ name: 'x', account: { accountId: '111122223333', region: 'r', instances: [{ id: 'i-0abc', instanceProfile: 'ghost' }] } }, 'bad.json: account.instances[0].instanceProfile: unknown instance profile "ghost"'],
      [{ name: 'x', account: { accountId: '111122223333', region: 'r' }, aproovals: 'approve' }, 'bad.json: (document): Unrecognized key: "aproovals"'],
      [{ name: 'x', account: { accountId: '111122223333', region: 'r' }, events: [{}, {}], delivery: [0] }, 'bad.json: delivery: one offset per event expected (2 event(s), 1 offset(s))'],
      [{ name: 'x', account: { accountId: '111122223333', region: 'r' }, changes: [{ by: 'jo', call: 'iam.updateAssumeRolePolicy', args: [] }] }, 'bad.json: changes[0].afterSeconds:'],
    ];
    for (const [doc, message] of cases) {
      const err = errorOf(() => parseScenario(doc, 'bad.json'));
      expect(err).toBeInstanceOf(ScenarioError);
      expect(err.name).toBe('ScenarioError');
      expect(err.message).toContain(message);
    }
  });

  it('says when a file cannot be read or is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "name": ');
    expect(errorOf(() => loadScenarioFile(broken)).message).toMatch(/broken\.json: invalid JSON/);
    expect(errorOf(() => loadScenarioFile(join(dir, 'missing.json'))).message).toMatch(/missing\.json: cannot read the file \(ENOENT\)/);
  });

  it('starts the clock at physics.startTime, else at the first event time in any envelope', () => {
    const base = { physics: { propagationSeconds: 5, iamWritesPerSecond: 5, faults: [], associationSeconds: 2, credentialRefreshSeconds: 3600, eventHistorySeconds: 300 } };
    expect(scenarioStartTime({ ...base, events: [{ detail: { eventTime: '2026-01-02T03:04:05Z' } }] }).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(scenarioStartTime({ ...base, events: [{ Records: [{ eventTime: '2026-01-02T03:04:06Z' }] }] }).toISOString()).toBe('2026-01-02T03:04:06.000Z');
    expect(scenarioStartTime({ ...base, events: [{ time: '2026-01-02T03:04:07Z' }] }).toISOString()).toBe('2026-01-02T03:04:07.000Z');
    expect(scenarioStartTime({ physics: { ...base.physics, startTime: '2026-05-05T00:00:00Z' }, events: [{ eventTime: '2026-01-02T03:04:05Z' }] }).toISOString()).toBe('2026-05-05T00:00:00.000Z');
  });

  it('gives back its final state in the scenario shape, which parses again to the same state', async () => {
    const account = new SimulatedAccount(buildScenario({ account: { launchTemplates: [{ id: 'lt-01', name: 'web', defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }] }] } }));
    await account.ports.ec2.associateProfile('i-0aaa1111bbbb2222c', { name: 'app' });
    await account.ports.iam.attachRolePolicy('app', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    await account.ports.ec2.createLaunchTemplateVersion('lt-01', 1, { name: 'app' }, 'with profile');
    account.clock.advance(10);
    const snapshot = account.snapshot();
    expect(snapshot.instances![0]).toMatchObject({ instanceProfile: 'app', associatedAt: '2026-10-02T08:00:00.000Z' });
    expect(snapshot.roles![0]!.managedPolicies).toEqual([{ arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', updatedAt: '2026-10-02T08:00:00.000Z' }]);
    expect(snapshot.launchTemplates![0]!.versions).toHaveLength(2);

    const reloaded = new SimulatedAccount(parseScenario({ name: 'again', account: snapshot, physics: { startTime: '2026-10-02T08:00:10Z' } }, 'snapshot'));
    expect(reloaded.snapshot()).toEqual(snapshot);
    expect((await reloaded.instanceCanCall('i-0aaa1111bbbb2222c', 'ssm:UpdateInstanceInformation')).allowed).toBe(true);
  });
});
