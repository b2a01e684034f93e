/**
 * Never undo an incident response: a quarantine tag, a profile taken away or swapped by someone else, an
 * `iam-autoheal undo`, a declared policy detached by a person — each is escalated, nothing is repaired.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimulatedAccount } from '../../../handlers/adapters/simulated/index.ts';
import type { AuditRecord } from '../../../handlers/core/audit-record.ts';
import { diagnose } from '../../../handlers/core/diagnosis/index.ts';
import type { CloudTrailRecord } from '../../../handlers/core/events/records.ts';
import { guard } from '../../../handlers/core/guard.ts';
import { ACCOUNT, applyAll, denialRecord, diagnoseAndGuard, EC2_TRUST, incidentOf, INSTANCE, launchRecord, OPT_IN, READ_CONFIG, REGION, scenario, START, type Run } from './harness.ts';

const AUTO = { 'no-instance-profile': 'auto', 'missing-permission': 'auto', 'stale-credentials': 'auto', 'stale-launch-template': 'auto' };
const QUARANTINE = { 'iam-autoheal:quarantine': 'IR-2291' };

/** The real IAM change record (test/fixtures/cloudtrail), as `eventName` by `user` in this account. */
function changeRecord(eventSource: string, eventName: string, requestParameters: unknown, responseElements: unknown, user = 'responder.ana', time = '2026-10-02T07:58:00Z'): CloudTrailRecord {
  const record = JSON.parse(readFileSync(new URL('../../fixtures/cloudtrail/change--attach-role-policy--iam-user.json', import.meta.url), 'utf8'));
  Object.assign(record, { eventSource, eventName, requestParameters, responseElements, recipientAccountId: ACCOUNT, awsRegion: REGION, eventTime: time, eventID: `change-${eventName}` });
  Object.assign(record.userIdentity, { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/${user}`, userName: user });
  return record;
}

function disassociation(instanceId: string, user?: string): CloudTrailRecord {
  return changeRecord('ec2.amazonaws.com', 'DisassociateIamInstanceProfile',
    { DisassociateIamInstanceProfileRequest: { AssociationId: 'iip-assoc-0123456789abcdef0' } },
    { DisassociateIamInstanceProfileResponse: { iamInstanceProfileAssociation: { associationId: 'iip-assoc-0123456789abcdef0', instanceId, state: 'disassociating', iamInstanceProfile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/app`, id: 'AIPAEXAMPLE' } } } },
    user);
}

async function expectNoChange(run: Run): Promise<void> {
  const before = run.account.snapshot();
  await applyAll(run.account.ports, run.decision.allowed);
  expect(run.account.snapshot()).toEqual(before);
}

const bare = (over: Record<string, unknown> = {}) => ({ id: INSTANCE, state: 'running', instanceProfile: null, tags: OPT_IN, ...over });
const withBaseline = { modes: AUTO, baselineInstanceProfile: 'app' };

describe('the quarantine tag (iam-autoheal:quarantine) is honoured', () => {
  it('on the instance: its missing profile is never associated; escalated, naming the tag', async () => {
    const run = await diagnoseAndGuard(scenario({ instances: [bare({ tags: { ...OPT_IN, ...QUARANTINE } })] }, withBaseline), [launchRecord([INSTANCE])]);
    expect(run.diagnosis.cause).toBe('incident-response');
    expect(run.diagnosis.summary).toMatch(/instance i-0aaa1111bbbb2222c carries iam-autoheal:quarantine=IR-2291: an incident response is respected/);
    expect(run.decision).toMatchObject({ verdict: 'escalate', allowed: [] });
    expect(run.decision.reason).toMatch(/incident-response is never changed automatically; talk to the incident responders/);
    await expectNoChange(run);
  });

  it('on the role: a declared policy is not re-attached to a quarantined role', async () => {
    const policy = 'arn:aws:iam::111122223333:policy/app-read';
    const s = scenario({
      roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: { ...OPT_IN, ...QUARANTINE } }],
      policies: [{ arn: policy, document: READ_CONFIG }],
    }, { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [policy] }] });
    const run = await diagnoseAndGuard(s, [denialRecord()]);
    expect(run.diagnosis.cause).toBe('incident-response');
    expect(run.decision.verdict).toBe('escalate');
    await expectNoChange(run);
  });

  it('on a profile the plan would hand out: refused by the guard too', async () => {
    const s = scenario({ instanceProfiles: [{ name: 'app', roles: ['app'], tags: QUARANTINE }], instances: [bare()] }, withBaseline);
    const run = await diagnoseAndGuard(s, [launchRecord([INSTANCE])]);
    expect(run.decision.verdict).toBe('escalate');
    expect(run.decision.reason).toMatch(/carries the quarantine tag iam-autoheal:quarantine/);
    await expectNoChange(run);
  });
});

