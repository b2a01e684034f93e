import { describe, expect, it } from 'vitest';
import { mergeEc2Trust, readTrust, TrustMergeError } from '../../../handlers/core/policy/trust.ts';
import { policySize, statementsOf } from '../../../handlers/core/policy/statements.ts';
import { GITHUB_OIDC, PARTNER_WITH_EXTERNAL_ID } from '../../fixtures/trust-statements.ts';

const LAMBDA = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] };

describe('mergeEc2Trust', () => {
  it('appends a statement of its own and keeps every original statement byte-for-byte and in order', () => {
    const original = { Version: '2012-10-17', Statement: [GITHUB_OIDC, PARTNER_WITH_EXTERNAL_ID] };
    const before = JSON.stringify(original);
    const merged = mergeEc2Trust(original);
    expect(merged.changed).toBe(true);
    const statements = statementsOf(merged.document);
    expect(statements.slice(0, 2).map((s) => JSON.stringify(s))).toEqual([JSON.stringify(GITHUB_OIDC), JSON.stringify(PARTNER_WITH_EXTERNAL_ID)]);
    expect(statements[2]).toMatchObject({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    expect(statements[2]).not.toHaveProperty('Condition');
    expect(readTrust(merged.document).allowsEc2).toBe(true);
    expect(JSON.stringify(original)).toBe(before);
  });

  it('leaves a statement conditioned on sts:ExternalId alone even though it names EC2', () => {
    const original = { Version: '2012-10-17', Statement: [PARTNER_WITH_EXTERNAL_ID] };
    expect(readTrust(original)).toMatchObject({ allowsEc2: false, blockedByCondition: true });
    const statements = statementsOf(mergeEc2Trust(original).document);
    expect(statements[0]).toBe(PARTNER_WITH_EXTERNAL_ID);
    expect(statements).toHaveLength(2);
  });

  it('extends an unconditioned Allow sts:AssumeRole Service statement; others stay as they were and where they were', () => {
    const original = { Version: '2012-10-17', Statement: [GITHUB_OIDC, LAMBDA] };
    const statements = statementsOf(mergeEc2Trust(original).document);
    expect(statements).toHaveLength(2);
    expect(JSON.stringify(statements[0])).toBe(JSON.stringify(GITHUB_OIDC));
    expect(statements[1]).toEqual({ ...LAMBDA, Principal: { Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] } });
    // Still allows what it allowed before: lambda is still trusted, with the same actions.
    expect(statements[1]!.Action).toEqual(LAMBDA.Action);
  });

  it('accepts a single statement object (not a list) and keeps it first', () => {
    const original = { Version: '2012-10-17', Statement: GITHUB_OIDC };
    const statements = statementsOf(mergeEc2Trust(original).document);
    expect(statements[0]).toBe(GITHUB_OIDC);
    expect(statements).toHaveLength(2);
  });

  it('changes nothing when EC2 is already trusted', () => {
    const original = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' }] };
    expect(mergeEc2Trust(original)).toMatchObject({ changed: false, document: original });
  });

  it('refuses past the 2,048-character trust quota with a clear error', () => {
    const subjects = (n: number) => Array.from({ length: n }, (_, i) => `repo:org/service-${String(i).padStart(2, '0')}:*`);
    const trustWith = (n: number) => ({ Version: '2012-10-17', Statement: [{ ...GITHUB_OIDC, Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': subjects(n) } } }] });
    let n = 1;
    while (policySize(trustWith(n + 1)) <= 2048 - 40) n++;
    const big = trustWith(n);
    expect(policySize(big)).toBeLessThanOrEqual(2048);
    expect(() => mergeEc2Trust(big)).toThrow(TrustMergeError);
    expect(() => mergeEc2Trust(big)).toThrow(/over the 2048-character quota; nothing was changed/);
  });

  it('refuses to touch a trust that denies EC2 explicitly', () => {
    const denied = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    expect(() => mergeEc2Trust(denied)).toThrow(/denies ec2.amazonaws.com explicitly/);
  });
});
