/**
 * Intake as an attacker tries it: forged EventBridge envelopes, records of another account, events outside
 * the configured scope. Every event starts from the real EC2 instance-role denial of an EKS node
 * (ec2RoleDelivery 2.0), delivered as EventBridge delivers it.
 */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RecordingWorkflow } from '../../handlers/adapters/local/recorders.ts';
import { intakeStep, type IntakeDeps } from '../../handlers/steps/intake.ts';
import { asEventBridgeEvent, CLOUDTRAIL_FIXTURES } from '../infra/cloudtrail-envelope.ts';

const NODE_ACCOUNT = '753273931759';
const OTHER_ACCOUNT = '111122223333';

function fixture(file: string): Record<string, any> {
  return JSON.parse(readFileSync(`${CLOUDTRAIL_FIXTURES}/${file}`, 'utf8'));
}
const realDenial = () => fixture('denied--instance-role--eks-auth-assumeroleforpodidentity.json');

/** The record's session moved to another account (role ARN, principal and user identity). */
function sessionOf(record: Record<string, any>, account: string): Record<string, any> {
  const copy = structuredClone(record);
  const identity = copy.userIdentity;
  identity.accountId = account;
  identity.arn = identity.arn.replace(NODE_ACCOUNT, account);
  identity.sessionContext.sessionIssuer.accountId = account;
  identity.sessionContext.sessionIssuer.arn = identity.sessionContext.sessionIssuer.arn.replace(NODE_ACCOUNT, account);
  return copy;
}

async function intake(bodies: unknown[], options: Partial<IntakeDeps> = {}) {
  const workflow = new RecordingWorkflow();
  const logger = pino({ level: 'silent' });
  const summary = await intakeStep({ workflow, logger, clock: { now: () => new Date('2026-10-19T08:00:00Z') }, requireEnvelope: true, ...options }, bodies.map((body, i) => ({ id: `m-${i}`, body: JSON.stringify(body) })));
  return { summary, workflow };
}

describe('intake: only real CloudTrail events start anything', () => {
  it('starts an incident for the real denial as EventBridge delivers it', async () => {
    const { summary, workflow } = await intake([asEventBridgeEvent(realDenial())]);
    expect(summary.rejected).toEqual([]);
    expect(workflow.started).toHaveLength(1);
    expect(summary.started[0]!.incident.accountId).toBe(NODE_ACCOUNT);
  });

  it('refuses a custom-source event shaped like a CloudTrail denial, with a forged ec2RoleDelivery, for another account', async () => {
    // What any principal allowed to PutEvents on the bus can send: the source is its own, the rest is made up.
    const forged = sessionOf(realDenial(), OTHER_ACCOUNT);
    forged.recipientAccountId = OTHER_ACCOUNT;
    forged.userIdentity.sessionContext.ec2RoleDelivery = '2.0';
    const event = { ...asEventBridgeEvent(forged), source: 'attacker.cloudtrail', account: OTHER_ACCOUNT };
    const { summary, workflow } = await intake([event]);
    expect(workflow.started).toEqual([]);
    expect(summary.rejected).toEqual([expect.objectContaining({ item: 'm-0', reason: expect.stringMatching(/event source "attacker\.cloudtrail" is not an AWS service/) })]);
  });

  it('refuses an envelope whose account is not the account that recorded the event', async () => {
    const event = { ...asEventBridgeEvent(realDenial()), account: OTHER_ACCOUNT };
    const { summary, workflow } = await intake([event]);
    expect(workflow.started).toEqual([]);
    expect(summary.rejected[0]!.reason).toMatch(new RegExp(`recorded in account "${NODE_ACCOUNT}", EventBridge says ${OTHER_ACCOUNT}: envelope and record disagree`));
  });

  it('refuses a denial recorded in one account for a session of another account’s role', async () => {
    // A call into another account is recorded there too; the instance lives in the role's own account.
    const record = sessionOf(realDenial(), OTHER_ACCOUNT);
    const { summary, workflow } = await intake([asEventBridgeEvent(record)]);
    expect(workflow.started).toEqual([]);
    expect(summary.rejected[0]!.reason).toMatch(new RegExp(`session of account ${OTHER_ACCOUNT}'s role, recorded in account ${NODE_ACCOUNT}`));
  });

  it('refuses a record sent to the queue without an EventBridge envelope', async () => {
    const { summary, workflow } = await intake([realDenial()]);
    expect(workflow.started).toEqual([]);
    expect(summary.rejected[0]!.reason).toMatch(/not an EventBridge event/);
  });

  it('takes bare records where no envelope exists (files, scenarios)', async () => {
    const { workflow } = await intake([realDenial()], { requireEnvelope: false });
    expect(workflow.started).toHaveLength(1);
  });

  it('refuses a record whose recording account is malformed, and says so (a real sanitized launch has 13 digits)', async () => {
    const launch = fixture('launch--runinstances--iam-user--no-profile.json');
    const { summary, workflow } = await intake([{ ...asEventBridgeEvent(launch), account: '101010101010' }, launch], { requireEnvelope: false });
    expect(workflow.started).toEqual([]);
    expect(summary.rejected.map((r) => r.reason)).toEqual([
      'the record says it was recorded in account "1010101010101", EventBridge says 101010101010: envelope and record disagree',
      'recorded in account "1010101010101", which is not a 12-digit account id: reported, not used',
    ]);
  });

  it('diagnoses a launch by a caller of another account in the account that recorded it', async () => {
    // The real record: recorded in 644160558196; the caller's role names an 11-digit account.
    const launch = fixture('launch--runinstances--assumed-role--no-profile.json');
    const { summary } = await intake([asEventBridgeEvent(launch)]);
    expect(summary.started).toHaveLength(1);
    expect(summary.started[0]!.incident.accountId).toBe('644160558196');
    expect(summary.started[0]!.incident.key).toContain('644160558196');
  });
});

describe('intake: scope.accounts and scope.regions', () => {
  const event = asEventBridgeEvent(realDenial());

  it('does not start an incident of an account outside scope.accounts, and says why', async () => {
    const { summary, workflow } = await intake([event], { scope: { accounts: [OTHER_ACCOUNT], regions: [] } });
    expect(workflow.started).toEqual([]);
    expect(summary.outOfScope).toEqual([{ key: expect.any(String), reason: `account ${NODE_ACCOUNT} is not in scope.accounts` }]);
  });

  it('does not start an incident of a region outside scope.regions', async () => {
    const { summary, workflow } = await intake([event], { scope: { accounts: [], regions: ['eu-west-1'] } });
    expect(workflow.started).toEqual([]);
    expect(summary.outOfScope[0]!.reason).toBe('region us-west-2 is not in scope.regions');
  });

  it('starts it when both lists name it', async () => {
    const { workflow } = await intake([event], { scope: { accounts: [NODE_ACCOUNT], regions: ['us-west-2'] } });
    expect(workflow.started).toHaveLength(1);
  });
});
