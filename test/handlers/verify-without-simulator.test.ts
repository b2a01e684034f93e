import { describe, expect, it } from 'vitest';
import { AwsCallError, ThrottlingError, type AccountPorts } from '../../handlers/core/ports.ts';
import { verify } from '../../handlers/core/verify.ts';
import { ACCOUNT, applyAll, denialRecord, diagnoseAndGuard, EC2_TRUST, OPT_IN, READ_CONFIG, scenario } from '../scenarios/causes/harness.ts';

const APP_READ = `arn:aws:iam::${ACCOUNT}:policy/app-read`;
const S = scenario(
  { roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN }], policies: [{ arn: APP_READ, document: READ_CONFIG }] },
  { modes: { 'missing-permission': 'auto' }, expectedPermissions: [{ role: 'app', policyArns: [APP_READ] }] },
);

/** The account's ports, with SimulatePrincipalPolicy answering as the service's role may not call it. */
function withoutSimulator(ports: AccountPorts, error: Error): AccountPorts {
  const iam = Object.create(ports.iam) as AccountPorts['iam'];
  iam.simulatePrincipalPolicy = async () => { throw error; };
  return { ...ports, iam };
}

const denied = new AwsCallError('AccessDenied: User: arn:aws:sts::111122223333:assumed-role/iam-autoheal-member/verify is not authorized to perform: iam:SimulatePrincipalPolicy', 'AccessDenied');

describe('Verify without the policy simulator', () => {
  it('checks the role\'s own policies instead, says so, and verifies the attached declared policy', async () => {
    const run = await diagnoseAndGuard(S, [denialRecord()]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    await applyAll(run.account.ports, run.decision.allowed);
    const result = await verify(withoutSimulator(run.account.ports, denied), run.diagnosis, run.incident);
    expect(result.verified).toBe(true);
    expect(result.evidence).toContainEqual(expect.objectContaining({ kind: 'simulation', summary: expect.stringMatching(/^simulation unavailable \(AccessDenied.*checked from the documents read instead.*allow all 1$/) }));
  });

  it('does not verify from the documents when the fix is not in place', async () => {
    const run = await diagnoseAndGuard(S, [denialRecord()]);
    const result = await verify(withoutSimulator(run.account.ports, denied), run.diagnosis, run.incident);
    expect(result.verified).toBe(false);
    expect(result.evidence).toContainEqual(expect.objectContaining({ summary: expect.stringContaining('do not allow s3:GetObject') }));
  });

  it('a throttled simulation still goes to the step\'s Retry', async () => {
    const run = await diagnoseAndGuard(S, [denialRecord()]);
    await applyAll(run.account.ports, run.decision.allowed);
    await expect(verify(withoutSimulator(run.account.ports, new ThrottlingError('Throttling: Rate exceeded')), run.diagnosis, run.incident)).rejects.toBeInstanceOf(ThrottlingError);
  });
});
