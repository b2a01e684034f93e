/**
 * CloudTrail network activity events: a call refused by a VPC endpoint policy (`VpceAccessDenied`, a fixed
 * message with no `User:` or action clause). The record is AWS's documented example
 * (test/fixtures/cloudtrail/SOURCES.md); for an instance-role session, only its userIdentity is replaced by the
 * real instance-role session of the EKS node record, and its accounts set to that session's account.
 */
import { describe, expect, it } from 'vitest';
import { classify, classifyDelivered, extractDelivered, incidentKey } from '../../../handlers/core/events/index.ts';
import { matchesEventPattern } from '../../../lib/event-pattern-matcher.ts';
import { NETWORK_ACTIVITY_DETAIL_TYPE, RULE_PATTERNS } from '../../../lib/event-patterns.ts';
import { asEventBridgeEvent } from '../../infra/cloudtrail-envelope.ts';
import { readFixture } from './records.ts';

const DOCUMENTED = 'ignored--aws-account--kms-listkeys--vpce-denied-network-activity.json';

/** The documented record, made by the EKS node's instance-role session (ec2RoleDelivery 2.0) of the endpoint owner's account. */
function instanceSessionVariant(): Record<string, any> {
  const record = structuredClone(readFixture(DOCUMENTED)) as Record<string, any>;
  const node = readFixture('denied--instance-role--eks-auth-assumeroleforpodidentity.json') as Record<string, any>;
  record.userIdentity = node.userIdentity;
  record.recipientAccountId = node.recipientAccountId;
  record.vpcEndpointAccountId = node.recipientAccountId;
  return record;
}

describe('network activity denials (VpceAccessDenied)', () => {
  it('classify AWS’s documented record as a VPC endpoint denial of kms:ListKeys, ignored: its caller is another account, no instance', () => {
    const c = classify(readFixture(DOCUMENTED) as never);
    expect(c).toMatchObject({ kind: 'ignored', action: 'kms:ListKeys', accountId: '123456789012' });
    expect(c.denial).toMatchObject({ policyType: 'vpc-endpoint', explicit: null, action: null, networkActivity: true, errorCode: 'VpceAccessDenied' });
  });

  it('classify the instance-session variant as an access denial of policy type vpc-endpoint, action from eventSource + eventName', () => {
    const c = classify(instanceSessionVariant() as never);
    expect(c).toMatchObject({ kind: 'access-denied', action: 'kms:ListKeys', resource: null, accountId: '753273931759' });
    expect(c.principal).toMatchObject({ instanceId: 'i-02930ce60274d87a7', ec2RoleDelivery: '2.0' });
    expect(c.denial).toMatchObject({ policyType: 'vpc-endpoint', vpcEndpointId: 'vpce-EXAMPLE08c1b6b9b7', vpcEndpointAccountId: '753273931759', networkActivity: true });
    expect(incidentKey(c)).toMatch(/^deny-753273931759-us-east-1-/);
  });

  it('reach the denial rule as CloudTrail delivers them (detail-type "AWS Network Activity Event via CloudTrail")', () => {
    const event = asEventBridgeEvent(instanceSessionVariant());
    expect(event['detail-type']).toBe(NETWORK_ACTIVITY_DETAIL_TYPE);
    expect(matchesEventPattern(RULE_PATTERNS.instanceRoleDenial, event)).toBe(true);
    expect(matchesEventPattern(RULE_PATTERNS.launch, event)).toBe(false);
    expect(matchesEventPattern(RULE_PATTERNS.instanceRoleDenial, asEventBridgeEvent(readFixture(DOCUMENTED) as never))).toBe(false);
  });

  it('are taken from that envelope at intake, with the envelope checked like any other', () => {
    const [delivered] = extractDelivered(asEventBridgeEvent(instanceSessionVariant()), 'event');
    expect(delivered!.envelope).toMatchObject({ detailType: NETWORK_ACTIVITY_DETAIL_TYPE, source: 'aws.kms', account: '753273931759' });
    expect(classifyDelivered(delivered!)).toMatchObject({ kind: 'access-denied', rejection: null });
  });

  it('keep a policy type the message names over the code (an AccessDenied message naming a VPC endpoint policy)', () => {
    const record = instanceSessionVariant();
    record.errorCode = 'VpceAccessDenied';
    record.errorMessage = 'User: arn:aws:sts::753273931759:assumed-role/x/i-02930ce60274d87a7 is not authorized to perform: kms:ListKeys with an explicit deny in a VPC endpoint policy';
    expect(classify(record as never).denial).toMatchObject({ policyType: 'vpc-endpoint', explicit: true, action: 'kms:ListKeys' });
  });
});
