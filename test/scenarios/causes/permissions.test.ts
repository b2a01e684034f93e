import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import type { AuditRecord } from '../../../handlers/core/audit-record.ts';
import { diagnose } from '../../../handlers/core/diagnosis/index.ts';
import type { CloudTrailRecord } from '../../../handlers/core/events/records.ts';
import { ACCOUNT, applyAll, diagnoseAndGuard, denialRecord, incidentOf, EC2_TRUST, INSTANCE, OBJECT, OPT_IN, READ_CONFIG, READ_STATEMENT, scenario, START, undoAll, verified } from './harness.ts';

const APP_READ = `arn:aws:iam::${ACCOUNT}:policy/app-read`;
const BARE_ROLE = { name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN };
const AUTO = { 'missing-permission': 'auto' };

describe('missing-permission', () => {
  it('re-attaches the declared managed policy; the instance can read again; undo detaches it', async () => {
    const s = scenario({ roles: [BARE_ROLE], policies: [{ arn: APP_READ, document: READ_CONFIG }] }, { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [APP_READ] }] });
    const run = await diagnoseAndGuard(s, [denialRecord()]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(run.decision.verdict).toBe('apply');
    expect(run.decision.allowed.map((a) => `${a.type} ${String(a.params.policyArn)}`)).toEqual([`attach-policy ${APP_READ}`]);

    const applied = await applyAll(run.account.ports, run.decision.allowed);
    expect((await run.account.ports.iam.listAttachedPolicies('app')).map((p) => p.arn)).toEqual([APP_READ]);
    run.account.clock.advance(10);
    expect((await run.account.instanceCanCall(INSTANCE, 's3:GetObject', OBJECT)).allowed).toBe(true);
    expect(await verified(run)).toBe(true);

    expect((await applyAll(run.account.ports, run.decision.allowed))[0]!.outcome.result).toBe('already-done');
    expect(run.account.counters.iamWrites).toBe(1);
    await undoAll(run.account.ports, applied);
    expect(await run.account.ports.iam.listAttachedPolicies('app')).toEqual([]);
  });

  it('puts back a declared statement as an inline policy; undo deletes exactly that policy', async () => {
    const s = scenario({ roles: [{ ...BARE_ROLE, inlinePolicies: { other: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:111122223333:jobs' }] } } }] }, { modes: AUTO, expectedPermissions: [{ role: 'app*', statements: [READ_STATEMENT] }] });
    const run = await diagnoseAndGuard(s, [denialRecord()]);
    const before = await run.account.ports.iam.listInlinePolicies('app');
    const applied = await applyAll(run.account.ports, run.decision.allowed);
    expect(await run.account.ports.iam.listInlinePolicies('app')).toEqual({ ...before, 'iam-autoheal-expected': { Version: '2012-10-17', Statement: [READ_STATEMENT] } });
    run.account.clock.advance(10);
    expect(await verified(run)).toBe(true);
    await undoAll(run.account.ports, applied);
    expect(await run.account.ports.iam.listInlinePolicies('app')).toEqual(before);
  });

  it('nothing declared: a least-privilege proposal for a human, no write at all', async () => {
    const run = await diagnoseAndGuard(scenario({ roles: [BARE_ROLE] }, { modes: AUTO }), [denialRecord()]);
    expect(run.decision.verdict).toBe('escalate');
    const [proposal] = await applyAll(run.account.ports, run.decision.allowed);
    expect(proposal!.outcome).toMatchObject({ result: 'proposed', after: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECT }] } });
    expect(run.account.counters.iamWrites).toBe(0);
  });

  it('an iam:CreateUser denial from an instance is never granted, even with iam:* declared for every role', async () => {
    const s = scenario({ roles: [BARE_ROLE] }, { modes: AUTO, expectedPermissions: [{ role: '*', statements: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }] });
    const record = denialRecord({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/mallory`, requestParameters: { userName: 'mallory' } });
    const run = await diagnoseAndGuard(s, [record]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(run.decision.allowed).toEqual([]);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.refused.map((r) => r.reason).join(' ')).toMatch(/never-grant/);
    expect(await run.account.ports.iam.listInlinePolicies('app')).toEqual({});
  });

  it('without ec2RoleDelivery the same declared fix is only observed', async () => {
    const s = scenario({ roles: [BARE_ROLE], policies: [{ arn: APP_READ, document: READ_CONFIG }] }, { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [APP_READ] }] });
    const run = await diagnoseAndGuard(s, [denialRecord({ ec2RoleDelivery: null })]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(run.decision).toMatchObject({ verdict: 'observe', reason: expect.stringMatching(/no ec2RoleDelivery/) });
  });
});

function putRolePolicyRecord(time: string): CloudTrailRecord {
  return {
    eventVersion: '1.10',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLEOPERATOR', arn: `arn:aws:iam::${ACCOUNT}:user/jo`, accountId: ACCOUNT, userName: 'jo' },
    eventTime: time, eventSource: 'iam.amazonaws.com', eventName: 'PutRolePolicy', awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.5', userAgent: 'aws-cli/2.17.0',
    requestParameters: { roleName: 'app', policyName: 'read-config', policyDocument: JSON.stringify(READ_CONFIG) },
    responseElements: null, requestID: 'REQ2', eventID: 'evt-put-role-policy', readOnly: false, eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: ACCOUNT, eventCategory: 'Management',
  } as unknown as CloudTrailRecord;
}

describe('propagation-delay', () => {
  it('a policy put two seconds before the denial: wait only, no write, verified once IAM has propagated', async () => {
    const s = scenario({ roles: [{ ...BARE_ROLE, inlinePolicies: { 'read-config': { document: READ_CONFIG, updatedAt: '2026-10-02T07:59:58Z' } } }] });
    const run = await diagnoseAndGuard(s, [putRolePolicyRecord('2026-10-02T07:59:58Z'), denialRecord()]);
    expect(run.diagnosis.cause).toBe('propagation-delay');
    expect(run.diagnosis.plan.map((a) => a.type)).toEqual(['wait']);
    expect(run.diagnosis.summary).toMatch(/PutRolePolicy on app 2s ago/);
    expect(run.decision.verdict).toBe('apply');
    await applyAll(run.account.ports, run.decision.allowed);
    expect(run.account.counters).toMatchObject({ iamWrites: 0, ec2Writes: 0 });
    run.account.clock.advance(5);
    expect(await verified(run)).toBe(true);
  });
});

describe('propagation-delay from our own audit trail', () => {
  it('a policy we attached three seconds ago: wait, do not attach again', async () => {
    const s = scenario(
      { roles: [{ ...BARE_ROLE, managedPolicies: [{ arn: APP_READ, updatedAt: '2026-10-02T07:59:57Z' }] }], policies: [{ arn: APP_READ, document: READ_CONFIG }] },
      { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [APP_READ] }] },
    );
    const account = new SimulatedAccount(s);
    const incident = incidentOf([denialRecord()]);
    const audit: AuditRecord = {
      incidentKey: 'earlier-incident', executionName: 'exec-1', step: '0002-result', phase: 'result', cause: 'missing-permission', account: ACCOUNT, region: 'eu-west-1',
      target: `arn:aws:iam::${ACCOUNT}:role/app`, action: 'attach-policy', before: null, after: null, result: 'done', error: null, actor: 'exec-1', timestamp: '2026-10-02T07:59:57Z',
    };
    const d = await diagnose(account.ports, incident, s.config, { recentAudit: [audit] });
    expect(d.cause).toBe('propagation-delay');
    expect(d.summary).toMatch(/attach-policy \(iam-autoheal, earlier-incident\) on app 3s ago/);
    expect(d.plan.map((a) => a.type)).toEqual(['wait']);
  });
});

describe('our own reads throttled while diagnosing', () => {
  const S = scenario({ roles: [BARE_ROLE], policies: [{ arn: APP_READ, document: READ_CONFIG }] }, { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [APP_READ] }] }, {});
  const throttled = (api: string, times: number) => ({ ...S, physics: { ...S.physics, faults: [{ api, error: 'Throttling', times }] } });

  it('a throttled read is retried with backoff: the cause is the real one, and the evidence says what was throttled', async () => {
    const run = await diagnoseAndGuard(throttled('GetRole', 3), [denialRecord()]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(run.decision.verdict).toBe('apply');
    expect(run.diagnosis.evidence.map((e) => e.summary)).toContain('3 throttled call(s) while diagnosing: iam:GetRole');
    // The backoff waited on the account's clock (200 + 400 + 800 ms).
    expect(run.account.clock.nowMs() - Date.parse(START)).toBeGreaterThanOrEqual(1400);
  });

  it('a read of the chain still throttled after the retries fails closed: unknown, escalated, never the cause throttling', async () => {
    const run = await diagnoseAndGuard(throttled('ListAttachedRolePolicies', 9), [denialRecord()]);
    expect(run.diagnosis.cause).toBe('unknown');
    expect(run.decision.verdict).toBe('escalate');
    expect(run.diagnosis.evidence[0]).toMatchObject({ kind: 'could not see', summary: expect.stringMatching(/^iam:ListAttachedRolePolicies: still throttled after 4 attempts/) });
    expect(run.account.counters.iamWrites).toBe(0);
  });
});

describe('missing-permission over every distinct denied action of the incident', () => {
  const RESULTS = 'arn:aws:s3:::results-bucket/out.json';
  const APP_WRITE = `arn:aws:iam::${ACCOUNT}:policy/app-write`;
  const WRITE_RESULTS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::results-bucket/*' }] };
  const later = (seconds: number) => new Date(Date.parse('2026-10-02T08:00:00Z') + seconds * 1000).toISOString();
  const put = (at: number) => denialRecord({ action: 's3:PutObject', resource: RESULTS, eventName: 'PutObject', time: later(at), requestParameters: { bucketName: 'results-bucket', key: 'out.json' } });

  it('simulates each action and attaches every declared policy needed, not only the one for the first denial', async () => {
    const s = scenario({ roles: [BARE_ROLE], policies: [{ arn: APP_READ, document: READ_CONFIG }, { arn: APP_WRITE, document: WRITE_RESULTS }] }, { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [APP_READ, APP_WRITE] }] });
    const run = await diagnoseAndGuard(s, [denialRecord(), put(3), denialRecord({ time: later(5) })]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(run.diagnosis.evidence.filter((e) => e.kind === 'simulation').map((e) => e.summary)).toEqual([
      expect.stringMatching(/^SimulatePrincipalPolicy s3:GetObject on arn:aws:s3:::config-bucket\/app.json: implicitDeny/),
      expect.stringMatching(/^SimulatePrincipalPolicy s3:PutObject on arn:aws:s3:::results-bucket\/out.json: implicitDeny/),
    ]);
    expect(run.decision.allowed.map((a) => `${a.type} ${String(a.params.policyArn)}`)).toEqual([`attach-policy ${APP_READ}`, `attach-policy ${APP_WRITE}`]);
    await applyAll(run.account.ports, run.decision.allowed);
    run.account.clock.advance(10);
    expect((await run.account.instanceCanCall(INSTANCE, 's3:PutObject', RESULTS)).allowed).toBe(true);
  });

  it('verifies every denied action: restoring only the policy of the first one is not verified', async () => {
    const s = scenario({ roles: [BARE_ROLE], policies: [{ arn: APP_READ, document: READ_CONFIG }, { arn: APP_WRITE, document: WRITE_RESULTS }] }, { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [APP_READ, APP_WRITE] }] });
    const run = await diagnoseAndGuard(s, [denialRecord(), put(3)]);
    const [readFix, writeFix] = run.decision.allowed;
    await applyAll(run.account.ports, [readFix!]);
    run.account.clock.advance(10);
    expect(await verified(run)).toBe(false);
    await applyAll(run.account.ports, [writeFix!]);
    run.account.clock.advance(10);
    expect(await verified(run)).toBe(true);
  });

  it('an explicit deny on any of the denied actions escalates, even when the first one is merely not allowed', async () => {
    const denyPut = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }] };
    const s = scenario({ roles: [{ ...BARE_ROLE, inlinePolicies: { 'no-writes': denyPut } }], policies: [{ arn: APP_READ, document: READ_CONFIG }] }, { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [APP_READ] }] });
    const run = await diagnoseAndGuard(s, [denialRecord(), put(3)]);
    expect(run.diagnosis.cause).toBe('explicit-deny');
    expect(run.diagnosis.summary).toMatch(/explicit deny for s3:PutObject in no-writes/);
    expect(run.decision.verdict).toBe('escalate');
  });

  it('simulates at most 20 distinct actions and says how many were left out', async () => {
    const actions = ['GetObject', ...Array.from({ length: 24 }, (_, i) => `GetObjectVersion${i}`)];
    const records = actions.map((name, i) => denialRecord({ action: `s3:${name}`, eventName: name, time: later(i) }));
    const s = scenario({ roles: [BARE_ROLE] }, { modes: AUTO });
    const run = await diagnoseAndGuard(s, records);
    expect(run.diagnosis.evidence.filter((e) => e.kind === 'simulation')).toHaveLength(20);
    expect(run.diagnosis.evidence.find((e) => e.kind === 'left out')?.summary).toMatch(/^5 more distinct denied action\(s\) were not simulated .*25 were denied in all/);
    expect(run.account.calls.filter((c) => c.api === 'SimulatePrincipalPolicy')).toHaveLength(1);
  });
});
