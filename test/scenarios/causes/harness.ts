/**
 * Per-cause scenario harness: a simulated account, incidents built from CloudTrail records by the real
 * event model and intake, then diagnose → guard → apply → verify → undo with the real core.
 */
import { readFileSync } from 'node:fs';
import { parseScenario, SimulatedAccount, type Scenario } from '../../../handlers/adapters/simulated/index.ts';
import type { AccountPorts } from '../../../handlers/core/ports.ts';
import type { Config } from '../../../handlers/core/config.ts';
import { diagnose } from '../../../handlers/core/diagnosis/index.ts';
import { classify, incidentKey } from '../../../handlers/core/events/index.ts';
import type { CloudTrailRecord } from '../../../handlers/core/events/records.ts';
import { guard } from '../../../handlers/core/guard.ts';
import type { Diagnosis, GuardDecision, Incident, PlannedAction } from '../../../handlers/core/incident.ts';
import { coalesceIncidents } from '../../../handlers/core/intake.ts';
import { remediationFor, type ApplyOutcome } from '../../../handlers/core/remediations/index.ts';
import { verify } from '../../../handlers/core/verify.ts';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const INSTANCE = 'i-0aaa1111bbbb2222c';
export const START = '2026-10-02T08:00:00Z';
export const EC2_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
export const READ_STATEMENT = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::config-bucket/*' };
export const READ_CONFIG = { Version: '2012-10-17', Statement: [READ_STATEMENT] };
export const OBJECT = 'arn:aws:s3:::config-bucket/app.json';
export const OPT_IN = { 'iam-autoheal': 'on' };

type Json = Record<string, unknown>;

/** One role "app" in profile "app", one running instance; everything overridable. */
export function scenario(account: Json = {}, config: Json = {}, physics: Json = {}): Scenario {
  return parseScenario(
    {
      name: 'cause scenario',
      account: {
        accountId: ACCOUNT,
        region: REGION,
        roles: [{ name: 'app', trustPolicy: EC2_TRUST, inlinePolicies: { 'read-config': READ_CONFIG }, tags: OPT_IN }],
        instanceProfiles: [{ name: 'app', roles: ['app'] }],
        instances: [{ id: INSTANCE, state: 'running', instanceProfile: 'app', associatedAt: '2026-10-01T00:00:00Z', tags: OPT_IN }],
        ...account,
      },
      physics: { propagationSeconds: 4, startTime: START, ...physics },
      config: { scope: { tag: { key: 'iam-autoheal', value: 'on' }, accounts: [ACCOUNT], regions: [REGION] }, ...config },
    },
    'cause-scenario.json',
  );
}

export interface DenialSpec {
  role?: string;
  instanceId?: string;
  eventSource?: string;
  eventName?: string;
  action?: string;
  resource?: string;
  requestParameters?: Json;
  /** Default: "no identity-based policy allows". */
  errorMessage?: string | null;
  ec2RoleDelivery?: string | null;
  time?: string;
  errorCode?: string;
}

