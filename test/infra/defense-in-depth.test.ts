/**
 * Defense in depth in IAM: the synthesized policies of the real remediation catalog, evaluated by a real IAM
 * policy evaluator (the simulated account's), refuse what a bug in the guard or a stolen session of the
 * service would try — writing onto the service's own roles, passing an untagged or the service's own role,
 * passing a role to anything but EC2, a read-only step writing — and still allow the declared fixes.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { evaluateRequest } from '../../handlers/adapters/simulated/evaluator.ts';
import { REMEDIATIONS } from '../../handlers/core/remediations/index.ts';
import { IAM_WRITE_ACTIONS } from '../../lib/remediation-policy.ts';
import { buildApp } from './app-fixture.ts';

const HUB_ACCOUNT = '111122223333';
const MEMBER_ACCOUNT = '444455556666';
const OPT_IN = 'aws:ResourceTag/iam-autoheal';

const built = buildApp({ remediations: REMEDIATIONS });
const single = Template.fromStack(built.single);
const member = Template.fromStack(built.member);

type Json = any;

/** The template's intrinsics replaced by what they resolve to in `account`: role ARNs, partition, joins, parameters. */
function resolver(template: Template, account: string): (value: Json) => Json {
  const roles = template.findResources('AWS::IAM::Role');
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Fn::GetAtt' in value && value['Fn::GetAtt'][1] === 'Arn' && roles[value['Fn::GetAtt'][0]]) {
      const [id] = value['Fn::GetAtt'];
      return `arn:aws:iam::${account}:role/${roles[id].Properties.RoleName ?? id}`;
    }
    if ('Fn::GetAtt' in value) return `arn:aws:resolved:::${value['Fn::GetAtt'].join('.')}`;
    if ('Ref' in value) return value.Ref === 'AWS::Partition' ? 'aws' : value.Ref === 'AWS::AccountId' ? account : value.Ref === 'OrganizationId' ? 'o-exampleorgid1' : `ref-${value.Ref}`;
    if ('Fn::Join' in value) return resolve(value['Fn::Join'][1]).join(value['Fn::Join'][0]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}

/** The identity policies of the role whose logical id starts with `rolePrefix`, resolved. */
function policiesOf(template: Template, rolePrefix: string, account: string) {
  const resolve = resolver(template, account);
  const policies = Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, p]: [string, Json]) => p.Properties.Roles.some((r: Json) => r.Ref?.startsWith(rolePrefix)));
  expect(policies.length, rolePrefix).toBeGreaterThan(0);
  return policies.map(([id, p]: [string, Json]) => ({ id, type: 'role' as const, document: resolve(p.Properties.PolicyDocument) }));
}

function roleArn(template: Template, rolePrefix: string, account: string): string {
  const [id, role] = Object.entries(template.findResources('AWS::IAM::Role')).find(([roleId]) => roleId.startsWith(rolePrefix))! as [string, Json];
  return `arn:aws:iam::${account}:role/${role.Properties.RoleName ?? id}`;
}

