/**
 * Writes the drift scenarios (CONTRACTS.md kind `drift`) into scenarios/: a change record arrives alone, before
 * any instance fails; the account is as the change left it. IAM records come from the real IAM change records,
 * EC2 and Auto Scaling ones from the real EC2 record of a CLI call (cloudtrail-changes.ts, provenance there).
 * Run: npx tsx scripts/make-drift-scenarios.ts
 */
import { hex, iamChange, instanceId, isoPlus } from './cloudtrail-records.ts';
import { serviceChange } from './cloudtrail-changes.ts';
import { EC2_TRUST, OPT_IN, SSM_CORE, scope, writeScenarios } from './scenario-parts.ts';

import { AUDIT_ONLY_TRUST, appAccount, fleet, oneChange, physicsAt, role } from './drift-parts.ts';

/** UpdateAssumeRolePolicy drops EC2 from a role two running instances use: EC2 merged back in seconds, `prevented`. */
function trustDropped() {
  const accountId = '410000000001';
  const region = 'eu-west-1';
  const at = '2026-11-03T09:15:02Z';
  return {
    name: 'drift: trust policy of web-api rewritten without EC2, repaired before any instance fails',
    description: 'A person replaces the trust policy of web-api with a statement for the audit account. Nothing has failed yet: the running instances hold credentials for a few more hours, and the next launch would get none. The change record alone starts a drift incident; EC2 is merged back (auto), the audit statement kept: prevented.',
    approvals: 'none',
    account: appAccount(accountId, region, 'web-api', 2, { role: { trustPolicy: AUDIT_ONLY_TRUST, updatedAt: at } }),
    physics: physicsAt(at, 3),
    config: { modes: { 'trust-missing-ec2': 'auto' }, scope: scope(accountId, region) },
    expected: oneChange('trust-missing-ec2', 'prevented', ['merge-trust'], 1, 0),
    events: [iamChange({
      operator: { accountId, userName: 'maria.okafor', sourceIPAddress: '203.0.113.61' }, eventName: 'UpdateAssumeRolePolicy',
      requestParameters: { roleName: 'web-api', policyDocument: JSON.stringify(AUDIT_ONLY_TRUST) }, eventTime: at, seed: 'drift-trust',
    })],
  };
}

/**
 * The same person drops EC2 from the trust again ten minutes after it was repaired: two intake windows (`delivery`),
 * the person's second change made to the account between them (`changes`). Repaired once, then escalated as flapping.
 */
function trustFlapping() {
  const first = trustDropped();
  const at = '2026-11-03T09:15:02Z';
  const again = isoPlus(at, 600);
  return {
    ...first,
    name: 'drift: the same person drops EC2 from the trust again after the repair — escalated as flapping, not fought',
    description: 'maria.okafor rewrites the trust policy of web-api without EC2; the drift incident merges EC2 back (prevented). Ten minutes later she writes the same policy again. The second record is delivered in a later intake window: the same principal broke what was repaired within drift.flappingWindowSeconds, so it is escalated naming her, and not repaired a second time.',
    delivery: [0, 600],
    changes: [{ afterSeconds: 597, by: 'maria.okafor', call: 'iam.updateAssumeRolePolicy', args: ['web-api', AUDIT_ONLY_TRUST] }],
    expected: {
      incidents: 2, events: 2, ignoredEvents: 0, changeEvents: 2,
      byIncident: [
        { cause: 'trust-missing-ec2', status: 'prevented', actions: ['merge-trust'] },
        { cause: 'drift-flapping', status: 'escalated', actions: [] },
      ],
      writes: { iam: 1, ec2: 0 },
    },
    events: [
      first.events[0],
      iamChange({
        operator: { accountId: first.account.accountId, userName: 'maria.okafor', sourceIPAddress: '203.0.113.61' }, eventName: 'UpdateAssumeRolePolicy',
        requestParameters: { roleName: 'web-api', policyDocument: JSON.stringify(AUDIT_ONLY_TRUST) }, eventTime: again, seed: 'drift-trust-again',
      }),
    ],
  };
}