export function denialRecord(spec: DenialSpec = {}): CloudTrailRecord {
  const role = spec.role ?? 'app';
  const instanceId = spec.instanceId ?? INSTANCE;
  const action = spec.action ?? 's3:GetObject';
  const resource = spec.resource ?? OBJECT;
  const session = `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${instanceId}`;
  const message = spec.errorMessage === undefined
    ? `User: ${session} is not authorized to perform: ${action} on resource: "${resource}" because no identity-based policy allows the ${action} action`
    : spec.errorMessage;
  const sessionContext: Json = {
    sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEAPPROLE01', arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, accountId: ACCOUNT, userName: role },
    attributes: { creationDate: '2026-10-02T07:00:00Z', mfaAuthenticated: 'false' },
  };
  if (spec.ec2RoleDelivery !== null) sessionContext.ec2RoleDelivery = spec.ec2RoleDelivery ?? '2.0';
  return {
    eventVersion: '1.10',
    userIdentity: { type: 'AssumedRole', principalId: `AROAEXAMPLEAPPROLE01:${instanceId}`, arn: session, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLE', sessionContext },
    eventTime: spec.time ?? START,
    eventSource: spec.eventSource ?? 's3.amazonaws.com',
    eventName: spec.eventName ?? 'GetObject',
    awsRegion: REGION,
    sourceIPAddress: '10.0.1.15',
    userAgent: 'aws-sdk-java/2.25.0',
    errorCode: spec.errorCode ?? 'AccessDenied',
    ...(message === null ? {} : { errorMessage: message }),
    requestParameters: spec.requestParameters ?? { bucketName: 'config-bucket', key: 'app.json' },
    responseElements: null,
    requestID: 'REQ1',
    eventID: `evt-${Math.random().toString(16).slice(2)}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Data',
  } as unknown as CloudTrailRecord;
}

/** The real console launch record without a profile (test/fixtures/cloudtrail), as a launch of `ids` by hand in this account. */
export function launchRecord(ids: string[], time = START): CloudTrailRecord {
  const record = JSON.parse(readFileSync(new URL('../../fixtures/cloudtrail/launch--runinstances--iam-user-console--no-profile.json', import.meta.url), 'utf8'));
  const [item] = record.responseElements.instancesSet.items;
  record.responseElements.instancesSet.items = ids.map((instanceId) => ({ ...item, instanceId }));
  Object.assign(record, { recipientAccountId: ACCOUNT, awsRegion: REGION, eventTime: time, eventID: `launch-${ids.join('-')}` });
  record.userIdentity.accountId = ACCOUNT;
  return record as CloudTrailRecord;
}

/** The intake's incidents for these records (one per root cause), through the real classifier. */
export function incidentsOf(records: CloudTrailRecord[]): Incident[] {
  return coalesceIncidents(records.map((r) => { const c = classify(r); return { key: incidentKey(c), classification: c }; })).incidents;
}

export function incidentOf(records: CloudTrailRecord[]): Incident {
  const [incident, ...more] = incidentsOf(records);
  if (!incident || more.length) throw new Error(`expected exactly one incident, got ${more.length + (incident ? 1 : 0)}`);
  return incident;
}

export interface Applied {
  action: PlannedAction;
  outcome: ApplyOutcome;
}

export async function applyAll(ports: AccountPorts, actions: PlannedAction[]): Promise<Applied[]> {
  const applied: Applied[] = [];
  for (const action of actions) applied.push({ action, outcome: await remediationFor(action.type).apply(ports, action) });
  return applied;
}

/** Undo, newest first, from the recorded `before`s (as the `undo` command does). */
export async function undoAll(ports: AccountPorts, applied: Applied[]): Promise<string[]> {
  const out: string[] = [];
  for (const { action, outcome } of [...applied].reverse()) {
    if (outcome.before) out.push(await remediationFor(action.type).undo(ports, action, outcome.before));
  }
  return out;
}

export interface Run {
  account: SimulatedAccount;
  config: Config;
  incident: Incident;
  diagnosis: Diagnosis;
  decision: GuardDecision;
}

/** Diagnose and guard one incident on a fresh simulated account. */
export async function diagnoseAndGuard(s: Scenario, records: CloudTrailRecord[]): Promise<Run> {
  const account = new SimulatedAccount(s);
  const incident = incidentOf(records);
  const diagnosis = await diagnose(account.ports, incident, s.config);
  const decision = guard(diagnosis, s.config, { iamChangesThisHour: 0, ec2ChangesThisHour: 0 });
  return { account, config: s.config, incident, diagnosis, decision };
}

export async function verified(run: Run): Promise<boolean> {
  return (await verify(run.account.ports, run.diagnosis, run.incident)).verified;
}

export function writesOf(applied: Applied[]): { iam: number; ec2: number } {
  return applied.reduce((sum, a) => ({ iam: sum.iam + a.outcome.writes.iam, ec2: sum.ec2 + a.outcome.writes.ec2 }), { iam: 0, ec2: 0 });
}