function decide(template: Template, rolePrefix: string, account: string) {
  const identityPolicies = policiesOf(template, rolePrefix, account);
  const principalArn = roleArn(template, rolePrefix, account);
  return async (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    (await evaluateRequest({ principalArn, accountId: account, action, resource, context, identityPolicies, boundary: null, scps: [], resourcePolicy: null })).decision;
}

const appRole = (account: string) => `arn:aws:iam::${account}:role/workloads/app`;
const tagged = { [OPT_IN]: 'on', 'iam:ResourceTag/iam-autoheal': 'on' };

describe('single account: the apply step', () => {
  const apply = decide(single, 'IamAutohealApplyRole', HUB_ACCOUNT);
  const ownRoles = Object.entries(single.findResources('AWS::IAM::Role')).map(([id]) => id);

  it('may still make the declared fixes on a tagged role and instance', async () => {
    expect(await apply('iam:PutRolePolicy', appRole(HUB_ACCOUNT), tagged)).toBe('allowed');
    expect(await apply('iam:UpdateAssumeRolePolicy', appRole(HUB_ACCOUNT), tagged)).toBe('allowed');
    expect(await apply('iam:PassRole', appRole(HUB_ACCOUNT), { ...tagged, 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('allowed');
    expect(await apply('ec2:AssociateIamInstanceProfile', `arn:aws:ec2:eu-west-1:${HUB_ACCOUNT}:instance/i-0abc1234def567890`, { [OPT_IN]: 'on' })).toBe('allowed');
  });

  it('may pass only roles that carry the opt-in tag', async () => {
    expect(await apply('iam:PassRole', appRole(HUB_ACCOUNT), { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('implicitDeny');
    expect(await apply('iam:PassRole', appRole(HUB_ACCOUNT), { 'iam:ResourceTag/iam-autoheal': 'off', 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('implicitDeny');
  });

  it('may pass a role to EC2 only', async () => {
    expect(await apply('iam:PassRole', appRole(HUB_ACCOUNT), { ...tagged, 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('explicitDeny');
  });

  it(`cannot write onto any of the deployment's ${ownRoles.length} roles, itself included, even when one carries the opt-in tag`, async () => {
    for (const id of ownRoles) {
      const own = roleArn(single, id, HUB_ACCOUNT);
      for (const action of ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:PassRole']) {
        expect(await apply(action, own, { ...tagged, 'iam:PassedToService': 'ec2.amazonaws.com', 'iam:PolicyARN': 'arn:aws:iam::111122223333:policy/app-read' }), `${action} on ${id}`).toBe('explicitDeny');
      }
    }
  });

  it('cannot write onto a role or policy named like the service in any account', async () => {
    for (const arn of [`arn:aws:iam::${MEMBER_ACCOUNT}:role/iam-autoheal-remediation`, `arn:aws:iam::${HUB_ACCOUNT}:role/ops/iam-autoheal-hub-apply`]) {
      expect(await apply('iam:PutRolePolicy', arn, tagged), arn).toBe('explicitDeny');
      expect(await apply('iam:UpdateAssumeRolePolicy', arn, tagged), arn).toBe('explicitDeny');
    }
    expect(await apply('iam:DeletePolicy', `arn:aws:iam::${HUB_ACCOUNT}:policy/iam-autoheal-boundary`)).toBe('explicitDeny');
  });

  it('denies every IAM write verb on the service itself, not only the ones it uses today', () => {
    const statement = policiesOf(single, 'IamAutohealApplyRole', HUB_ACCOUNT).flatMap((p) => p.document.Statement).find((s: Json) => s.Sid === 'DenyWritingTheServiceItself');
    expect(statement.Effect).toBe('Deny');
    expect([...statement.Action].sort()).toEqual([...IAM_WRITE_ACTIONS].sort());
  });
});

// AWS docs, "Control Amazon EC2 launch template usage in Auto Scaling groups": pointing a group at a launch template
// requires ec2:RunInstances on the template (and iam:PassRole for its role, ec2:CreateTags when it tags). The service
// repairs templates through their default version instead and leaves a group pinned to a number for a person.
describe('Auto Scaling and launch templates: the apply step cannot launch', () => {
  const template = (account: string) => `arn:aws:ec2:eu-west-1:${account}:launch-template/lt-0123456789abcdef0`;
  const group = (account: string) => `arn:aws:autoscaling:eu-west-1:${account}:autoScalingGroup:0a1b2c3d-4e5f-6789-abcd-ef0123456789:autoScalingGroupName/web`;
  const launchContext = { ...tagged, 'ec2:LaunchTemplate': template(HUB_ACCOUNT), 'ec2:IsLaunchTemplateResource': 'true' };

  for (const [name, evaluate, account] of [
    ['single account apply', decide(single, 'IamAutohealApplyRole', HUB_ACCOUNT), HUB_ACCOUNT],
    ['member remediation role', decide(member, 'IamAutohealMemberRemediationRole', MEMBER_ACCOUNT), MEMBER_ACCOUNT],
  ] as const) {
    it(`${name}: repairs a tagged template through a new version and its default version`, async () => {
      expect(await evaluate('ec2:CreateLaunchTemplateVersion', template(account), { [OPT_IN]: 'on' })).toBe('allowed');
      expect(await evaluate('ec2:ModifyLaunchTemplate', template(account), { [OPT_IN]: 'on' })).toBe('allowed');
      expect(await evaluate('ec2:CreateLaunchTemplateVersion', template(account))).toBe('implicitDeny');
    });

    it(`${name}: is denied what Auto Scaling requires to repin a group, so no template and no role can be launched`, async () => {
      for (const resource of [template(account), `arn:aws:ec2:eu-west-1:${account}:instance/*`, `arn:aws:ec2:eu-west-1::image/ami-0abcdef1234567890`]) {
        expect(await evaluate('ec2:RunInstances', resource, launchContext), resource).toBe('explicitDeny');
      }
      for (const action of ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:CreateAutoScalingGroup']) {
        expect(await evaluate(action, group(account), { ...tagged, 'autoscaling:LaunchTemplateVersionSpecified': 'true' }), action).toBe('explicitDeny');
      }
      expect(await evaluate('ec2:CreateFleet', template(account), launchContext)).toBe('explicitDeny');
      expect(await evaluate('ec2:RequestSpotFleet', template(account), launchContext)).toBe('explicitDeny');
    });
  }
});

describe('single account: a read-only step (diagnose)', () => {
  const diagnose = decide(single, 'IamAutohealDiagnoseRole', HUB_ACCOUNT);

  it('reads, and writes nothing even on a tagged role', async () => {
    expect(await diagnose('iam:GetRole', appRole(HUB_ACCOUNT))).toBe('allowed');
    expect(await diagnose('iam:PutRolePolicy', appRole(HUB_ACCOUNT), tagged)).not.toBe('allowed');
    expect(await diagnose('iam:PassRole', appRole(HUB_ACCOUNT), { ...tagged, 'iam:PassedToService': 'ec2.amazonaws.com' })).not.toBe('allowed');
    expect(await diagnose('sts:AssumeRole', `arn:aws:iam::${MEMBER_ACCOUNT}:role/iam-autoheal-remediation`)).toBe('explicitDeny');
  });
});

describe('member account', () => {
  const write = decide(member, 'IamAutohealMemberRemediationRole', MEMBER_ACCOUNT);
  const read = decide(member, 'IamAutohealMemberReadRole', MEMBER_ACCOUNT);

  it('the write role makes the declared fixes, passes only tagged roles, and cannot touch the service', async () => {
    expect(await write('iam:UpdateAssumeRolePolicy', appRole(MEMBER_ACCOUNT), tagged)).toBe('allowed');
    expect(await write('iam:PassRole', appRole(MEMBER_ACCOUNT), { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('implicitDeny');
    expect(await write('iam:PutRolePolicy', `arn:aws:iam::${MEMBER_ACCOUNT}:role/iam-autoheal-remediation`, tagged)).toBe('explicitDeny');
    expect(await write('iam:DeleteRolePolicy', `arn:aws:iam::${MEMBER_ACCOUNT}:role/iam-autoheal-read`, tagged)).toBe('explicitDeny');
  });

  it('the read role reads and writes nothing', async () => {
    expect(await read('ec2:DescribeInstances', '*')).toBe('allowed');
    for (const action of ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:AttachRolePolicy', 'iam:PassRole']) {
      expect(await read(action, appRole(MEMBER_ACCOUNT), { ...tagged, 'iam:PassedToService': 'ec2.amazonaws.com' }), action).not.toBe('allowed');
    }
    expect(await read('ec2:AssociateIamInstanceProfile', `arn:aws:ec2:eu-west-1:${MEMBER_ACCOUNT}:instance/i-0abc1234def567890`, { [OPT_IN]: 'on' })).not.toBe('allowed');
  });
});

describe('the notifications topic', () => {
  it('lets EventBridge publish only for the execution-failed rule of this account', () => {
    const statements = Object.values(single.findResources('AWS::SNS::TopicPolicy')).flatMap((p: Json) => p.Properties.PolicyDocument.Statement);
    const fromEvents = statements.filter((s: Json) => JSON.stringify(s.Principal ?? {}).includes('events.amazonaws.com'));
    expect(fromEvents).toHaveLength(1);
    const [rule] = Object.entries(single.findResources('AWS::Events::Rule')).find(([, r]: [string, Json]) => r.Properties.Description?.includes('workflow failed'))!;
    expect(fromEvents[0]).toMatchObject({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT } },
    });
  });
});

describe('a deployment without scope.tag', () => {
  it('says at synth, as a warning, what its unconditioned writes allow', () => {
    const unscoped = buildApp({ remediations: REMEDIATIONS, config: {} });
    for (const stack of [unscoped.single, unscoped.hub, unscoped.member]) {
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('scope\\.tag is not set: the writes .*iam:PassRole.*iam:UpdateAssumeRolePolicy.* carry no opt-in tag condition'));
      expect(warnings, stack.stackName).toHaveLength(1);
    }
  });

  it('gives no such warning once scope.tag is set', () => {
    expect(Annotations.fromStack(built.single).findWarning('*', Match.stringLikeRegexp('scope\\.tag is not set'))).toEqual([]);
  });
});
