import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { MemoryChangeBudget, MemoryLock } from '../../handlers/adapters/local/budget-and-lock.ts';
import { RecordingWorkflow } from '../../handlers/adapters/local/recorders.ts';
import type { AccountPorts, Ec2Port, InstanceInfo } from '../../handlers/adapters/ports.ts';
import { SimulatedAccount, loadScenarioFile, type Scenario } from '../../handlers/adapters/simulated/index.ts';
import { diagnoseStep } from '../../handlers/steps/diagnose.ts';
import { sweepStep, sweepTargets } from '../../handlers/steps/sweep.ts';

const INSTANCE = 'i-0c1d2e3f4a5b6c7d8';
const logger = pino({ level: 'silent' });
let scenario: Scenario;
let account: SimulatedAccount;
let ports: AccountPorts;
let listed: Array<{ states: string[]; tag?: unknown }>;

/** The simulated account's EC2 port with an inventory: the instances the scenario declares. */
function withInventory(ec2: Ec2Port): Ec2Port {
  return Object.assign(Object.create(ec2) as Ec2Port, {
    async listInstances(filter: { states: string[]; tag?: { key: string; value: string } | null }): Promise<InstanceInfo[]> {
      listed.push(filter);
      const info = await ec2.describeInstance(INSTANCE);
      return info && filter.states.includes(info.state) ? [info] : [];
    },
  });
}

beforeEach(() => {
  scenario = loadScenarioFile('test/fixtures/scenarios/example-launch-without-profile.json');
  account = new SimulatedAccount(scenario);
  ports = { ...account.ports, ec2: withInventory(account.ports.ec2) };
  listed = [];
});

function deps(workflow = new RecordingWorkflow()) {
  return { config: scenario.config, workflow, portsFor: () => ports, clock: account.clock, logger };
}

describe('sweepStep', () => {
  it('starts one execution for the in-scope running instances that have no profile, listing by the opt-in tag', async () => {
    const workflow = new RecordingWorkflow();
    const summary = await sweepStep(deps(workflow), [{ accountId: '210987654321', region: 'eu-central-1' }]);
    expect(summary.checked).toBe(1);
    expect(summary.started).toHaveLength(1);
    expect(summary.started[0]!.incident).toMatchObject({ kind: 'sweep', instanceIds: [INSTANCE], accountId: '210987654321' });
    expect(listed[0]).toEqual({ states: ['running'], tag: { key: 'iam-autoheal', value: 'on' } });
    expect(workflow.started).toHaveLength(1);
  });

  it('gives an incident the diagnosis treats like a launch without a profile', async () => {
    const { started } = await sweepStep(deps(), [{ accountId: '210987654321', region: 'eu-central-1' }]);
    const stepDeps = { ...deps(), audit: new MemoryAuditStore(), budget: new MemoryChangeBudget(), lock: new MemoryLock(), notifier: account.notifier };
    const { diagnosis } = await diagnoseStep(stepDeps, { incident: started[0]!.incident, execution: { name: 'sweep', id: 'sweep' } });
    expect(diagnosis.cause).toBe('no-instance-profile');
    expect(diagnosis.plan[0]).toMatchObject({ type: 'associate-profile', target: INSTANCE });
  });

  it('counts a second sweep in the same window as a duplicate, and starts nothing once the instance has a profile', async () => {
    const workflow = new RecordingWorkflow();
    const target = [{ accountId: '210987654321', region: 'eu-central-1' }];
    await sweepStep(deps(workflow), target);
    expect((await sweepStep(deps(workflow), target)).duplicates).toBe(1);
    await account.ports.ec2.associateProfile(INSTANCE, { name: 'batch-worker' });
    account.clock.advance(3600);
    expect((await sweepStep(deps(workflow), target)).started).toEqual([]);
  });

  it('says so when the EC2 adapter cannot list instances', async () => {
    ports = account.ports;
    await expect(sweepStep(deps(), [{ accountId: '210987654321', region: 'eu-central-1' }])).rejects.toMatchObject({ name: 'InventoryUnavailable' });
  });
});

describe('sweepTargets', () => {
  it('covers every configured account and region, or the sweep’s own when none are configured', () => {
    expect(sweepTargets(scenario.config, { accountId: '999999999999', region: 'us-east-1' })).toEqual([{ accountId: '210987654321', region: 'eu-central-1' }]);
    const open = { ...scenario.config, scope: { tag: null, accounts: [], regions: [] } };
    expect(sweepTargets(open, { accountId: '999999999999', region: 'us-east-1' })).toEqual([{ accountId: '999999999999', region: 'us-east-1' }]);
  });
});
