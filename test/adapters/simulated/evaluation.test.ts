import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import { awsManagedPolicyDocument } from '../../../handlers/adapters/simulated/managed-policies.ts';
import { ACCOUNT_ID, buildScenario, INSTANCE_ID, ROLE_ARN } from './build-scenario.ts';

const SSM_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT_ID}:policy/boundary`;

async function decide(account: SimulatedAccount, action: string, resource = '*', context: Array<{ key: string; values: string[]; type: 'string' }> = []) {
  const [result] = await account.ports.iam.simulatePrincipalPolicy({ roleArn: ROLE_ARN, actions: [action], resources: [resource], context });
  return result!;
}

describe('IAM evaluation in the simulated account', () => {
  it("uses AWS's real document for AmazonSSMManagedInstanceCore", async () => {
    const document = awsManagedPolicyDocument(SSM_CORE);
    expect(JSON.stringify(document)).toContain('ssm:UpdateInstanceInformation');
    expect(JSON.stringify(document)).toContain('ssmmessages:CreateControlChannel');
    expect(awsManagedPolicyDocument('arn:aws:iam::aws:policy/NoSuchPolicyAtAll')).toBeNull();
    // The path is part of the ARN: a right name under a wrong path is no policy.
    expect(awsManagedPolicyDocument('arn:aws:iam::aws:policy/AmazonEC2RoleforSSM')).toBeNull();
    expect(awsManagedPolicyDocument('arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM')).not.toBeNull();
    const account = new SimulatedAccount(buildScenario());
    expect(await account.ports.iam.getManagedPolicyDocument(SSM_CORE)).toEqual(document);
  });

  it('allows what an inline or attached policy allows, and names the policy that matched', async () => {
    const account = new SimulatedAccount(buildScenario({ role: { managedPolicies: [SSM_CORE] } }));
    const read = await decide(account, 's3:GetObject', 'arn:aws:s3:::config-bucket/app.json');
    expect(read.decision).toBe('allowed');
    expect(read.matchedStatements).toEqual([{ sourcePolicyId: 'read-config', sourcePolicyType: 'role' }]);
    const ssm = await decide(account, 'ssm:UpdateInstanceInformation');
    expect(ssm).toMatchObject({ decision: 'allowed', matchedStatements: [{ sourcePolicyId: SSM_CORE, sourcePolicyType: 'aws-managed' }] });
    expect((await decide(account, 's3:PutObject', 'arn:aws:s3:::config-bucket/app.json')).decision).toBe('implicitDeny');
    expect((await decide(account, 's3:GetObject', 'arn:aws:s3:::other-bucket/app.json')).decision).toBe('implicitDeny');
  });

  it('reports an explicit deny with the statement that denied', async () => {
    const deny = { Version: '2012-10-17', Statement: [{ Sid: 'NoSecrets', Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::config-bucket/secret/*' }] };
    const account = new SimulatedAccount(buildScenario({ role: { inlinePolicies: { 'read-config': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }, 'no-secrets': deny } } }));
    const result = await decide(account, 's3:GetObject', 'arn:aws:s3:::config-bucket/secret/key');
    expect(result).toMatchObject({ decision: 'explicitDeny', matchedStatements: [{ sourcePolicyId: 'no-secrets', sourcePolicyType: 'role' }] });
  });

  it('applies the permissions boundary: allowed by identity, denied outside the boundary', async () => {
    const boundary = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }] };
    const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'sqs:*'], Resource: '*' }] };
    const account = new SimulatedAccount(
      buildScenario({ account: { policies: [{ arn: BOUNDARY_ARN, document: boundary }] }, role: { permissionsBoundary: BOUNDARY_ARN, inlinePolicies: { everything } } }),
    );
    expect(await decide(account, 's3:GetObject', 'arn:aws:s3:::b/k')).toMatchObject({ decision: 'allowed', permissionsBoundaryAllowed: true });
    expect(await decide(account, 'sqs:SendMessage', `arn:aws:sqs:eu-west-1:${ACCOUNT_ID}:jobs`)).toMatchObject({ decision: 'implicitDeny', permissionsBoundaryAllowed: false });
  });

  it('applies service control policies on top of FullAWSAccess: an SCP deny wins over an identity allow', async () => {
    const scp = { Id: 'deny-s3-delete', Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }] };
    const account = new SimulatedAccount(
      buildScenario({ account: { serviceControlPolicies: [scp] }, role: { inlinePolicies: { s3: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } } } }),
    );
    expect(await decide(account, 's3:DeleteObject', 'arn:aws:s3:::b/k')).toMatchObject({
      decision: 'explicitDeny',
      organizationsAllowed: false,
      matchedStatements: [{ sourcePolicyId: 'deny-s3-delete', sourcePolicyType: 'scp' }],
    });
    expect(await decide(account, 's3:GetObject', 'arn:aws:s3:::b/k')).toMatchObject({ decision: 'allowed', organizationsAllowed: true });
  });

  it('evaluates conditions against the context keys of the request', async () => {
    const fromVpc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-0abc' } } }] };
    const account = new SimulatedAccount(buildScenario({ role: { inlinePolicies: { 'from-vpc': fromVpc } } }));
    expect((await decide(account, 's3:GetObject', 'arn:aws:s3:::b/k', [{ key: 'aws:SourceVpc', values: ['vpc-0abc'], type: 'string' }])).decision).toBe('allowed');
    expect((await decide(account, 's3:GetObject', 'arn:aws:s3:::b/k', [{ key: 'aws:SourceVpc', values: ['vpc-0def'], type: 'string' }])).decision).toBe('implicitDeny');
  });

  it('keeps a policy change invisible to evaluation until propagationSeconds have passed, while reads see it at once', async () => {
    const account = new SimulatedAccount(buildScenario());
    await account.ports.iam.attachRolePolicy('app', SSM_CORE);
    expect(await account.ports.iam.listAttachedPolicies('app')).toEqual([{ arn: SSM_CORE, name: 'AmazonSSMManagedInstanceCore' }]);
    expect((await decide(account, 'ssm:UpdateInstanceInformation')).decision).toBe('implicitDeny');
    account.clock.advance(4.9);
    expect((await decide(account, 'ssm:UpdateInstanceInformation')).decision).toBe('implicitDeny');
    account.clock.advance(0.1);
    expect((await decide(account, 'ssm:UpdateInstanceInformation')).decision).toBe('allowed');

    await account.ports.iam.detachRolePolicy('app', SSM_CORE);
    expect((await decide(account, 'ssm:UpdateInstanceInformation')).decision).toBe('allowed');
    account.clock.advance(5);
    expect((await decide(account, 'ssm:UpdateInstanceInformation')).decision).toBe('implicitDeny');
  });

  it('treats a scenario change stamped moments before the start as not yet propagated', async () => {
    const account = new SimulatedAccount(buildScenario({ role: { managedPolicies: [{ arn: SSM_CORE, updatedAt: '2026-10-02T07:59:58Z' }] } }));
    expect((await decide(account, 'ssm:UpdateInstanceInformation')).decision).toBe('implicitDeny');
    account.clock.advance(3);
    expect((await decide(account, 'ssm:UpdateInstanceInformation')).decision).toBe('allowed');
  });

  it('answers many repeated questions quickly (memoized per propagated state)', async () => {
    const account = new SimulatedAccount(buildScenario({ physics: { apiRates: { 'iam-read': 100_000 } } }));
    const started = performance.now();
    for (let i = 0; i < 2000; i++) await decide(account, 's3:GetObject', 'arn:aws:s3:::config-bucket/app.json');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(account.counters.reads).toBe(2000);
  });

  it('lets an instance call only with delivered credentials of a role EC2 may assume', async () => {
    const account = new SimulatedAccount(buildScenario({ role: { trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } }));
    await account.ports.ec2.associateProfile(INSTANCE_ID, { name: 'app' });
    account.clock.advance(10);
    const outcome = await account.instanceCanCall(INSTANCE_ID, 's3:GetObject', 'arn:aws:s3:::config-bucket/app.json');
    expect(outcome).toMatchObject({ allowed: false, role: null });
    expect(outcome.reason).toMatch(/trust policy of role app does not let ec2\.amazonaws\.com assume it/);
  });
});
