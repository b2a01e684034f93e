// Each rule's pattern against every real CloudTrail record in test/fixtures/cloudtrail/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyDelivered } from '../../handlers/core/events/index.ts';
import { matchesEventPattern } from '../../lib/event-pattern-matcher.ts';
import { RULE_PATTERNS, type RuleName } from '../../lib/event-patterns.ts';
import { asEventBridgeEvent, loadCloudTrailEvents } from './cloudtrail-envelope.ts';

const events = loadCloudTrailEvents();

/** Which rules each record must reach; every other rule must not match it. */
const EXPECTED: Record<string, RuleName[]> = {
  'change--attach-role-policy--iam-user-2.json': ['drift'],
  'change--attach-role-policy--iam-user.json': ['drift'],
  'change--update-assume-role-policy--iam-user-2.json': ['drift'],
  'change--update-assume-role-policy--iam-user.json': ['drift'],
  // SDK sessions, not instances: the principalId does not end in :i-…
  'denied--assumed-role--ec2-describeinstanceattribute--encoded.json': [],
  'denied--assumed-role--ec2-getpassworddata--encoded.json': [],
  'denied--assumed-role--ec2-runinstances--encoded.json': [],
  'denied--assumed-role--lambda-listfunctions--explicit-deny-legacy.json': [],
  'denied--assumed-role--organizations-leaveorganization--new-style.json': [],
  // An instance session from before ec2RoleDelivery existed: the bus rule requires the field.
  'denied--instance-role--ec2-describeinstances--legacy-message.json': [],
  'denied--instance-role--eks-auth-assumeroleforpodidentity.json': ['instanceRoleDenial'],
  'ignored--anonymous--s3-getobject-success.json': [],
  // A network activity denial, but of a caller from another account (type AWSAccount), not an instance session.
  'ignored--aws-account--kms-listkeys--vpce-denied-network-activity.json': [],
  'ignored--assumed-role--s3-createbucket.eventbridge.json': [],
  'ignored--ecs-task-role--s3-listbuckets-success.json': [],
  'ignored--iam-user--ec2-describesecuritygroups-success.json': [],
  'ignored--iam-user--lambda-listfunctions--denied-new-style.json': [],
  'ignored--iam-user--secretsmanager-getsecretvalue-success.json': [],
  'ignored--iam-user--ssm-getparameters-success.json': [],
  'ignored--iam-user--sts-assumerole--denied.json': [],
  'ignored--instance-role--ec2-describeinstances-success.json': [],
  'ignored--instance-role--eks-auth-assumeroleforpodidentity-success.json': [],
  'ignored--instance-role--ssm-opencontrolchannel-success.json': [],
  'ignored--instance-role--sts-getcalleridentity-success.json': [],
  'ignored--lambda-role--logs-createlogstream--denied.json': [],
  'ignored--root--s3-createbucket-success.eventbridge.json': [],
  'ignored--sso-role--ec2-enableserialconsoleaccess-success.json': [],
  'ignored--sso-role--secretsmanager-getsecretvalue--denied-no-message.json': [],
  'launch--runinstances--assumed-role--no-profile.json': ['launch'],
  'launch--runinstances--autoscaling-legacy-root--with-profile.json': ['launch'],
  'launch--runinstances--autoscaling-service-linked-role.json': ['launch'],
  'launch--runinstances--iam-user--no-profile.json': ['launch'],
  'launch--runinstances--iam-user-console--no-profile.json': ['launch'],
  // Client.DryRunOperation is a successful dry run, not a launch.
  'launch--runinstances--launch-template--dryrun-aws-internal.json': [],
  'launch--runinstances--launch-template--eks-nodegroup-dryrun.json': [],
};

function matchingRules(event: unknown): RuleName[] {
  return (Object.keys(RULE_PATTERNS) as RuleName[]).filter((rule) => matchesEventPattern(RULE_PATTERNS[rule], event));
}

