import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../handlers/adapters/simulated/index.ts';
import type { CloudTrailRecord } from '../../../handlers/core/events/records.ts';
import { ACCOUNT, diagnoseAndGuard, denialRecord, EC2_TRUST, OPT_IN, READ_CONFIG, scenario } from './harness.ts';

const DENY_S3 = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }] };
const EVERYTHING = { 'missing-permission': 'auto', 'trust-missing-ec2': 'auto', 'profile-without-role': 'auto', 'stale-credentials': 'auto' };

describe('never changed automatically: escalate with the evidence and the owner', () => {
  it('organization-policy: an SCP denies the call (from the message)', async () => {
    const s = scenario({ serviceControlPolicies: [DENY_S3] }, { modes: EVERYTHING });
    const message = `User: arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0aaa1111bbbb2222c is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::config-bucket/app.json" with an explicit deny in a service control policy`;
    const run = await diagnoseAndGuard(s, [denialRecord({ errorMessage: message })]);
    expect(run.diagnosis).toMatchObject({ cause: 'organization-policy', plan: [], owner: expect.stringMatching(/Organizations administrators/) });
    expect(run.decision.verdict).toBe('escalate');
    expect(run.account.counters).toMatchObject({ iamWrites: 0, ec2Writes: 0 });
  });

  it('permissions-boundary: the boundary does not allow it (from the simulation, message says nothing)', async () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
    const s = scenario(
      { roles: [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { 'read-config': READ_CONFIG }, permissionsBoundary: boundary, tags: OPT_IN }], policies: [{ arn: boundary, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] } }] },
      { modes: EVERYTHING },
    );
    // The legacy message form names the resource but not the blocking policy.
    const message = `User: arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0aaa1111bbbb2222c is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::config-bucket/app.json`;
    const run = await diagnoseAndGuard(s, [denialRecord({ errorMessage: message })]);
    expect(run.diagnosis.subject.resource).toBe('arn:aws:s3:::config-bucket/app.json');
    expect(run.diagnosis).toMatchObject({ cause: 'permissions-boundary', plan: [] });
    expect(run.diagnosis.owner).toContain(boundary);
    expect(run.decision.verdict).toBe('escalate');
  });

  it('explicit-deny: an inline Deny on the role itself (from the simulation)', async () => {
    const s = scenario({ roles: [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { 'read-config': READ_CONFIG, 'no-s3': DENY_S3 }, tags: OPT_IN }] }, { modes: EVERYTHING });
    const run = await diagnoseAndGuard(s, [denialRecord({ errorMessage: 'Access Denied' })]);
    expect(run.diagnosis.cause).toBe('explicit-deny');
    expect(run.diagnosis.summary).toMatch(/no-s3/);
    expect(run.decision.verdict).toBe('escalate');
    expect(await run.account.ports.iam.listInlinePolicies('app')).toHaveProperty('no-s3');
  });

  it("not-instance-role: a Pod Identity denial (real record) leaves the node's role alone", async () => {
    const path = 'test/fixtures/cloudtrail/denied--instance-role--eks-auth-assumeroleforpodidentity.json';
    const record = JSON.parse(readFileSync(path, 'utf8')) as CloudTrailRecord;
    const node = 'eks-bootstrap-template-ws-EKSNodegroupRole-E1potkq4Auqa';
    const s = parseScenario(
      {
        name: 'eks node',
        account: {
          accountId: '753273931759', region: 'us-west-2',
          roles: [{ name: node, trustPolicy: EC2_TRUST, managedPolicies: [], tags: OPT_IN }],
          instanceProfiles: [{ name: node, roles: [node] }],
          instances: [{ id: 'i-02930ce60274d87a7', instanceProfile: node, tags: OPT_IN }],
        },
        config: { modes: EVERYTHING, expectedPermissions: [{ role: '*', statements: [{ Effect: 'Allow', Action: 'eks-auth:AssumeRoleForPodIdentity', Resource: 'arn:aws:eks:us-west-2:753273931759:cluster/eksworkshop-eksctl' }] }] },
      },
      path,
    );
    const run = await diagnoseAndGuard(s, [record]);
    expect(run.diagnosis.cause).toBe('not-instance-role');
    expect(run.diagnosis.plan).toEqual([]);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.diagnosis.owner).toMatch(/EKS cluster administrators/);
    expect(run.account.counters).toMatchObject({ iamWrites: 0, ec2Writes: 0 });
  });
});
