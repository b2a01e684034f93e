// AWS Control Tower proactive controls: each control's property read from the templates of the single-account,
// hub and member stacks, then the controls' own Guard rules (the package's files and cfn-guard binary) run at synth.
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_RULES, ControlTowerChecks, MIN_LOG_RETENTION_DAYS, type ControlId } from '../../lib/control-tower.ts';
import { ContextError, list, logRetentionOf, vpcOf } from '../../lib/context-options.ts';
import { buildApp, type BuildOptions } from './app-fixture.ts';

type Resource = { Type: string; Properties: Record<string, any> };
const VPC = { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'], securityGroupIds: ['sg-0123456789abcdef0'] };

function templates(options: BuildOptions = {}) {
  const built = buildApp(options);
  return { built, single: Template.fromStack(built.single), hub: Template.fromStack(built.hub), member: Template.fromStack(built.member) };
}

const ofType = (template: Template, type: string) => Object.entries(template.findResources(type)) as Array<[string, Resource]>;
const statementsOf = (key: Resource) => key.Properties.KeyPolicy.Statement as Array<Record<string, any>>;

describe('Control Tower controls, property by property', () => {
  let t: ReturnType<typeof templates>;
  beforeAll(() => {
    t = templates();
  });
  const all = () => ({ single: t.single, hub: t.hub, member: t.member });

  it('CT.CLOUDWATCH.PR.2: every log group keeps its logs a year or more by default', () => {
    for (const [name, template] of Object.entries(all())) {
      for (const [id, group] of ofType(template, 'AWS::Logs::LogGroup')) {
        expect(group.Properties.RetentionInDays ?? Infinity, `${name} ${id}`).toBeGreaterThanOrEqual(MIN_LOG_RETENTION_DAYS);
      }
    }
    expect(ofType(t.single, 'AWS::Logs::LogGroup').length).toBe(11);
  });

  it('CT.CLOUDWATCH.PR.3: every log group is encrypted with the stack\'s own KMS key', () => {
    for (const template of [t.single, t.hub]) {
      const [keyId] = ofType(template, 'AWS::KMS::Key').map(([id]) => id);
      for (const [id, group] of ofType(template, 'AWS::Logs::LogGroup')) expect(group.Properties.KmsKeyId, id).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });

  it('the key lets CloudWatch Logs use it only for log groups of this account and region', () => {
    for (const template of [t.single, t.hub]) {
      const [[, key]] = ofType(template, 'AWS::KMS::Key') as [[string, Resource]];
      const logs = statementsOf(key).find((s) => s.Sid === 'CloudWatchLogsOfThisAccountAndRegion');
      expect(logs).toMatchObject({
        Effect: 'Allow',
        // The regional CloudWatch Logs principal (amazonaws.com.cn in China: the URL suffix).
        Principal: { Service: { 'Fn::Join': ['', ['logs.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
        Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111122223333:log-group:*' } },
      });
    }
  });

  it('CT.KMS.PR.3: every key denies kms:CreateGrant to anyone but AWS services and grants for AWS resources', () => {
    for (const [name, template] of Object.entries(all())) {
      const keys = ofType(template, 'AWS::KMS::Key');
      expect(keys.length, name).toBe(1);
      for (const [id, key] of keys) {
        expect(statementsOf(key), `${name} ${id}`).toContainEqual({
          Sid: 'GrantsOnlyForAwsServices',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        });
        // No other statement lets a principal that is not a service create grants.
        const grants = statementsOf(key).filter((s) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => a === 'kms:CreateGrant'));
        expect(grants, `${name} ${id}`).toEqual([]);
      }
    }
  });

  it('CT.SQS.PR.1: every queue has a dead-letter queue, or declares itself one', () => {
    for (const [name, template] of Object.entries(all())) {
      const queues = ofType(template, 'AWS::SQS::Queue');
      expect(queues.length, name).toBeGreaterThan(0);
      for (const [id, queue] of queues) {
        const { RedrivePolicy, RedriveAllowPolicy } = queue.Properties;
        if (RedrivePolicy) {
          const target = RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
          expect(template.toJSON().Resources[target].Type, `${name} ${id}`).toBe('AWS::SQS::Queue');
        } else {
          expect(['allowAll', 'byQueue'], `${name} ${id}`).toContain(RedriveAllowPolicy?.redrivePermission);
        }
      }
    }
  });

  it('CT.LAMBDA.PR.3: without vpc the functions run outside a VPC, and each carries the acknowledgement with its reason', () => {
    const functions = ofType(t.single, 'AWS::Lambda::Function');
    expect(functions.length).toBe(10);
    for (const [id, fn] of functions) expect(fn.Properties.VpcConfig, id).toBeUndefined();
    const acknowledged = t.built.single.service.functions.intake.function.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((entry) => entry.data as Record<string, string>);
    expect(acknowledged).toContainEqual({ [`cdk-validator-cfnguard::${CONTROL_RULES['CT.LAMBDA.PR.3']}`]: expect.stringMatching(/^CT\.LAMBDA\.PR\.3: no vpc configured/) });
  });
});

describe('CT.LAMBDA.PR.3 with vpc', () => {
  let t: ReturnType<typeof templates>;
  beforeAll(() => {
    t = templates({ service: { vpc: VPC } });
  });

  it('runs every function in the given subnets and security groups, in the hub too', () => {
    for (const template of [t.single, t.hub]) {
      const functions = ofType(template, 'AWS::Lambda::Function');
      expect(functions.length).toBe(10);
      for (const [id, fn] of functions) expect(fn.Properties.VpcConfig, id).toEqual({ SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds });
    }
  });

  it('gives each function\'s role the network-interface permissions Lambda uses, and nothing is acknowledged any more', () => {
    const { role } = t.built.single.service.functions.apply;
    const policies = ofType(t.single, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === Stack.of(role).getLogicalId(role.node.defaultChild as never)));
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], Effect: 'Allow', Resource: '*' }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'],
      Resource: 'arn:aws:ec2:eu-west-1:111122223333:*/*',
    }));
    const acknowledged = t.built.single.service.functions.apply.function.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(acknowledged).toEqual([]);
  });
});

