import { describe, expect, it } from 'vitest';
import { classify, isAuthorizationFailure } from '../../../handlers/core/events/index.ts';
import { ACCOUNT, AWS_SERVICE, IAM_USER, ROOT, SSM_INSTANCE, denial, instanceRole, record, roleSession } from './records.ts';

describe('classify: who was denied', () => {
  it('an EC2 instance-role session is access-denied, with the role ARN (path kept) and the instance', () => {
    const c = classify(denial({ userIdentity: instanceRole('i-0abc1234def567890', 'app', '/svc/') }));
    expect(c.kind).toBe('access-denied');
    expect(c.principal).toMatchObject({
      roleName: 'app',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/svc/app`,
      instanceId: 'i-0abc1234def567890',
      accountId: ACCOUNT,
      ec2RoleDelivery: '2.0',
    });
    expect(c.action).toBe('s3:GetObject');
    expect(c.resource).toBe('arn:aws:s3:::bucket/key');
    expect(c.denial).toMatchObject({ explicit: false, policyType: 'identity-based' });
  });

  it('without ec2RoleDelivery it is still a denial, and the reason says it will not be changed automatically', () => {
    const c = classify(denial({ userIdentity: instanceRole('i-0abc1234def567890', 'app', '/', null) }));
    expect(c.kind).toBe('access-denied');
    expect(c.principal.ec2RoleDelivery).toBeNull();
    expect(c.reason).toMatch(/never changed automatically/);
  });

  it('accepts an upper-case I- session and a placeholder principalId (instance from the ARN)', () => {
    const upper = instanceRole('I-0ABC1234DEF567890');
    expect(classify(denial({ userIdentity: upper })).principal.instanceId).toBe('I-0ABC1234DEF567890');
    const placeholder = { ...instanceRole('i-0abc1234def567890'), principalId: 'PRINCIPALID' };
    expect(classify(denial({ userIdentity: placeholder }))).toMatchObject({ kind: 'access-denied', principal: { instanceId: 'i-0abc1234def567890' } });
  });

  it.each([
    ['IAM user', IAM_USER, /IAM user jo/],
    ['root', ROOT, /root user/],
    ['AWS service', AWS_SERVICE, /AWS service cloudtrail\.amazonaws\.com/],
    ["Systems Manager's aws:ec2-instance identity", SSM_INSTANCE, /aws:ec2-instance/],
    ['Lambda role session', roleSession('fn-role', 'my-function', '/service-role/'), /"my-function" of fn-role/],
    ['IAM Identity Center role session', roleSession('AWSReservedSSO_Admin_0123456789abcdef', 'jo@example.com', '/aws-reserved/sso.amazonaws.com/'), /Identity Center/],
    ['ECS task role session', roleSession('task-role', 'd190d14a-2404-45d6-9113-4eda22d7f2c7'), /not an EC2 instance session/],
    ['SDK session of a role', roleSession('ci', 'aws-go-sdk-1722455550269043000'), /not an EC2 instance session/],
    ['session named like a word starting with i-', roleSession('ci', 'i-am-not-an-instance'), /not an EC2 instance session/],
  ])('a denial of the %s is ignored, with the reason', (_name, userIdentity, reason) => {
    const c = classify(denial({ userIdentity }));
    expect(c.kind).toBe('ignored');
    expect(c.principal.instanceId).toBeNull();
    expect(c.reason).toMatch(reason);
    // The message is still read, for whoever looks at the ignored record.
    expect(c.denial?.policyType).toBe('identity-based');
  });

  it('keeps the role ARN with its path for other role sessions too', () => {
    const c = classify(denial({ userIdentity: roleSession('fn-role', 'my-function', '/service-role/') }));
    expect(c.principal).toMatchObject({ roleName: 'fn-role', roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/fn-role`, sessionName: 'my-function' });
  });
});