describe('a profile taken away by someone else is intent, not a fault', () => {
  it('a recent DisassociateIamInstanceProfile by a person: the profile is not re-associated', async () => {
    const run = await diagnoseAndGuard(scenario({ instances: [bare()] }, withBaseline), [disassociation(INSTANCE), launchRecord([INSTANCE])]);
    expect(run.diagnosis.cause).toBe('incident-response');
    expect(run.diagnosis.summary).toMatch(/responder\.ana called DisassociateIamInstanceProfile on i-0aaa1111bbbb2222c \d+s ago \(profile/);
    await expectNoChange(run);
  });

  it('a quarantine profile swapped in by a responder (ReplaceIamInstanceProfileAssociation): its denials are not "fixed" by a refresh or a grant', async () => {
    const denyAll = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
    const s = scenario({
      roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN }, { name: 'quarantine', trustPolicy: EC2_TRUST, inlinePolicies: { 'deny-all': denyAll }, tags: OPT_IN }],
      instanceProfiles: [{ name: 'app', roles: ['app'] }, { name: 'quarantine', roles: ['quarantine'] }],
      instances: [{ id: INSTANCE, state: 'running', instanceProfile: 'quarantine', associatedAt: '2026-10-02T07:58:00Z', tags: OPT_IN }],
    }, withBaseline);
    const swap = changeRecord('ec2.amazonaws.com', 'ReplaceIamInstanceProfileAssociation',
      { ReplaceIamInstanceProfileAssociationRequest: { AssociationId: 'iip-assoc-0aaaaaaaaaaaaaaa1', IamInstanceProfile: { Name: 'quarantine' } } },
      { ReplaceIamInstanceProfileAssociationResponse: { iamInstanceProfileAssociation: { associationId: 'iip-assoc-0bbbbbbbbbbbbbbb2', instanceId: INSTANCE, state: 'associating', iamInstanceProfile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/quarantine`, id: 'AIPAEXAMPLE2' } } } });
    const run = await diagnoseAndGuard(s, [swap, denialRecord({ role: 'quarantine', time: '2026-10-02T07:59:30Z' })]);
    expect(run.diagnosis.cause).toBe('incident-response');
    expect(run.diagnosis.summary).toMatch(/responder\.ana called ReplaceIamInstanceProfileAssociation on i-0aaa1111bbbb2222c/);
    await expectNoChange(run);
  });

  it('the same disassociation made by this service itself (its own role) is not mistaken for a responder', async () => {
    const own = disassociation(INSTANCE);
    (own as unknown as { userIdentity: Record<string, unknown> }).userIdentity = {
      type: 'AssumedRole', accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/iam-autoheal-remediation/apply`,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/iam-autoheal-remediation`, userName: 'iam-autoheal-remediation', accountId: ACCOUNT } },
    };
    const run = await diagnoseAndGuard(scenario({ instances: [bare()] }, withBaseline), [own, launchRecord([INSTANCE])]);
    expect(run.diagnosis.cause).toBe('no-instance-profile');
    expect(run.decision.verdict).toBe('apply');
  });

  it('an instance launched from a template version that names a profile, with none now: someone removed it (no event needed: the sweep sees it too)', async () => {
    const templates = [{ id: 'lt-0123', name: 'app', defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: 'app' }], tags: OPT_IN }];
    const run = await diagnoseAndGuard(scenario({ launchTemplates: templates, instances: [bare({ launchTemplate: { id: 'lt-0123', version: '1' } })] }, withBaseline), [launchRecord([INSTANCE])]);
    expect(run.diagnosis.cause).toBe('incident-response');
    expect(run.diagnosis.summary).toMatch(/was launched from lt-0123 version 1, which names profile app, and has none now/);
    await expectNoChange(run);
  });

  it('an `iam-autoheal undo` of an association is a person\'s decision: the next run does not associate again', async () => {
    const s = scenario({ instances: [bare()] }, withBaseline);
    const account = new SimulatedAccount(s);
    const incident = incidentOf([launchRecord([INSTANCE])]);
    const undone: AuditRecord = {
      incidentKey: incident.key, executionName: 'earlier', step: '0004-undo-result', phase: 'undo-result', cause: 'no-instance-profile', account: ACCOUNT, region: REGION,
      target: INSTANCE, action: 'associate-profile', before: null, after: null, result: 'undone', error: null, actor: 'arn:aws:iam::111122223333:user/oncall.li', timestamp: START, params: { profileName: 'app' },
    } as unknown as AuditRecord;
    const diagnosis = await diagnose(account.ports, incident, s.config, { recentAudit: [undone] });
    expect(diagnosis.cause).toBe('incident-response');
    expect(diagnosis.summary).toMatch(/oncall\.li undid associate-profile on i-0aaa1111bbbb2222c/);
    expect(guard(diagnosis, s.config, { iamChangesThisHour: 0, ec2ChangesThisHour: 0 }).verdict).toBe('escalate');
  });
});

describe('a declared policy detached by a person is escalated, not re-attached', () => {
  const policy = 'arn:aws:iam::111122223333:policy/app-read';
  const detach = (user: string) => changeRecord('iam.amazonaws.com', 'DetachRolePolicy', { policyArn: policy, roleName: 'app' }, null, user);
  const account = () => scenario({ roles: [{ name: 'app', trustPolicy: EC2_TRUST, tags: OPT_IN }], policies: [{ arn: policy, document: READ_CONFIG }] },
    { modes: AUTO, expectedPermissions: [{ role: 'app', policyArns: [policy] }] });

  it('the detach by responder.ana is named; nothing is attached', async () => {
    const run = await diagnoseAndGuard(account(), [detach('responder.ana'), denialRecord()]);
    expect(run.diagnosis.cause).toBe('incident-response');
    expect(run.diagnosis.summary).toMatch(/responder\.ana called DetachRolePolicy on app \d+s ago \(arn:aws:iam::111122223333:policy\/app-read\)/);
    await expectNoChange(run);
  });

  it('without that event the same denial re-attaches the declared policy', async () => {
    const run = await diagnoseAndGuard(account(), [denialRecord()]);
    expect(run.diagnosis.cause).toBe('missing-permission');
    expect(run.decision.allowed.map((a) => a.type)).toEqual(['attach-policy']);
  });
});