describe('rule patterns on the real CloudTrail records', () => {
  it('classify every fixture (a new fixture must be added to the table)', () => {
    expect([...events.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file} reaches ${expected.length ? expected.join(', ') : 'no rule'}`, () => {
      expect(matchingRules(events.get(file))).toEqual(expected);
    });
  }
});

describe('instance-role denial rule, on variants of a real record', () => {
  const legacy = events.get('denied--instance-role--ec2-describeinstances--legacy-message.json')!;
  const detail = legacy.detail as Record<string, any>;
  const withDelivery = (changes: (d: Record<string, any>) => void) => {
    const copy = structuredClone(detail);
    copy.userIdentity.sessionContext ??= {};
    copy.userIdentity.sessionContext.ec2RoleDelivery = '2.0';
    changes(copy);
    return asEventBridgeEvent(copy);
  };
  const denial = RULE_PATTERNS.instanceRoleDenial;

  it('matches the EC2 denial once EC2 delivered the credentials', () => {
    expect(matchesEventPattern(denial, withDelivery(() => {}))).toBe(true);
  });

  it.each(['AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation', 'VpceAccessDenied', 'AuthorizationError'])(
    'matches errorCode %s',
    (errorCode) => {
      expect(matchesEventPattern(denial, withDelivery((d) => (d.errorCode = errorCode)))).toBe(true);
    },
  );

  it.each(['ThrottlingException', 'Client.DryRunOperation', 'NoSuchEntity', 'InvalidParameterValue'])('ignores errorCode %s', (errorCode) => {
    expect(matchesEventPattern(denial, withDelivery((d) => (d.errorCode = errorCode)))).toBe(false);
  });

  it('ignores the Systems Manager identity that also ends in :i-…', () => {
    const ssm = withDelivery((d) => (d.userIdentity.principalId = '111122223333:aws:ec2-instance:i-0faac5b395d439771'));
    expect(matchesEventPattern(denial, ssm)).toBe(false);
  });

  it('ignores a session merely named i-… (no ec2RoleDelivery)', () => {
    expect(matchesEventPattern(denial, legacy)).toBe(false);
  });
});

describe('every rule refuses custom events shaped like CloudTrail records', () => {
  // What any principal allowed to put events on the bus can send: its own source, any detail it likes.
  const forged = (file: string, source: string) => ({ ...events.get(file)!, source });
  const delivered = structuredClone(events.get('denied--instance-role--eks-auth-assumeroleforpodidentity.json')!);

  it.each(Object.keys(RULE_PATTERNS) as RuleName[])('%s requires a source beginning "aws."', (rule) => {
    const source = RULE_PATTERNS[rule].source as unknown[];
    expect(source.every((matcher) => (typeof matcher === 'string' ? matcher.startsWith('aws.') : JSON.stringify(matcher) === '{"prefix":"aws."}'))).toBe(true);
  });

  it.each(['custom.cloudtrail', 'awsx.ec2', 'iam-autoheal', ''])('the denial rule ignores a forged denial from source "%s"', (source) => {
    expect(matchingRules(forged('denied--instance-role--eks-auth-assumeroleforpodidentity.json', source))).toEqual([]);
    expect(matchesEventPattern(RULE_PATTERNS.instanceRoleDenial, delivered)).toBe(true);
  });

  it('the launch and drift rules ignore forged launches and changes', () => {
    expect(matchingRules(forged('launch--runinstances--iam-user-console--no-profile.json', 'custom.ec2'))).toEqual([]);
    expect(matchingRules(forged('change--update-assume-role-policy--iam-user.json', 'custom.iam'))).toEqual([]);
  });
});

describe('drift rule, on every change record of the drift scenarios', () => {
  const records = readdirSync('scenarios')
    .filter((f) => f.startsWith('drift-'))
    .flatMap((f) => (JSON.parse(readFileSync(join('scenarios', f), 'utf8')) as { events: Array<Record<string, unknown>> }).events);

  it('delivers each of them (IAM in us-east-1, EC2 and Auto Scaling in their region), and the intake reads each as a change', () => {
    const names = new Set(records.map((r) => r['eventName']));
    for (const name of ['UpdateAssumeRolePolicy', 'RemoveRoleFromInstanceProfile', 'PutRolePolicy', 'DetachRolePolicy', 'ModifyLaunchTemplate', 'UpdateAutoScalingGroup', 'DisassociateIamInstanceProfile']) expect(names, name).toContain(name);
    for (const record of records) {
      const event = asEventBridgeEvent(record);
      expect(matchingRules(event), String(record['eventName'])).toEqual(['drift']);
      expect(classifyDelivered({ record: record as never, envelope: event as never }).kind, String(record['eventName'])).toBe('change');
      if (String(record['eventSource']).startsWith('iam.')) expect(event['region']).toBe('us-east-1');
    }
  });
});
