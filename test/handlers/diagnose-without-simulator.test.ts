import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { AwsIamPort } from '../../handlers/adapters/aws/iam.ts';
import { SimulatedAccount } from '../../handlers/adapters/simulated/index.ts';
import { diagnose } from '../../handlers/core/diagnosis/index.ts';
import { guard } from '../../handlers/core/guard.ts';
import type { AccountPorts } from '../../handlers/core/ports.ts';
import { verify } from '../../handlers/core/verify.ts';
import { clientConfig } from '../adapters/aws/fake-aws.ts';
import { ACCOUNT, applyAll, denialRecord, diagnoseAndGuard, EC2_TRUST, incidentOf, OBJECT, OPT_IN, READ_CONFIG, scenario } from '../scenarios/causes/harness.ts';

const APP_READ = `arn:aws:iam::${ACCOUNT}:policy/app-read`;
const SIMULATOR_REFUSED = { api: 'SimulatePrincipalPolicy', error: 'AccessDenied', message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/iam-autoheal-member/diagnose is not authorized to perform: iam:SimulatePrincipalPolicy`, times: 99 };

/** Role `app` with nothing attached; `app-read` is declared for it (the case); the simulator answers `fault`. */
function detached(fault: Record<string, unknown> | null = SIMULATOR_REFUSED, role: Record<string, unknown> = {}) {
  return scenario(
    { roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN, ...role }], policies: [{ arn: APP_READ, document: READ_CONFIG }] },
    { modes: { 'missing-permission': 'auto' }, expectedPermissions: [{ role: 'app', policyArns: [APP_READ] }] },
    { faults: fault ? [fault] : [] },
  );
}
const summaries = (evidence: Array<{ summary: string }>) => evidence.map((e) => e.summary);

describe('Diagnose without the policy simulator (simulated account)', () => {
  it('a refused simulator: the documents decide missing-permission, the declared policy is planned, and a person approves even in auto mode', async () => {
    const run = await diagnoseAndGuard(detached(), [denialRecord()]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(run.diagnosis.plan.map((a) => `${a.type} ${String(a.params.policyArn)}`)).toEqual([`attach-policy ${APP_READ}`]);
    expect(summaries(run.diagnosis.evidence)).toContainEqual(expect.stringMatching(/^simulation unavailable \(AccessDenied: .*iam:SimulatePrincipalPolicy\): decided from the documents read instead/));
    expect(summaries(run.diagnosis.evidence)).toContain(`s3:GetObject on ${OBJECT}: no policy allows it`);
    expect(run.diagnosis.reducedConfidence).toMatch(/without the policy simulator/);
    expect(run.decision.verdict).toBe('await-approval');
    expect(run.decision.reason).toMatch(/^Mode for missing-permission is auto, but the cause was decided from the role's documents without the policy simulator/);
    expect(run.account.counters.iamWrites).toBe(0);
  });

  it('the simulator throttled past the retries: the documents decide, as when it is refused', async () => {
    const run = await diagnoseAndGuard(detached({ api: 'SimulatePrincipalPolicy', error: 'Throttling', times: 99 }), [denialRecord()]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(summaries(run.diagnosis.evidence)).toContainEqual(expect.stringMatching(/^simulation unavailable \(still throttled after 4 attempts/));
  });

  it('a Deny in the role\'s own policy that may apply is an explicit deny, escalated, when the message does not say no Deny applied', async () => {
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] };
    const run = await diagnoseAndGuard(detached(SIMULATOR_REFUSED, { inlinePolicies: { 'tls-only': deny, 'read-config': READ_CONFIG } }), [denialRecord({ errorMessage: 'Access Denied' })]);
    expect(run.diagnosis.cause).toBe('explicit-deny');
    expect(run.diagnosis.summary).toMatch(/a Deny in the policies of app \(tls-only\) may block s3:GetObject/);
    expect(run.decision.verdict).toBe('escalate');
  });

  it('the policies allow the call as read and the session is the current role: truly ambiguous, unknown, nothing changed', async () => {
    const run = await diagnoseAndGuard(detached(SIMULATOR_REFUSED, { inlinePolicies: { 'read-config': READ_CONFIG } }), [denialRecord()]);
    expect(run.diagnosis.cause).toBe('unknown');
    expect(run.diagnosis.summary).toMatch(/the policies of app allow s3:GetObject .* as read, yet the call was denied .*without the policy simulator that cannot be decided/);
    expect(run.decision.verdict).toBe('escalate');
  });

  it('the policies allow the call and the instance was denied as another role: stale credentials, decided without the simulator', async () => {
    const s = detached(SIMULATOR_REFUSED, { inlinePolicies: { 'read-config': READ_CONFIG } });
    const run = await diagnoseAndGuard({ ...s, account: { ...s.account, roles: [...s.account.roles, { ...s.account.roles[0]!, name: 'old-app' }] } }, [denialRecord({ role: 'old-app' })]);
    expect(run.diagnosis.cause).toBe('stale-credentials');
    expect(run.diagnosis.plan.map((a) => a.type)).toEqual(['replace-association']);
  });
});

describe('Diagnose through the real IAM adapter when the endpoint does not implement SimulatePrincipalPolicy', () => {
  const iamMock = mockClient(IAMClient);
  beforeEach(() => iamMock.reset());

  /** The simulated account, but SimulatePrincipalPolicy through the real adapter against a mocked endpoint. */
  function withRealSimulator(account: SimulatedAccount): AccountPorts {
    const real = new AwsIamPort(new IAMClient(clientConfig));
    const iam = Object.create(account.ports.iam) as AccountPorts['iam'];
    iam.simulatePrincipalPolicy = (request) => real.simulatePrincipalPolicy(request);
    return { ...account.ports, iam };
  }

  it.each([
    ['501 not implemented (an emulator)', Object.assign(new Error("The API action 'SimulatePrincipalPolicy' for service 'iam' has not yet been emulated"), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 501 } }), /^simulation unavailable \(InternalFailure: The API action 'SimulatePrincipalPolicy'/],
    ['AccessDenied (an SCP or a missing permission)', Object.assign(new Error('User is not authorized to perform: iam:SimulatePrincipalPolicy with an explicit deny in a service control policy'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }), /^simulation unavailable \(AccessDenied: .*service control policy\)/],
  ])('%s: the declared policy is planned and, once attached, verified from the documents', async (_name, error, unavailable) => {
    iamMock.on(SimulatePrincipalPolicyCommand).rejects(error);
    const s = detached(null);
    const account = new SimulatedAccount(s);
    const ports = withRealSimulator(account);
    const incident = incidentOf([denialRecord()]);
    const diagnosis = await diagnose(ports, incident, s.config);
    expect(diagnosis.cause).toBe('missing-permission');
    expect(summaries(diagnosis.evidence)).toContainEqual(expect.stringMatching(unavailable));
    const decision = guard(diagnosis, s.config, { iamChangesThisHour: 0, ec2ChangesThisHour: 0 });
    expect(decision.verdict).toBe('await-approval');
    await applyAll(ports, decision.allowed);
    account.clock.advance(10);
    const result = await verify(ports, diagnosis, incident);
    expect(result.verified).toBe(true);
    expect(summaries(result.evidence)).toContainEqual(expect.stringMatching(/^simulation unavailable .*the policies of app allow all 1$/));
  });
});
