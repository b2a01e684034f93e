// Hub and member: forwarding limited to the organization, a member role only the hub's step roles can assume.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ALL_MANAGEMENT_EVENTS_STATE } from '../../lib/event-rules.ts';
import { RULE_PATTERNS } from '../../lib/event-patterns.ts';
import { MEMBER_ROLE_USERS } from '../../lib/steps.ts';
import { buildApp } from './app-fixture.ts';

const { hub, member } = buildApp();
const hubTemplate = Template.fromStack(hub);
const memberTemplate = Template.fromStack(member);
const resources = (template: Template, type: string) => Object.entries(template.findResources(type)) as Array<[string, any]>;

/** The statements of one hub step role's policies. */
function stepStatements(step: string): any[] {
  const id = `IamAutoheal${step[0]!.toUpperCase()}${step.slice(1)}Role`;
  return resources(hubTemplate, 'AWS::IAM::Policy').filter(([policyId]) => policyId.startsWith(id)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('hub stack', () => {
  it('lets only accounts of the organization put events on its bus', () => {
    const allows = resources(hubTemplate, 'AWS::Events::EventBusPolicy').map(([, p]) => p.Properties.Statement).filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
    });
    expect(hubTemplate.toJSON().Parameters.OrganizationId.AllowedPattern).toBe('^o-[a-z0-9]{10,32}$');
  });

  it('matches the forwarded events on its service bus, and its own account\'s events on the default bus', () => {
    const [busId] = resources(hubTemplate, 'AWS::Events::EventBus')[0]!;
    for (const pattern of Object.values(RULE_PATTERNS)) {
      const rules = resources(hubTemplate, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(pattern));
      expect(rules.map(([, r]) => r.Properties.EventBusName ?? 'default')).toEqual(['default', { Ref: busId }]);
      const onDefault = rules[0]![1];
      expect(onDefault.Properties.State).toBe(pattern === RULE_PATTERNS.instanceRoleDenial ? ALL_MANAGEMENT_EVENTS_STATE : 'ENABLED');
    }
  });

  it('names the step roles members trust, and lets each assume only the member role of its access inside the organization', () => {
    for (const step of MEMBER_ROLE_USERS) hubTemplate.hasResourceProperties('AWS::IAM::Role', { RoleName: `iam-autoheal-hub-${step}` });
    for (const step of MEMBER_ROLE_USERS) {
      const assume = stepStatements(step).filter((s: any) => s.Action === 'sts:AssumeRole' && s.Effect === 'Allow');
      expect(assume, step).toHaveLength(1);
      const role = step === 'apply' || step === 'answer' ? 'iam-autoheal-remediation' : 'iam-autoheal-read';
      expect(assume[0].Resource, step).toBe(`arn:aws:iam::*:role/${role}`);
      expect(assume[0].Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': { Ref: 'OrganizationId' } } });
      // The Deny allows no other role: a read step cannot reach the write role even with a bug.
      const denyAssume = stepStatements(step).find((s: any) => s.Sid === 'DenyAssumingOtherRoles');
      expect(denyAssume.NotResource, step).toEqual(assume[0].Resource);
    }
  });

  it('may assume no role but the member role (explicit Deny), while acting on its own account directly', () => {
    const apply = resources(hubTemplate, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('IamAutohealApplyRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const denyAssume = apply.find((s: any) => s.Sid === 'DenyAssumingOtherRoles');
    expect(denyAssume.Effect).toBe('Deny');
    expect(JSON.stringify(denyAssume.NotResource)).toContain(':iam::*:role/iam-autoheal-remediation');
    expect(apply.flatMap((s: any) => [s.Action].flat())).toContain('ec2:AssociateIamInstanceProfile');
  });

  it('tells the steps the member role names', () => {
    for (const [, fn] of resources(hubTemplate, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ MEMBER_READ_ROLE_NAME: 'iam-autoheal-read', MEMBER_WRITE_ROLE_NAME: 'iam-autoheal-remediation' });
    }
  });
});

describe('member stack', () => {
  it('forwards the three rules from the default bus to the hub bus, read-only denials included', () => {
    for (const pattern of Object.values(RULE_PATTERNS)) {
      const [, rule] = resources(memberTemplate, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(pattern))!;
      expect(rule.Properties.EventBusName).toBeUndefined();
      expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toContain(':event-bus/iam-autoheal');
      expect(rule.Properties.Targets[0].RoleArn).toBeDefined();
      expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
      expect(rule.Properties.State).toBe(pattern === RULE_PATTERNS.instanceRoleDenial ? ALL_MANAGEMENT_EVENTS_STATE : 'ENABLED');
    }
  });

  it.each([
    ['iam-autoheal-read', ['diagnose', 'verify', 'sweep']],
    ['iam-autoheal-remediation', ['apply', 'answer']],
  ])('lets only the hub step roles of its access, in the organization, assume %s', (roleName, steps) => {
    const [, role] = resources(memberTemplate, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === roleName)!;
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust.Action).toBe('sts:AssumeRole');
    expect(JSON.stringify(trust.Principal)).toContain('HubAccountId');
    expect(trust.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } });
    const principalArns = trust.Condition.ArnEquals['aws:PrincipalArn'].map((arn: unknown) => JSON.stringify(arn).match(/:role\/([a-z-]+)/)![1]);
    expect(principalArns).toEqual(steps.map((step) => `iam-autoheal-hub-${step}`));
    expect(role.Properties.MaxSessionDuration).toBe(3600);
  });

  it('gives the read role no write at all', () => {
    const statements = resources(memberTemplate, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('IamAutohealMemberReadRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const allowed = statements.filter((s: any) => s.Effect === 'Allow').flatMap((s: any) => [s.Action].flat());
    expect(allowed).toEqual(expect.arrayContaining(['iam:GetRole', 'ec2:DescribeInstances']));
    expect(allowed.filter((action: string) => !/:(Get|List|Describe|Simulate|Decode|Lookup)/.test(action))).toEqual([]);
    expect(statements.find((s: any) => s.Sid === 'DenyWritingTheServiceItself')).toBeDefined();
  });

  it('gives the remediation role the declared writes, tag-conditioned, and the Deny', () => {
    const statements = resources(memberTemplate, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('IamAutohealMemberRemediationRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const associate = statements.find((s: any) => [s.Action].flat().includes('ec2:AssociateIamInstanceProfile'));
    expect(associate.Condition.StringEquals).toEqual({ 'aws:ResourceTag/iam-autoheal': 'on' });
    const denied = statements.filter((s: any) => s.Effect === 'Deny').flatMap((s: any) => [s.Action].flat());
    expect(denied).toEqual(expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey', 'iam:PassRole', 'organizations:*']));
    expect(statements.flatMap((s: any) => [s.Action].flat())).toEqual(expect.arrayContaining(['iam:SimulatePrincipalPolicy', 'ec2:DescribeInstances']));
  });

  it('alarms on the forwarding dead-letter queue, on a topic of its own that an optional AlarmEmail subscribes to', () => {
    const [queueId] = resources(memberTemplate, 'AWS::SQS::Queue')[0]!;
    const [, alarm] = resources(memberTemplate, 'AWS::CloudWatch::Alarm')[0]!;
    expect(alarm.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const [topicId, topic] = resources(memberTemplate, 'AWS::SNS::Topic')[0]!;
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const template = memberTemplate.toJSON();
    expect(template.Parameters.AlarmEmail.Default).toBe('');
    const [, subscription] = resources(memberTemplate, 'AWS::SNS::Subscription')[0]!;
    expect(subscription).toMatchObject({ Condition: 'HasAlarmEmail', Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' }, TopicArn: { Ref: topicId } } });
    expect(new RegExp(template.Parameters.AlarmEmail.AllowedPattern).test('ops@example.com')).toBe(true);
    expect(new RegExp(template.Parameters.AlarmEmail.AllowedPattern).test('not an address')).toBe(false);
  });

  it('asks for the hub account, region and organization as parameters (StackSets-friendly)', () => {
    expect(Object.keys(memberTemplate.toJSON().Parameters)).toEqual(expect.arrayContaining(['OrganizationId', 'HubAccountId', 'HubRegion']));
  });
});

describe('member template', () => {
  it('deploys through StackSets as is: no assets, no bootstrap version check', () => {
    const template = memberTemplate.toJSON();
    expect(template.Rules?.CheckBootstrapVersion).toBeUndefined();
    expect(template.Parameters.BootstrapVersion).toBeUndefined();
    expect(Object.values(template.Resources).map((r: any) => r.Type)).not.toContain('AWS::Lambda::Function');
  });
});

describe('member remediation role across regions', () => {
  it('is created only where CreateRemediationRole is true (IAM is global)', () => {
    const template = memberTemplate.toJSON();
    expect(template.Parameters.CreateRemediationRole).toMatchObject({ Default: 'true', AllowedValues: ['true', 'false'] });
    const conditioned = Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Condition === 'CreatesRemediationRole').map(([id]) => id);
    expect(conditioned.some((id) => id.startsWith('IamAutohealMemberRemediationRole'))).toBe(true);
    expect(conditioned.some((id) => id.startsWith('IamAutohealMemberRemediationRoleDefaultPolicy'))).toBe(true);
    expect(conditioned.some((id) => id.includes('Rules'))).toBe(false);
  });
});
