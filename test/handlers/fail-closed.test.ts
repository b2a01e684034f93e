import { describe, expect, it } from 'vitest';
import { loadScenarioFile, SimulatedAccount } from '../../handlers/adapters/simulated/index.ts';
import { diagnose } from '../../handlers/core/diagnosis/index.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';
import { INSTANCE, incidentOf, launchRecord, scenario } from '../scenarios/causes/harness.ts';

const EC2_DENIED = {
  api: 'DescribeInstances',
  error: 'UnauthorizedOperation',
  times: 5,
  message: 'You are not authorized to perform this operation. User: arn:aws:sts::111122223333:assumed-role/iam-autoheal-member/diagnose is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action',
};

describe('fail closed: a read the service could not make', () => {
  it('a denied DescribeInstances on a launch is unknown and escalated, naming the permission, never "nothing to fix"', async () => {
    // The instance has a healthy profile: without EC2's answer the service must not say so either.
    const s = scenario({}, {}, { faults: [EC2_DENIED] });
    const d = await diagnose(new SimulatedAccount(s).ports, incidentOf([launchRecord([INSTANCE])]), s.config);
    expect(d.cause).toBe('unknown');
    expect(d.healthy).toBeUndefined();
    expect(d.plan).toEqual([]);
    expect(d.summary).toContain('could not see');
    expect(d.summary).toContain('ec2:DescribeInstances');
    expect(d.summary).not.toContain('nothing to fix');
    expect(d.owner).toContain('ec2:DescribeInstances');
    expect(d.evidence[0]).toMatchObject({ kind: 'could not see', summary: expect.stringContaining('UnauthorizedOperation') });
  });

  it('a denied GetInstanceProfile on a launch is unknown, not an instance whose profile is gone', async () => {
    const s = scenario({}, {}, { faults: [{ api: 'GetInstanceProfile', error: 'AccessDenied', times: 5, message: 'not authorized to perform iam:GetInstanceProfile' }] });
    const d = await diagnose(new SimulatedAccount(s).ports, incidentOf([launchRecord([INSTANCE])]), s.config);
    expect(d.cause).toBe('unknown');
    expect(d.plan).toEqual([]);
    expect(d.summary).toContain('lacks iam:GetInstanceProfile');
  });

  it('the same launch with every read allowed is healthy (the fault alone made it unknown)', async () => {
    const s = scenario();
    const d = await diagnose(new SimulatedAccount(s).ports, incidentOf([launchRecord([INSTANCE])]), s.config);
    expect(d.healthy).toBe(true);
  });
});

describe('fail closed: a drift whose instances could not be found', () => {
  // A developer drops a declared statement from orders-api's inline policy; the profile orders-api holds is in use.
  const dropped = () => loadScenarioFile('scenarios/drift-declared-statement-dropped.json');
  const withFault = (fault: { api: string; error: string; times: number; message: string }) => {
    const s = dropped();
    return { ...s, physics: { ...s.physics, faults: [...s.physics.faults, fault] } };
  };

  it('a refused ListInstanceProfilesForRole is escalated naming the permission, not a change that breaks nothing (which tells no one)', async () => {
    const report = await runScenario(withFault({ api: 'ListInstanceProfilesForRole', error: 'AccessDenied', times: 50, message: 'User: arn:aws:sts::410000000003:assumed-role/iam-autoheal-remediation/diagnose is not authorized to perform: iam:ListInstanceProfilesForRole' }));
    expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['unknown', 'escalated']]);
    expect(report.api.iamWrites + report.api.ec2Writes).toBe(0);
    const told = report.notifications.filter((n) => n.incident === report.incidents[0]!.key);
    expect(told.length).toBe(1);
    expect(JSON.stringify(told)).toContain('iam:ListInstanceProfilesForRole');
  });

  it('an inventory read still throttled after its retries is told to a person, not "no instance uses it"', async () => {
    const report = await runScenario(withFault({ api: 'DescribeInstances', error: 'RequestLimitExceeded', times: 12, message: 'Request limit exceeded.' }));
    expect(report.incidents[0]!.status).not.toBe('verified-no-change');
    expect(report.notifications.some((n) => n.incident === report.incidents[0]!.key)).toBe(true);
  });
});

describe('fail closed: a drift of a launch template named only by name', () => {
  // ModifyLaunchTemplate --launch-template-name: the template's id (and so its instances) comes from DescribeLaunchTemplates.
  const byName = () => loadScenarioFile('scenarios/drift-template-by-name-without-profile.json');

  it('a refused DescribeLaunchTemplates is escalated naming the permission, not a silent "no drift"', async () => {
    const s = byName();
    const refused = {
      api: 'DescribeLaunchTemplates', error: 'UnauthorizedOperation', times: 50,
      message: 'You are not authorized to perform this operation. User: arn:aws:sts::410000000003:assumed-role/iam-autoheal-remediation/diagnose is not authorized to perform: ec2:DescribeLaunchTemplates because no identity-based policy allows the ec2:DescribeLaunchTemplates action',
    };
    const report = await runScenario({ ...s, physics: { ...s.physics, faults: [...s.physics.faults, refused] } });
    expect(report.incidents.map((i) => [i.cause, i.status])).toEqual([['unknown', 'escalated']]);
    expect(report.api.iamWrites + report.api.ec2Writes).toBe(0);
    const told = report.notifications.filter((n) => n.incident === report.incidents[0]!.key);
    expect(told).toHaveLength(1);
    expect(told[0]!.email).toMatch(/lacks ec2:DescribeLaunchTemplates/);
  });

  it('with the read allowed, the same drift is repaired (the refusal alone made it unknown)', async () => {
    const report = await runScenario(byName());
    expect(report.incidents[0]!.cause).not.toBe('unknown');
    expect(report.api.ec2Writes).toBeGreaterThan(0);
  });
});
