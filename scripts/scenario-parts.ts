/** Pieces the scenario generators share: common documents, config scope, and how a scenario file is written. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsId, uuid, type InstanceRoleSession } from './cloudtrail-records.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const EC2_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
export const SSM_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
export const OPT_IN = { 'iam-autoheal': 'on' };
/** Scenarios of the reactive path (a change kept as evidence, then the failure): drift incidents off, as before them. */
export const DRIFT_OFF = { enabled: false };
export const APP_AGENT =
  'aws-sdk-java/2.25.60 Linux/6.1.102-111.182.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard';
export const PY_AGENT = 'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.112-124.190.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36';

export function scope(accountId: string, region: string) {
  return { tag: { key: 'iam-autoheal', value: 'on' }, accounts: [accountId], regions: [region] };
}

/** A successful call by an instance-role session (the real GetCallerIdentity record): intake ignores it. */
export function instanceRoleSuccess(session: InstanceRoleSession, eventTime: string, seed: string): Record<string, unknown> {
  const record = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/cloudtrail/ignored--instance-role--sts-getcalleridentity-success.json'), 'utf8'));
  const sessionArn = `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.instanceId}`;
  Object.assign(record, {
    awsRegion: session.region, eventID: uuid(`${seed}:event`), eventTime, recipientAccountId: session.accountId,
    requestID: uuid(`${seed}:request`), sourceIPAddress: '198.51.100.24', userAgent: APP_AGENT,
  });
  record.tlsDetails.clientProvidedHostHeader = `sts.${session.region}.amazonaws.com`;
  Object.assign(record.userIdentity, {
    accessKeyId: awsId('ASIA', `${seed}:key`, 20), accountId: session.accountId, arn: sessionArn,
    principalId: `${session.roleId}:${session.instanceId}`,
  });
  record.userIdentity.sessionContext.attributes.creationDate = session.sessionCreated;
  record.userIdentity.sessionContext.ec2RoleDelivery = session.ec2RoleDelivery;
  Object.assign(record.userIdentity.sessionContext.sessionIssuer, {
    accountId: session.accountId, arn: `arn:aws:iam::${session.accountId}:role${session.rolePath}${session.roleName}`,
    principalId: session.roleId, userName: session.roleName,
  });
  return record;
}

/** Pretty header; events pretty too, or one per line for storms (readable, small diffs). */
function serialize(scenario: { events: unknown[] }, layout: 'pretty' | 'one-event-per-line'): string {
  if (layout === 'pretty') return `${JSON.stringify(scenario, null, 2)}\n`;
  const { events, ...rest } = scenario;
  const head = JSON.stringify(rest, null, 2).replace(/\n}$/, '');
  return `${head},\n  "events": [\n${events.map((e) => `    ${JSON.stringify(e)}`).join(',\n')}\n  ]\n}\n`;
}

/** Writes into scenarios/, or into the folder given as the first argument (the test that checks they are in sync). */
export function writeScenarios(scenarios: Record<string, () => { events: unknown[] }>, layout: 'pretty' | 'one-event-per-line'): void {
  const dir = process.argv[2] ?? join(ROOT, 'scenarios');
  for (const [file, build] of Object.entries(scenarios)) {
    writeFileSync(join(dir, file), serialize(build(), layout));
    console.log(join(dir, file));
  }
}