describe('classify: what counts as a denial', () => {
  it.each([
    'AccessDenied',
    'AccessDeniedException',
    'Client.UnauthorizedOperation',
    'UnauthorizedOperation',
    'VpceAccessDenied',
    'AuthorizationError',
  ])('%s from an instance role is access-denied', (errorCode) => {
    expect(classify(denial({ errorCode })).kind).toBe('access-denied');
    expect(isAuthorizationFailure(errorCode)).toBe(true);
  });

  it.each(['ThrottlingException', 'NoSuchKey', 'InvalidParameterValue', 'ExpiredToken', 'Client.InvalidInstanceID.NotFound'])(
    '%s is a failure but not an authorization failure: ignored',
    (errorCode) => {
      const c = classify(denial({ errorCode, errorMessage: 'something else went wrong' }));
      expect(c.kind).toBe('ignored');
      expect(c.reason).toContain(errorCode);
      expect(c.denial).toBeNull();
    },
  );

  it('a dry run (Client.DryRunOperation) is neither a denial nor a launch', () => {
    const c = classify(record({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', errorCode: 'Client.DryRunOperation', errorMessage: 'Request would have succeeded, but DryRun flag is set.' }));
    expect(c.kind).toBe('ignored');
    expect(c.reason).toMatch(/dry run/);
  });

  it('a successful call by an instance role is ignored', () => {
    expect(classify(record({})).kind).toBe('ignored');
  });

  it('a denied RunInstances by an instance role is a denial, not a launch', () => {
    const c = classify(denial({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.' }));
    expect(c).toMatchObject({ kind: 'access-denied', action: 'ec2:RunInstances', launch: null });
  });

  it('takes the action from the eventName when the message names none', () => {
    const c = classify(denial({ eventSource: 'monitoring.amazonaws.com', eventName: 'PutMetricData', errorMessage: 'Access Denied' }));
    expect(c.action).toBe('cloudwatch:PutMetricData');
  });
});

describe('classify: launches', () => {
  const run = (fields: Parameters<typeof record>[0]) =>
    classify(record({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', userIdentity: IAM_USER, ...fields }));
  const instances = (...items: object[]) => ({ instancesSet: { items } });

  it('profile by name in the request', () => {
    const c = run({ requestParameters: { iamInstanceProfile: { name: 'web' } }, responseElements: instances({ instanceId: 'i-0aaa1111bbbb22223' }) });
    expect(c).toMatchObject({ kind: 'launch', launch: { instanceIds: ['i-0aaa1111bbbb22223'], instanceProfile: 'web', viaAutoScaling: false } });
  });

  it('profile by ARN in the request wins over the response', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:instance-profile/svc/web`;
    const c = run({ requestParameters: { iamInstanceProfile: { arn } }, responseElements: instances({ instanceId: 'i-1', iamInstanceProfile: { arn: 'other', id: 'AIPA1' } }) });
    expect(c.launch?.instanceProfile).toBe(arn);
  });

  it('profile only in the response items ({arn, id})', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:instance-profile/web`;
    const c = run({ requestParameters: {}, responseElements: instances({ instanceId: 'i-1', iamInstanceProfile: { arn, id: 'AIPAEXAMPLE' } }) });
    expect(c.launch?.instanceProfile).toBe(arn);
  });

  it('no profile anywhere', () => {
    const c = run({ requestParameters: { instanceType: 't3.micro' }, responseElements: instances({ instanceId: 'i-1' }, { instanceId: 'i-2' }) });
    expect(c.launch).toMatchObject({ instanceIds: ['i-1', 'i-2'], instanceProfile: null, launchTemplate: null });
    expect(c.reason).toMatch(/no instance profile/);
  });

  it('from a launch template, by name and version', () => {
    const c = run({ requestParameters: { launchTemplate: { launchTemplateName: 'web', version: '$Latest' } }, responseElements: instances({ instanceId: 'i-1' }) });
    expect(c.launch?.launchTemplate).toEqual({ launchTemplateId: null, launchTemplateName: 'web', version: '$Latest' });
  });

  it('by the Auto Scaling service-linked role, with the group from the request tags', () => {
    const c = run({
      userIdentity: roleSession('AWSServiceRoleForAutoScaling', 'AutoScaling', '/aws-service-role/autoscaling.amazonaws.com/'),
      requestParameters: {
        launchTemplate: { launchTemplateId: 'lt-0123', version: '3' },
        tagSpecificationSet: { items: [{ resourceType: 'instance', tags: [{ key: 'aws:autoscaling:groupName', value: 'web-asg' }] }] },
      },
      responseElements: instances({ instanceId: 'i-1' }),
    });
    expect(c.launch).toMatchObject({ viaAutoScaling: true, autoScalingGroup: 'web-asg', launchTemplate: { launchTemplateId: 'lt-0123', version: '3' } });
  });

  it('by any principal with invokedBy autoscaling', () => {
    const c = run({ userIdentity: { ...ROOT, invokedBy: 'autoscaling.amazonaws.com' }, responseElements: instances({ instanceId: 'i-1' }) });
    expect(c.launch?.viaAutoScaling).toBe(true);
  });
});

describe('classify: changes', () => {
  const iam = (eventName: string, requestParameters: Record<string, unknown>) =>
    classify(record({ eventSource: 'iam.amazonaws.com', eventName, userIdentity: IAM_USER, requestParameters, awsRegion: 'us-east-1' }));
  const ec2 = (eventName: string, requestParameters: Record<string, unknown>, responseElements: Record<string, unknown> | null = null) =>
    classify(record({ eventSource: 'ec2.amazonaws.com', eventName, userIdentity: IAM_USER, requestParameters, responseElements }));

  it.each([
    ['PutRolePolicy', { roleName: 'app', policyName: 'read' }, 'role-policy', 'app', false, { policyName: 'read' }],
    ['DeleteRolePolicy', { roleName: 'app', policyName: 'read' }, 'role-policy', 'app', true, { policyName: 'read' }],
    ['AttachRolePolicy', { roleName: 'app', policyArn: 'arn:aws:iam::aws:policy/X' }, 'role-policy', 'app', false, { policyArn: 'arn:aws:iam::aws:policy/X' }],
    ['DetachRolePolicy', { roleName: 'app', policyArn: 'arn:aws:iam::aws:policy/X' }, 'role-policy', 'app', true, { policyArn: 'arn:aws:iam::aws:policy/X' }],
    ['AddRoleToInstanceProfile', { instanceProfileName: 'web', roleName: 'app' }, 'instance-profile', 'web', false, { roleName: 'app' }],
    ['RemoveRoleFromInstanceProfile', { instanceProfileName: 'web', roleName: 'app' }, 'instance-profile', 'web', true, { roleName: 'app' }],
    ['DeletePolicy', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/app` }, 'managed-policy', `arn:aws:iam::${ACCOUNT}:policy/app`, true, undefined],
    ['SetDefaultPolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/app`, versionId: 'v3' }, 'managed-policy', `arn:aws:iam::${ACCOUNT}:policy/app`, true, { versionId: 'v3' }],
  ] as const)('%s → %s %s (breaking %s)', (eventName, params, resourceType, resource, breaking, detail) => {
    const c = iam(eventName, params);
    expect(c.kind).toBe('change');
    expect(c.change).toMatchObject({ resourceType, resource, breaking });
    if (detail) expect(c.change?.detail).toMatchObject(detail);
  });

  it('UpdateAssumeRolePolicy is breaking when EC2 can no longer assume the role', () => {
    const ec2Trust = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' }] });
    const lambdaOnly = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(iam('UpdateAssumeRolePolicy', { roleName: 'app', policyDocument: ec2Trust }).change?.breaking).toBe(false);
    expect(iam('UpdateAssumeRolePolicy', { roleName: 'app', policyDocument: lambdaOnly }).change?.breaking).toBe(true);
    expect(iam('UpdateAssumeRolePolicy', { roleName: 'app', policyDocument: '{not json' }).change?.breaking).toBe(true);
  });

  it('AssociateIamInstanceProfile (EC2 wraps it in …Request/…Response)', () => {
    const c = ec2(
      'AssociateIamInstanceProfile',
      { AssociateIamInstanceProfileRequest: { InstanceId: 'i-0abc1234def567890', IamInstanceProfile: { Name: 'web' } } },
      { AssociateIamInstanceProfileResponse: { iamInstanceProfileAssociation: { associationId: 'iip-assoc-1', instanceId: 'i-0abc1234def567890', state: 'associating' } } },
    );
    expect(c.change).toMatchObject({ resourceType: 'profile-association', resource: 'i-0abc1234def567890', breaking: false, detail: { instanceProfile: 'web', associationId: 'iip-assoc-1' } });
  });

  it('ReplaceIamInstanceProfileAssociation and DisassociateIamInstanceProfile name the instance from the response', () => {
    const response = (name: string) => ({ [`${name}Response`]: { iamInstanceProfileAssociation: { associationId: 'iip-assoc-2', instanceId: 'i-0abc1234def567890', iamInstanceProfile: { arn: 'arn:aws:iam::1:instance-profile/web', id: 'AIPA' } } } });
    const replaced = ec2('ReplaceIamInstanceProfileAssociation', { ReplaceIamInstanceProfileAssociationRequest: { AssociationId: 'iip-assoc-1', IamInstanceProfile: { Arn: 'arn:aws:iam::1:instance-profile/web' } } }, response('ReplaceIamInstanceProfileAssociation'));
    expect(replaced.change).toMatchObject({ resource: 'i-0abc1234def567890', breaking: true, detail: { replacedAssociationId: 'iip-assoc-1', associationId: 'iip-assoc-2' } });
    const gone = ec2('DisassociateIamInstanceProfile', { DisassociateIamInstanceProfileRequest: { AssociationId: 'iip-assoc-2' } }, response('DisassociateIamInstanceProfile'));
    expect(gone.change).toMatchObject({ resourceType: 'profile-association', resource: 'i-0abc1234def567890', breaking: true });
  });

  it('launch templates: a version without a profile is breaking, one with a profile is not', () => {
    const without = ec2(
      'CreateLaunchTemplateVersion',
      { CreateLaunchTemplateVersionRequest: { LaunchTemplateId: 'lt-0123', LaunchTemplateData: { InstanceType: 't3.micro' } } },
      { CreateLaunchTemplateVersionResponse: { launchTemplateVersion: { launchTemplateId: 'lt-0123', versionNumber: 4 } } },
    );
    expect(without.change).toMatchObject({ resourceType: 'launch-template', resource: 'lt-0123', breaking: true, detail: { version: '4', instanceProfile: null } });
    const withProfile = ec2('CreateLaunchTemplate', { CreateLaunchTemplateRequest: { LaunchTemplateName: 'web', LaunchTemplateData: { IamInstanceProfile: { Name: 'web' } } } }, { CreateLaunchTemplateResponse: { launchTemplate: { launchTemplateId: 'lt-0456', launchTemplateName: 'web' } } });
    expect(withProfile.change).toMatchObject({ resource: 'lt-0456', breaking: false, detail: { instanceProfile: 'web' } });
    const modified = ec2('ModifyLaunchTemplate', { ModifyLaunchTemplateRequest: { LaunchTemplateId: 'lt-0123', SetDefaultVersion: '4' } });
    expect(modified.change).toMatchObject({ resource: 'lt-0123', breaking: true, detail: { defaultVersion: '4' } });
  });

  it('Auto Scaling groups: pointing a group at another template can break it, a size change cannot', () => {
    const asg = (eventName: string, requestParameters: Record<string, unknown>) =>
      classify(record({ eventSource: 'autoscaling.amazonaws.com', eventName, userIdentity: IAM_USER, requestParameters }));
    expect(asg('UpdateAutoScalingGroup', { autoScalingGroupName: 'web', launchTemplate: { launchTemplateId: 'lt-0123', version: '5' } }).change).toMatchObject({ resourceType: 'auto-scaling-group', resource: 'web', breaking: true, detail: { launchTemplateId: 'lt-0123', version: '5' } });
    expect(asg('UpdateAutoScalingGroup', { autoScalingGroupName: 'web', desiredCapacity: 4 }).change?.breaking).toBe(false);
    expect(asg('CreateAutoScalingGroup', { autoScalingGroupName: 'web', launchTemplate: { launchTemplateName: 'web' } }).change).toMatchObject({ resource: 'web', breaking: false });
  });

  it('a failed change changed nothing: ignored', () => {
    const c = classify(record({ eventSource: 'iam.amazonaws.com', eventName: 'DetachRolePolicy', userIdentity: IAM_USER, errorCode: 'NoSuchEntity', requestParameters: { roleName: 'app' } }));
    expect(c.kind).toBe('ignored');
  });
});