/** The controls this service meets, through the package's own Guard files and binary, as `cdk synth` runs them. */
const CONTROLS = Object.keys(CONTROL_RULES) as ControlId[];

function synthWithControls(options: BuildOptions) {
  const built = buildApp(options);
  Validations.of(built.app).addPlugins(new ControlTowerChecks(CONTROLS));
  return () => built.app.synth();
}

describe('the Control Tower Guard rules at synth', () => {
  it('pass the three stacks by default (the functions outside a VPC acknowledged) and with vpc', () => {
    expect(synthWithControls({})).not.toThrow();
    expect(synthWithControls({ service: { vpc: VPC } })).not.toThrow();
  });

  it('fail synth on a violation, naming the control and the construct path, also beside acknowledged findings', () => {
    const synth = synthWithControls({ service: { logRetention: RetentionDays.THREE_MONTHS } });
    expect(synth).toThrow(/CT\.CLOUDWATCH\.PR\.2/);
    expect(synth).toThrow(/IamAutohealHub\/IamAutoheal\/Guard\/Logs\/Resource/);
  });
});

describe('context options of the CDK app', () => {
  it('logRetentionDays: a period CloudWatch Logs accepts, or never', () => {
    expect(logRetentionOf(undefined)).toBeUndefined();
    expect(logRetentionOf('731')).toBe(RetentionDays.TWO_YEARS);
    expect(logRetentionOf('never')).toBe(RetentionDays.INFINITE);
    expect(() => logRetentionOf('100')).toThrow(/logRetentionDays must be one of .*365.* or never, not 100/);
  });

  it('vpcSubnetIds and vpcSecurityGroupIds: both or neither, ids that look like ids', () => {
    expect(vpcOf([], [])).toBeUndefined();
    expect(vpcOf(list('subnet-0123456789abcdef0, subnet-0fedcba9876543210'), list('sg-0123456789abcdef0'))).toEqual(VPC);
    expect(() => vpcOf(['subnet-0123456789abcdef0'], [])).toThrow(ContextError);
    expect(() => vpcOf(['subnet-0123456789abcdef0'], ['my-group'])).toThrow(/not a subnet or security group id: my-group/);
  });
});