/** RemoveRoleFromInstanceProfile empties a profile in use: the role is added back after approval, `prevented`. */
function profileEmptied() {
  const accountId = '410000000002';
  const region = 'us-west-2';
  const at = '2026-11-03T10:02:40Z';
  return {
    name: 'drift: role removed from the batch-worker profile in use, added back after approval',
    description: 'A cleanup script removes the role from the instance profile that three running workers use. The drift incident asks (profile-without-role is in approve mode), the approver agrees, the role is added back before any worker refreshes its credentials.',
    approvals: 'approve',
    account: appAccount(accountId, region, 'batch-worker', 3, { profileRoles: [], profileUpdatedAt: at }),
    physics: physicsAt(at, 2),
    config: { modes: { 'profile-without-role': 'approve' }, scope: scope(accountId, region) },
    expected: oneChange('profile-without-role', 'prevented', ['add-role-to-profile'], 1, 0),
    events: [iamChange({
      operator: { accountId, userName: 'cleanup-bot', sourceIPAddress: '203.0.113.150' }, eventName: 'RemoveRoleFromInstanceProfile',
      requestParameters: { instanceProfileName: 'batch-worker', roleName: 'batch-worker' }, eventTime: at, seed: 'drift-profile',
    })],
  };
}

const QUEUE = 'arn:aws:sqs:eu-central-1:410000000003:orders';
const ORDERS_APP = { Version: '2012-10-17', Statement: [{ Sid: 'ReadOrders', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:eu-central-1:410000000003:table/orders' }] };
const DECLARED_SEND = { Sid: 'SendOrders', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE };

/** PutRolePolicy rewrites an inline policy without a statement expectedPermissions declares: put back after approval. */
function declaredStatementDropped() {
  const accountId = '410000000003';
  const region = 'eu-central-1';
  const at = '2026-11-03T11:20:00Z';
  return {
    name: 'drift: inline policy of orders-api rewritten without the declared sqs:SendMessage, restored after approval',
    description: 'A developer rewrites the inline policy orders-app and leaves out the queue statement that expectedPermissions declares for orders-api. Before the first order fails to queue, the declared statement is put back in iam-autoheal-expected (approve mode); the developer\'s policy is left as they wrote it.',
    approvals: 'approve',
    account: appAccount(accountId, region, 'orders-api', 2, { role: { inlinePolicies: { 'orders-app': ORDERS_APP }, updatedAt: at } }),
    physics: physicsAt(at, 2),
    config: { modes: { 'missing-permission': 'approve' }, expectedPermissions: [{ role: 'orders-api', statements: [DECLARED_SEND] }], scope: scope(accountId, region) },
    expected: oneChange('missing-permission', 'prevented', ['put-inline-policy'], 1, 0),
    events: [iamChange({
      operator: { accountId, userName: 'dev.lucas', sourceIPAddress: '203.0.113.77' }, eventName: 'PutRolePolicy',
      requestParameters: { roleName: 'orders-api', policyName: 'orders-app', policyDocument: JSON.stringify(ORDERS_APP) }, eventTime: at, seed: 'drift-put',
    })],
  };
}

/** A person detaches a declared policy: the incident-response rule holds for drifts too — escalated, not re-attached. */
function declaredPolicyDetached() {
  const accountId = '410000000004';
  const region = 'eu-central-1';
  const at = '2026-11-03T11:40:00Z';
  const policyArn = `arn:aws:iam::${accountId}:policy/payments-agent`;
  return {
    name: 'drift: a person detaches a declared policy of payments-api — respected as an incident response, escalated',
    description: 'A person detaches payments-agent, declared for payments-api in expectedPermissions. A person removing a declared policy is what a responder containing a role does (docs/SECURITY.md): the drift incident names who did it and escalates; nothing is re-attached.',
    approvals: 'none',
    account: appAccount(accountId, region, 'payments-api', 2, { policies: [{ arn: policyArn, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:${region}:${accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }] } }] }),
    physics: physicsAt(at, 2),
    config: { modes: { 'missing-permission': 'auto' }, expectedPermissions: [{ role: 'payments-api', policyArns: [policyArn] }], scope: scope(accountId, region) },
    expected: oneChange('incident-response', 'escalated', [], 0, 0),
    events: [iamChange({
      operator: { accountId, userName: 'secops.ana', sourceIPAddress: '203.0.113.12' }, eventName: 'DetachRolePolicy',
      requestParameters: { roleName: 'payments-api', policyArn }, eventTime: at, seed: 'drift-detach',
    })],
  };
}

interface TemplateDrift {
  name: string;
  description: string;
  accountId: string;
  region: string;
  app: string;
  at: string;
  seed: string;
  instances: number;
  /** The instances' (working) version, the one without the profile, the template's default, the group's reference. */
  working: number;
  broken: number;
  defaultVersion: number;
  groupVersion: string;
  actions: string[];
  /** How it ends: `prevented`, or `partially-fixed` when a change is left for a person. @default 'prevented' */
  status?: string;
  change: (lt: string) => Record<string, unknown>;
}

/** A group's template made to launch a version without the profile its running instances use: repaired after approval. */
function templateDrift(spec: TemplateDrift) {
  const { accountId, region, app, at } = spec;
  const lt = `lt-0${hex(`${spec.seed}-lt`, 16)}`;
  const change = spec.change(lt);
  return {
    name: spec.name,
    description: spec.description,
    approvals: 'approve',
    account: {
      accountId, region,
      roles: [role(app)],
      instanceProfiles: [{ name: app, path: '/', roles: [app] }],
      launchTemplates: [{ id: lt, name: app, defaultVersion: spec.defaultVersion, versions: [{ number: spec.working, iamInstanceProfile: app }, { number: spec.broken, iamInstanceProfile: null }], tags: OPT_IN }],
      autoScalingGroups: [{ name: app, launchTemplate: { id: lt, version: spec.groupVersion }, tags: OPT_IN }],
      instances: fleet(app, spec.instances, app, lt, String(spec.working), app),
    },
    physics: physicsAt(at, 2),
    config: { modes: { 'stale-launch-template': 'approve' }, allowedInstanceProfiles: [app], scope: scope(accountId, region) },
    expected: oneChange('stale-launch-template', spec.status ?? 'prevented', spec.actions, 0, spec.actions.length),
    events: [serviceChange({ operator: { accountId, userName: change['userName'] as string, sourceIPAddress: '203.0.113.201' }, region, eventTime: at, seed: spec.seed, ...(change['call'] as object) } as Parameters<typeof serviceChange>[0])],
  };
}

/** ModifyLaunchTemplate makes a version without the profile the default of a group's template. */
const templateDefaultWithoutProfile = () => templateDrift({
  name: 'drift: launch template default set to a version without the profile, repaired before the next scale-out',
  description: 'An AMI bump creates version 4 from scratch and makes it the default of the template the api-fleet group launches with ($Default). The four running instances (version 3) are fine; the next one would start without a role. A version 5 based on 4 with the profile the group\'s instances use is created and made the default, after approval.',
  accountId: '410000000005', region: 'ap-southeast-2', app: 'api-fleet', at: '2026-11-03T12:05:00Z', seed: 'drift-modify-lt',
  instances: 4, working: 3, broken: 4, defaultVersion: 4, groupVersion: '$Default',
  actions: ['create-launch-template-version', 'set-default-launch-template-version'],
  change: (lt) => ({
    userName: 'ami-pipeline',
    call: {
      service: 'ec2', eventName: 'ModifyLaunchTemplate',
      requestParameters: { ModifyLaunchTemplateRequest: { LaunchTemplateId: lt, SetDefaultVersion: '4' } },
      responseElements: { ModifyLaunchTemplateResponse: { launchTemplate: { launchTemplateId: lt, launchTemplateName: 'api-fleet', defaultVersionNumber: 4, latestVersionNumber: 4 } } },
    },
  }),
});

/** UpdateAutoScalingGroup pins a version without the profile: a new version with it; the repin is left for a person. */
const groupPinnedWithoutProfile = () => templateDrift({
  name: 'drift: Auto Scaling group pinned to a template version without the profile: the version is repaired after approval, the repin left for a person',
  description: 'A deployment points the render-farm group at version 7 of its template, built without the instance profile; the running instances came from version 6 and use render-farm. After approval a version 8 (7 plus the profile) is created; pointing the group at it is left for a person with the command to run, because Auto Scaling requires ec2:RunInstances on the template to repin a group and the service is never granted it (partially-fixed).',
  accountId: '410000000006', region: 'us-east-2', app: 'render-farm', at: '2026-11-03T12:30:00Z', seed: 'drift-asg',
  instances: 3, working: 6, broken: 7, defaultVersion: 6, groupVersion: '7',
  actions: ['create-launch-template-version'],
  status: 'partially-fixed',
  change: (lt) => ({
    userName: 'deploy-bot',
    call: { service: 'autoscaling', eventName: 'UpdateAutoScalingGroup', requestParameters: { autoScalingGroupName: 'render-farm', launchTemplate: { launchTemplateId: lt, version: '7' } }, responseElements: null },
  }),
});

interface NoticedTemplateDrift extends Pick<TemplateDrift, 'name' | 'description' | 'accountId' | 'region' | 'app' | 'at' | 'seed'> {
  /** The account's templates, groups and instances, given the template's id. */
  launch: (lt: string) => { launchTemplates: unknown[]; autoScalingGroups?: unknown[]; instances: unknown[] };
  /** Who made the change, and the call (given the template's id). */
  by: { userName: string; sourceIPAddress: string };
  call: (lt: string) => Pick<Parameters<typeof serviceChange>[0], 'service' | 'eventName' | 'requestParameters' | 'responseElements'>;
}

/** A template drift whose new version with the app's profile (allowedInstanceProfiles) becomes the default after approval. */
function defaultRepairedAfterApproval(spec: NoticedTemplateDrift) {
  const { accountId, region, app, at, seed } = spec;
  const lt = `lt-0${hex(`${seed}-lt`, 16)}`;
  return {
    name: spec.name,
    description: spec.description,
    approvals: 'approve',
    account: { accountId, region, roles: [role(app)], instanceProfiles: [{ name: app, path: '/', roles: [app] }], ...spec.launch(lt) },
    physics: physicsAt(at, 2),
    config: { modes: { 'stale-launch-template': 'approve' }, allowedInstanceProfiles: [app], scope: scope(accountId, region) },
    expected: oneChange('stale-launch-template', 'prevented', ['create-launch-template-version', 'set-default-launch-template-version'], 0, 2),
    events: [serviceChange({ operator: { accountId, ...spec.by }, region, eventTime: at, seed, ...spec.call(lt) })],
  };
}

/**
 * CreateAutoScalingGroup on a template (named by name, as the CLI call spells it) whose default version names no
 * profile: no instance yet. The group's `iam-autoheal:profile` tag suggests the profile, allowedInstanceProfiles
 * authorizes it; a new version with it becomes the default before the group's first launch.
 */
const newGroupWithoutProfile = () => defaultRepairedAfterApproval({
  name: 'drift: a new Auto Scaling group launches a template version without a profile — repaired before its first instance',
  description: 'A team creates the checkout-workers group (desired capacity 0, scaled by a queue) on the checkout-workers template, named by name, whose only version names no instance profile. No instance exists yet, so nothing could fail so far; the group\'s first scale-out would launch instances without a role. The group\'s iam-autoheal:profile tag suggests checkout-workers, which allowedInstanceProfiles authorizes: a version 2 with it becomes the default after approval — prevented.',
  accountId: '410000000009', region: 'eu-north-1', app: 'checkout-workers', at: '2026-11-03T14:00:00Z', seed: 'drift-create-asg',
  launch: (lt) => ({
    launchTemplates: [{ id: lt, name: 'checkout-workers', defaultVersion: 1, versions: [{ number: 1, iamInstanceProfile: null }], tags: OPT_IN }],
    autoScalingGroups: [{ name: 'checkout-workers', launchTemplate: { id: lt, version: '$Default' }, tags: { ...OPT_IN, 'iam-autoheal:profile': 'checkout-workers' }, updatedAt: '2026-11-03T14:00:00Z' }],
    instances: [],
  }),
  by: { userName: 'dev.amara', sourceIPAddress: '203.0.113.88' },
  call: () => ({
    service: 'autoscaling', eventName: 'CreateAutoScalingGroup', responseElements: null,
    requestParameters: {
      autoScalingGroupName: 'checkout-workers', launchTemplate: { launchTemplateName: 'checkout-workers', version: '$Default' }, minSize: 0, maxSize: 20, desiredCapacity: 0,
      vPCZoneIdentifier: 'subnet-0e2d5b8a1c3f47a96,subnet-07c1f3e9b2a4d6e58',
      tags: [{ key: 'iam-autoheal', value: 'on', propagateAtLaunch: true }, { key: 'iam-autoheal:profile', value: 'checkout-workers', propagateAtLaunch: false }],
    },
  }),
});

/** ModifyLaunchTemplate by template name only (no id in the record): resolved to the id, its running instances found. */
const templateByNameWithoutProfile = () => defaultRepairedAfterApproval({
  name: 'drift: a launch template named by name only gets a default without the profile — resolved to its id, repaired',
  description: 'A person runs `aws ec2 modify-launch-template --launch-template-name reports --default-version 3`: the record names the template by name only. Its id is read (DescribeLaunchTemplates), which finds the two running instances launched from it; version 3 names no profile. A version 4 (3 plus the profile they use) becomes the default, after approval.',
  accountId: '410000000010', region: 'ca-central-1', app: 'reports', at: '2026-11-03T14:20:00Z', seed: 'drift-lt-by-name',
  launch: (lt) => ({
    launchTemplates: [{ id: lt, name: 'reports', defaultVersion: 3, versions: [{ number: 2, iamInstanceProfile: 'reports' }, { number: 3, iamInstanceProfile: null }], tags: OPT_IN }],
    instances: fleet('reports', 2, 'reports', lt, '2', null),
  }),
  by: { userName: 'ops.jun', sourceIPAddress: '203.0.113.140' },
  call: (lt) => ({
    service: 'ec2', eventName: 'ModifyLaunchTemplate',
    requestParameters: { ModifyLaunchTemplateRequest: { LaunchTemplateName: 'reports', SetDefaultVersion: '3' } },
    responseElements: { ModifyLaunchTemplateResponse: { launchTemplate: { launchTemplateId: lt, launchTemplateName: 'reports', defaultVersionNumber: 3, latestVersionNumber: 3 } } },
  }),
});

/** A person disassociates a running instance's profile: an incident response, escalated, never re-associated. */
function responderDisassociation() {
  const accountId = '410000000007';
  const region = 'eu-west-3';
  const at = '2026-11-03T13:00:00Z';
  const [instance] = fleet('ledger', 1, null, null, '1', null);
  return {
    name: 'drift: a responder disassociates the profile of a running instance — respected, escalated',
    description: 'A person calls DisassociateIamInstanceProfile on a running ledger instance. The drift incident finds the instance without its profile, and the existing rule that a person\'s disassociation is an incident response: it escalates naming who, and associates nothing (docs/SECURITY.md).',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [role('ledger')],
      instanceProfiles: [{ name: 'ledger', path: '/', roles: ['ledger'] }],
      instances: [instance],
    },
    physics: physicsAt(at, 2),
    config: { modes: { 'no-instance-profile': 'auto' }, baselineInstanceProfile: 'ledger', scope: scope(accountId, region) },
    expected: oneChange('incident-response', 'escalated', [], 0, 0),
    events: [serviceChange({
      operator: { accountId, userName: 'ir.oncall', sourceIPAddress: '203.0.113.5' }, region, service: 'ec2', eventName: 'DisassociateIamInstanceProfile',
      requestParameters: { DisassociateIamInstanceProfileRequest: { AssociationId: 'iip-assoc-05020b59952902f5f' } },
      responseElements: { DisassociateIamInstanceProfileResponse: { iamInstanceProfileAssociation: {
        associationId: 'iip-assoc-05020b59952902f5f', instanceId: instance!.id, state: 'disassociating',
        iamInstanceProfile: { arn: `arn:aws:iam::${accountId}:instance-profile/ledger`, id: 'AIPAI5IVIHMFFYY2DKV5Y' },
      } } },
      eventTime: at, seed: 'drift-disassociate',
    })],
  };
}

