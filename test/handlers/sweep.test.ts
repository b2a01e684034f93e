import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { MemoryChangeBudget, MemoryLock } from '../../handlers/adapters/local/budget-and-lock.ts';
import { RecordingWorkflow } from '../../handlers/adapters/local/recorders.ts';
import { SimulatedAccount, parseScenario, type Scenario } from '../../handlers/adapters/simulated/index.ts';
import type { Incident } from '../../handlers/core/incident.ts';
import { mergeEc2Trust } from '../../handlers/core/policy/trust.ts';
import { remediationFor } from '../../handlers/core/remediations/index.ts';
import { diagnoseStep } from '../../handlers/steps/diagnose.ts';
import { guardStep } from '../../handlers/steps/guard.ts';
import { sweepStep, sweepTargets } from '../../handlers/steps/sweep.ts';

const ACCOUNT = '210987654321';
const REGION = 'eu-central-1';
const TARGET = [{ accountId: ACCOUNT, region: REGION }];
const OPT_IN = { 'iam-autoheal': 'on' };
const BARE = 'i-0c1d2e3f4a5b6c7d8';
const LEGACY_RUNNING = 'i-0a1a1a1a1a1a1a1a1';
const LEGACY_STOPPED = 'i-0b2b2b2b2b2b2b2b2';
const trustOf = (service: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
const role = (name: string, service: string) => ({ name, trustPolicy: trustOf(service), managedPolicies: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'], tags: OPT_IN });

/**
 * One running instance without a profile; "legacy-app" lost EC2 trust and its profile is used by a running
 * and a stopped instance; "idle" lost it too but no instance uses its profile; "shared" lost it but only an
 * instance outside the opt-in tag uses it; "batch-worker" is healthy.
 */
function fleet(physics: Record<string, unknown> = {}): Scenario {
  return parseScenario({
    name: 'sweep fleet',
    approvals: 'none',
    account: {
      accountId: ACCOUNT,
      region: REGION,
      roles: [role('batch-worker', 'ec2.amazonaws.com'), role('legacy-app', 'lambda.amazonaws.com'), role('idle', 'lambda.amazonaws.com'), role('shared', 'ecs-tasks.amazonaws.com')],
      instanceProfiles: [
        { name: 'batch-worker', roles: ['batch-worker'] }, { name: 'legacy-app', roles: ['legacy-app'] },
        { name: 'idle', roles: ['idle'] }, { name: 'shared', roles: ['shared'] },
      ],
      instances: [
        { id: BARE, state: 'running', instanceProfile: null, tags: OPT_IN },
        { id: LEGACY_STOPPED, state: 'stopped', instanceProfile: 'legacy-app', associatedAt: '2026-09-01T00:00:00Z', tags: OPT_IN },
        { id: LEGACY_RUNNING, state: 'running', instanceProfile: 'legacy-app', associatedAt: '2026-09-01T00:00:00Z', tags: OPT_IN },
        { id: 'i-0d4d4d4d4d4d4d4d4', state: 'running', instanceProfile: 'batch-worker', associatedAt: '2026-09-01T00:00:00Z', tags: OPT_IN },
        { id: 'i-0e5e5e5e5e5e5e5e5', state: 'running', instanceProfile: 'shared', associatedAt: '2026-09-01T00:00:00Z', tags: { team: 'data' } },
        { id: 'i-0f6f6f6f6f6f6f6f6', state: 'running', instanceProfile: null, tags: { team: 'data' } },
      ],
    },
    physics: { propagationSeconds: 4, startTime: '2026-10-02T08:00:00Z', ...physics },
    config: {
      modes: { 'no-instance-profile': 'auto', 'trust-missing-ec2': 'auto' },
      baselineInstanceProfile: 'batch-worker',
      scope: { tag: { key: 'iam-autoheal', value: 'on' }, accounts: [ACCOUNT], regions: [REGION] },
    },
  }, 'sweep-fleet.json');
}

const logger = pino({ level: 'silent' });
let scenario: Scenario;
let account: SimulatedAccount;

beforeEach(() => {
  scenario = fleet();
  account = new SimulatedAccount(scenario);
});

function deps(workflow = new RecordingWorkflow()) {
  return { config: scenario.config, workflow, portsFor: () => account.ports, clock: account.clock, logger };
}

async function diagnosisOf(incident: Incident) {
  const stepDeps = { ...deps(), audit: new MemoryAuditStore(), budget: new MemoryChangeBudget(), lock: new MemoryLock(), notifier: account.notifier };
  return (await diagnoseStep(stepDeps, { incident, execution: { name: 'sweep', id: 'sweep' } })).diagnosis;
}

describe('sweepStep on the simulated account', () => {
  it('starts one execution per root cause: the in-scope instances without a profile, and the in-use role that lost EC2 trust', async () => {
    const workflow = new RecordingWorkflow();
    const summary = await sweepStep(deps(workflow), TARGET);
    expect(summary.checked).toBe(4); // opt-in tag, running or stopped
    expect(workflow.started).toHaveLength(2);
    const [bare, trust] = summary.started.map((s) => s.incident);
    expect(bare).toMatchObject({ kind: 'sweep', accountId: ACCOUNT, instanceIds: [BARE] });
    // Running instance first: it is the subject; idle (unused profile) and shared (out of scope) are left alone.
    expect(trust).toMatchObject({ kind: 'sweep', accountId: ACCOUNT, instanceIds: [LEGACY_RUNNING, LEGACY_STOPPED] });
    expect(trust!.trigger.principal.roleName).toBe('legacy-app');
    expect(account.calls.map((c) => c.api)).toEqual(['DescribeInstances', 'ListInstanceProfiles', 'GetRole', 'GetRole']);
  });

  it('gives incidents the diagnosis reads as no-instance-profile and trust-missing-ec2, with the plans that fix them', async () => {
    const { started } = await sweepStep(deps(), TARGET);
    const bare = await diagnosisOf(started[0]!.incident);
    expect(bare.cause).toBe('no-instance-profile');
    expect(bare.plan[0]).toMatchObject({ type: 'associate-profile', target: BARE });
    const trust = await diagnosisOf(started[1]!.incident);
    expect(trust.cause).toBe('trust-missing-ec2');
    expect(trust.plan).toEqual([expect.objectContaining({ type: 'merge-trust', target: 'legacy-app' })]);
    expect(trust.subject).toMatchObject({ roleName: 'legacy-app', ec2Delivered: true, instanceIds: [LEGACY_RUNNING, LEGACY_STOPPED] });
  });

  it('counts a second sweep in the same window as duplicates, and starts nothing once both are fixed', async () => {
    const workflow = new RecordingWorkflow();
    await sweepStep(deps(workflow), TARGET);
    expect((await sweepStep(deps(workflow), TARGET)).duplicates).toBe(2);
    await account.ports.ec2.associateProfile(BARE, { name: 'batch-worker' });
    const legacy = (await account.ports.iam.getRole('legacy-app'))!;
    await account.ports.iam.updateAssumeRolePolicy('legacy-app', mergeEc2Trust(legacy.trustPolicy).document);
    account.clock.advance(3600);
    expect((await sweepStep(deps(workflow), TARGET)).started).toEqual([]);
    expect(workflow.started).toHaveLength(2);
  });

  it('starts one execution per role even when two regions of the account use it (IAM is global)', async () => {
    const workflow = new RecordingWorkflow();
    const summary = await sweepStep(deps(workflow), [...TARGET, { accountId: ACCOUNT, region: 'eu-west-1' }]);
    const trust = summary.started.filter((s) => s.incident.trigger.principal.roleName === 'legacy-app');
    expect(trust.map((s) => s.alreadyStarted)).toEqual([false, true]);
    expect(new Set(trust.map((s) => s.executionName)).size).toBe(1);
  });

  it('lets a throttled inventory fail the run, to be retried by the schedule', async () => {
    scenario = fleet({ faults: [{ api: 'DescribeInstances', error: 'RequestLimitExceeded', times: 1 }] });
    account = new SimulatedAccount(scenario);
    await expect(sweepStep(deps(), TARGET)).rejects.toMatchObject({ name: 'Throttling' });
  });
});

describe('sweepStep groups by root cause, as intake does', () => {
  const template = (id: string) => ({ id, name: id, defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }], tags: OPT_IN });
  const member = (id: string, group: string, lt: string, profile: string) => ({
    id, state: 'running', instanceProfile: null, launchTemplate: { id: lt, version: '1' }, autoScalingGroup: group, tags: { ...OPT_IN, 'iam-autoheal:profile': profile },
  });
  /** Two groups whose templates both lost the profile, and an instance launched by hand; each suggests its own profile. */
  function twoBrokenGroups(): Scenario {
    return parseScenario({
      name: 'two broken groups',
      account: {
        accountId: ACCOUNT, region: REGION,
        roles: [role('web', 'ec2.amazonaws.com'), role('api', 'ec2.amazonaws.com'), role('batch-worker', 'ec2.amazonaws.com')],
        instanceProfiles: [{ name: 'web', roles: ['web'] }, { name: 'api', roles: ['api'] }, { name: 'batch-worker', roles: ['batch-worker'] }],
        launchTemplates: [template('lt-0web'), template('lt-0api')],
        autoScalingGroups: [{ name: 'web', launchTemplate: { id: 'lt-0web', version: '$Default' }, tags: OPT_IN }, { name: 'api', launchTemplate: { id: 'lt-0api', version: '$Default' }, tags: OPT_IN }],
        instances: [
          member('i-0a0a0a0a0a0a0a0a1', 'web', 'lt-0web', 'web'), member('i-0b0b0b0b0b0b0b0b1', 'api', 'lt-0api', 'api'),
          member('i-0a0a0a0a0a0a0a0a2', 'web', 'lt-0web', 'web'), { id: BARE, state: 'running', instanceProfile: null, tags: OPT_IN },
        ],
      },
      physics: { propagationSeconds: 4, startTime: '2026-10-02T08:00:00Z' },
      config: {
        modes: { 'no-instance-profile': 'auto', 'stale-launch-template': 'auto' }, baselineInstanceProfile: 'batch-worker', allowedInstanceProfiles: ['web', 'api'],
        scope: { tag: { key: 'iam-autoheal', value: 'on' }, accounts: [ACCOUNT], regions: [REGION] },
      },
    }, 'two-broken-groups.json');
  }

  it('one incident per group, template and hand launch; every broken template is repaired with its own group\'s profile', async () => {
    scenario = twoBrokenGroups();
    account = new SimulatedAccount(scenario);
    const { started } = await sweepStep(deps(), TARGET);
    expect(started.map((s) => s.incident.instanceIds)).toEqual([['i-0a0a0a0a0a0a0a0a1', 'i-0a0a0a0a0a0a0a0a2'], ['i-0b0b0b0b0b0b0b0b1'], [BARE]]);
    expect(new Set(started.map((s) => s.incident.key)).size).toBe(3);
    const stepDeps = { ...deps(), audit: new MemoryAuditStore(), budget: new MemoryChangeBudget(), lock: new MemoryLock(), notifier: account.notifier };
    for (const { incident } of started) {
      const diagnosis = await diagnosisOf(incident);
      const decision = await guardStep(stepDeps, { incident, diagnosis, execution: { name: 'sweep', id: 'sweep' } });
      expect(decision.verdict, decision.decision.reason).toBe('apply');
      for (const action of decision.actions) await remediationFor(action.type).apply(account.ports, action);
    }
    const defaults = Object.fromEntries(account.snapshot().launchTemplates!.map((t) => [t.id, t.versions.find((v) => v.number === t.defaultVersion)!.iamInstanceProfile]));
    expect(defaults).toEqual({ 'lt-0web': 'web', 'lt-0api': 'api' });
    expect(Object.fromEntries(account.snapshot().instances!.map((i) => [i.id, i.instanceProfile]))).toEqual({
      'i-0a0a0a0a0a0a0a0a1': 'web', 'i-0a0a0a0a0a0a0a0a2': 'web', 'i-0b0b0b0b0b0b0b0b1': 'api', [BARE]: 'batch-worker',
    });
  });
});

describe('the sweep never undoes an incident response', () => {
  it('an instance whose profile a responder removed (its template names one) is escalated, not re-associated; a quarantined one is left alone', async () => {
    scenario = parseScenario({
      name: 'responder removed a profile',
      account: {
        accountId: ACCOUNT, region: REGION,
        roles: [role('batch-worker', 'ec2.amazonaws.com')], instanceProfiles: [{ name: 'batch-worker', roles: ['batch-worker'] }],
        launchTemplates: [{ id: 'lt-0batch', name: 'batch', defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: 'batch-worker' }], tags: OPT_IN }],
        instances: [
          { id: 'i-0c0c0c0c0c0c0c0c1', state: 'running', instanceProfile: null, launchTemplate: { id: 'lt-0batch', version: '1' }, tags: OPT_IN },
          { id: BARE, state: 'running', instanceProfile: null, tags: { ...OPT_IN, 'iam-autoheal:quarantine': 'IR-77' } },
        ],
      },
      physics: { propagationSeconds: 4, startTime: '2026-10-02T08:00:00Z' },
      config: { modes: { 'no-instance-profile': 'auto' }, baselineInstanceProfile: 'batch-worker', scope: { tag: { key: 'iam-autoheal', value: 'on' }, accounts: [ACCOUNT], regions: [REGION] } },
    }, 'responder.json');
    account = new SimulatedAccount(scenario);
    const { started, quarantined } = await sweepStep(deps(), TARGET);
    expect(quarantined).toEqual([BARE]);
    expect(started.map((s) => s.incident.instanceIds)).toEqual([['i-0c0c0c0c0c0c0c0c1']]);
    const stepDeps = { ...deps(), audit: new MemoryAuditStore(), budget: new MemoryChangeBudget(), lock: new MemoryLock(), notifier: account.notifier };
    for (const { incident } of started) {
      const diagnosis = await diagnosisOf(incident);
      expect(diagnosis.cause).toBe('incident-response');
      const decision = await guardStep(stepDeps, { incident, diagnosis, execution: { name: 'sweep', id: 'sweep' } });
      expect(decision).toMatchObject({ verdict: 'escalate', actions: [] });
    }
    expect(account.counters.ec2Writes).toBe(0);
  });
});

describe('sweepTargets', () => {
  it('covers every configured account and region, or the sweep’s own when none are configured', () => {
    expect(sweepTargets(scenario.config, { accountId: '999999999999', region: 'us-east-1' })).toEqual([{ accountId: ACCOUNT, region: REGION }]);
    const open = { ...scenario.config, scope: { tag: null, accounts: [], regions: [] } };
    expect(sweepTargets(open, { accountId: '999999999999', region: 'us-east-1' })).toEqual([{ accountId: '999999999999', region: 'us-east-1' }]);
  });
});
