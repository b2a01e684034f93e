import { describe, expect, it } from 'vitest';
import { ACCOUNT, diagnoseAndGuard, denialRecord, EC2_TRUST, OPT_IN, REGION, scenario } from './harness.ts';

const INSTANCE_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`;
const BLOB = 'AbCdEf0123456789-encoded-authorization-failure-message_xyz';
const message = (blob: string) =>
  `You are not authorized to perform this operation. User: arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0aaa1111bbbb2222c is not authorized to perform: ec2:DescribeTags on resource: ${INSTANCE_ARN} because no identity-based policy allows the ec2:DescribeTags action. Encoded authorization failure message: ${blob}`;
const describeTags = (blob: string) =>
  denialRecord({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeTags', errorCode: 'Client.UnauthorizedOperation', action: 'ec2:DescribeTags', resource: INSTANCE_ARN, requestParameters: {}, errorMessage: message(blob) });

describe('encoded EC2 authorization messages', () => {
  it('are decoded through STS and their explicit deny decides', async () => {
    const s = scenario({
      roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN }],
      encodedAuthorizationMessages: { [BLOB]: { allowed: false, explicitDeny: true, matchedStatements: { items: [{ statementId: 'DenyTags' }] } } },
    });
    const run = await diagnoseAndGuard(s, [describeTags(BLOB)]);
    expect(run.account.calls.map((c) => c.api)).toContain('DecodeAuthorizationMessage');
    expect(run.diagnosis.cause).toBe('explicit-deny');
    expect(run.diagnosis.evidence.map((e) => e.summary)).toContain('encoded authorization message decoded: allowed false, explicit deny true');
  });

  it('cut short by CloudTrail: not sent to STS, said so in the evidence, and the diagnosis carries on', async () => {
    const run = await diagnoseAndGuard(scenario({ roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN }] }), [describeTags(`${BLOB.repeat(30)}...`)]);
    expect(run.account.calls.map((c) => c.api)).not.toContain('DecodeAuthorizationMessage');
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(run.diagnosis.evidence.map((e) => e.summary).join('\n')).toMatch(/cut by CloudTrail/);
  });
});