/** Harmless: EC2 dropped from a role no profile in use holds, and a policy attached: nothing repaired, nothing changed. */
function harmlessChanges() {
  const accountId = '410000000008';
  const region = 'sa-east-1';
  const at = '2026-11-03T13:10:00Z';
  return {
    name: 'drift: changes that break nothing in use start no repair',
    description: 'A role no running instance uses loses EC2 from its trust policy, and a policy is attached to a role in use. The attach removes nothing: it starts nothing. The trust change is checked against the account as it is: no instance uses the role, so nothing is changed.',
    approvals: 'none',
    account: {
      accountId, region,
      roles: [role('old-batch', { trustPolicy: AUDIT_ONLY_TRUST, updatedAt: at }), role('search-api')],
      instanceProfiles: [{ name: 'old-batch', path: '/', roles: ['old-batch'] }, { name: 'search-api', path: '/', roles: ['search-api'] }],
      instances: fleet('search-api', 2, 'search-api', null, '1', null),
    },
    physics: physicsAt(at, 5),
    config: { modes: { 'trust-missing-ec2': 'auto' }, scope: scope(accountId, region) },
    expected: { incidents: 1, events: 1, ignoredEvents: 0, changeEvents: 2, cause: 'unknown', status: 'verified-no-change', actions: [], writes: { iam: 0, ec2: 0 } },
    events: [
      iamChange({ operator: { accountId, userName: 'platform.kai', sourceIPAddress: '203.0.113.31' }, eventName: 'UpdateAssumeRolePolicy',
        requestParameters: { roleName: 'old-batch', policyDocument: JSON.stringify(AUDIT_ONLY_TRUST) }, eventTime: at, seed: 'drift-harmless-trust' }),
      iamChange({ operator: { accountId, userName: 'platform.kai', sourceIPAddress: '203.0.113.31' }, eventName: 'AttachRolePolicy',
        requestParameters: { roleName: 'search-api', policyArn: SSM_CORE }, eventTime: isoPlus(at, 2), seed: 'drift-harmless-attach' }),
    ],
  };
}

writeScenarios(
  {
    'drift-trust-dropped-ec2.json': trustDropped,
    'drift-flapping.json': trustFlapping,
    'drift-profile-emptied.json': profileEmptied,
    'drift-declared-statement-dropped.json': declaredStatementDropped,
    'drift-declared-policy-detached-by-person.json': declaredPolicyDetached,
    'drift-template-default-without-profile.json': templateDefaultWithoutProfile,
    'drift-group-pinned-without-profile.json': groupPinnedWithoutProfile,
    'drift-responder-disassociation.json': responderDisassociation,
    'drift-harmless-changes.json': harmlessChanges,
    'drift-new-group-without-profile.json': newGroupWithoutProfile,
    'drift-template-by-name-without-profile.json': templateByNameWithoutProfile,
  },
  'pretty',
);
