import { describe, expect, it } from 'vitest';
import { policySize, statementsOf } from '../../../handlers/core/policy/statements.ts';
import { readTrust } from '../../../handlers/core/policy/trust.ts';
import { GITHUB_OIDC, PARTNER_WITH_EXTERNAL_ID } from '../../fixtures/trust-statements.ts';
import { applyAll, diagnoseAndGuard, denialRecord, INSTANCE, OBJECT, OPT_IN, READ_CONFIG, scenario, undoAll, verified } from './harness.ts';

const TRUST = { Version: '2012-10-17', Statement: [GITHUB_OIDC, PARTNER_WITH_EXTERNAL_ID] };

describe('trust-missing-ec2', () => {
  it('merges EC2 into the trust, keeps every statement as it was, and undo restores the exact document', async () => {
    const s = scenario(
      { roles: [{ name: 'app', trustPolicy: TRUST, inlinePolicies: { 'read-config': READ_CONFIG }, tags: OPT_IN }] },
      {},
      { credentialRefreshSeconds: 60 },
    );
    const run = await diagnoseAndGuard(s, [denialRecord({ errorMessage: 'Access Denied' })]);
    expect(run.diagnosis.cause).toBe('trust-missing-ec2');
    expect(run.diagnosis.evidence.map((e) => e.summary).join('\n')).toMatch(/conditions EC2 cannot meet/);
    expect(run.decision.verdict).toBe('apply');
    expect((await run.account.instanceCanCall(INSTANCE, 's3:GetObject', OBJECT)).allowed).toBe(false);

    const applied = await applyAll(run.account.ports, run.decision.allowed);
    const trust = (await run.account.ports.iam.getRole('app'))!.trustPolicy;
    const statements = statementsOf(trust);
    // Still allows what it allowed before: the same statements, unchanged, in the same order.
    expect(statements.slice(0, 2).map((x) => JSON.stringify(x))).toEqual([JSON.stringify(GITHUB_OIDC), JSON.stringify(PARTNER_WITH_EXTERNAL_ID)]);
    expect(statements).toHaveLength(3);
    expect(readTrust(trust).allowsEc2).toBe(true);
    expect(run.account.counters.iamWrites).toBe(1);

    run.account.clock.advance(70);
    expect(await verified(run)).toBe(true);
    expect(await run.account.instanceCanCall(INSTANCE, 's3:GetObject', OBJECT)).toMatchObject({ allowed: true, role: 'app' });

    const again = await applyAll(run.account.ports, run.decision.allowed);
    expect(again[0]!.outcome.result).toBe('already-done');
    expect(run.account.counters.iamWrites).toBe(1);

    await undoAll(run.account.ports, applied);
    expect((await run.account.ports.iam.getRole('app'))!.trustPolicy).toEqual(TRUST);
  });

  it('refuses, writing nothing, when the merge would pass the trust quota', async () => {
    const trustWith = (n: number) => ({
      Version: '2012-10-17',
      Statement: [{ ...GITHUB_OIDC, Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': Array.from({ length: n }, (_, i) => `repo:org/service-${String(i).padStart(2, '0')}:*`) } } }],
    });
    let n = 1;
    while (policySize(trustWith(n + 1)) <= 2048 - 40) n++;
    const big = trustWith(n);
    const run = await diagnoseAndGuard(scenario({ roles: [{ name: 'app', trustPolicy: big, tags: OPT_IN }] }), [denialRecord({ errorMessage: 'Access Denied' })]);
    expect(run.diagnosis.cause).toBe('trust-missing-ec2');
    await expect(applyAll(run.account.ports, run.decision.allowed)).rejects.toMatchObject({ name: 'RemediationRefused', message: expect.stringMatching(/quota; nothing was changed/) });
    expect(run.account.counters.iamWrites).toBe(0);
    expect((await run.account.ports.iam.getRole('app'))!.trustPolicy).toEqual(big);
  });
});
