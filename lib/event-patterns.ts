/**
 * The EventBridge patterns of the rules (ARCHITECTURE.md "The flow"), as plain data so that
 * tests can evaluate them against real CloudTrail records with the local matcher.
 */
import { CLOUDTRAIL_DETAIL_TYPES } from '../handlers/core/events/records.ts';
import type { EventPattern } from './event-pattern-matcher.ts';

/** Management and data events. */
export const CLOUDTRAIL_DETAIL_TYPE = CLOUDTRAIL_DETAIL_TYPES[0];
/** Network activity events (calls through a VPC endpoint), delivered when a trail logs them. */
export const NETWORK_ACTIVITY_DETAIL_TYPE = CLOUDTRAIL_DETAIL_TYPES[1];

/** Error codes of an authorization failure (CONTRACTS.md triage `access-denied`). */
export const DENIAL_ERROR_CODES: unknown[] = [
  { prefix: 'AccessDenied' },
  { suffix: 'UnauthorizedOperation' },
  'VpceAccessDenied',
  'AuthorizationError',
];

/**
 * A failed call by an EC2 instance-role session whose credentials EC2 delivered, reported by AWS itself:
 * a management or data event, or a network activity event (`VpceAccessDenied`, refused by a VPC endpoint
 * policy; delivered only when a trail logs network activity events for that event source).
 * `AROA*:i-*` keeps out the Systems Manager identity (`ACCOUNT:aws:ec2-instance:i-…`), and the
 * required `ec2RoleDelivery` keeps out anyone who merely named their session `i-…`.
 */
export const instanceRoleDenialPattern: EventPattern = {
  // Only AWS services may put a source "aws.…" on a bus: a custom event shaped like this one never matches.
  source: [{ prefix: 'aws.' }],
  'detail-type': [CLOUDTRAIL_DETAIL_TYPE, NETWORK_ACTIVITY_DETAIL_TYPE],
  detail: {
    errorCode: DENIAL_ERROR_CODES,
    userIdentity: {
      type: ['AssumedRole'],
      principalId: [{ wildcard: 'AROA*:i-*' }],
      sessionContext: { ec2RoleDelivery: [{ exists: true }] },
    },
  },
};

/** Successful RunInstances, whoever made it (a dry run carries errorCode Client.DryRunOperation). */
export const launchPattern: EventPattern = {
  source: ['aws.ec2'],
  'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
  detail: {
    eventSource: ['ec2.amazonaws.com'],
    eventName: ['RunInstances'],
    errorCode: [{ exists: false }],
  },
};

/** Changes that can break an instance's role, by service (ARCHITECTURE.md, "changes"). */
export const DRIFT_EVENT_NAMES = {
  iam: [
    'UpdateAssumeRolePolicy',
    'PutRolePolicy',
    'DeleteRolePolicy',
    'AttachRolePolicy',
    'DetachRolePolicy',
    'AddRoleToInstanceProfile',
    'RemoveRoleFromInstanceProfile',
  ],
  ec2: [
    'AssociateIamInstanceProfile',
    'ReplaceIamInstanceProfileAssociation',
    'DisassociateIamInstanceProfile',
    'CreateLaunchTemplate',
    'CreateLaunchTemplateVersion',
    'ModifyLaunchTemplate',
  ],
  autoscaling: ['CreateAutoScalingGroup', 'UpdateAutoScalingGroup'],
} as const;

/** Successful drift changes. IAM is global: its events reach EventBridge in us-east-1 only. */
export const driftPattern: EventPattern = {
  source: Object.keys(DRIFT_EVENT_NAMES).map((service) => `aws.${service}`),
  'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
  detail: {
    eventSource: Object.keys(DRIFT_EVENT_NAMES).map((service) => `${service}.amazonaws.com`),
    eventName: Object.values(DRIFT_EVENT_NAMES).flat(),
    errorCode: [{ exists: false }],
  },
};

/** Every pattern by rule, for the construct and for the tests alike. */
export const RULE_PATTERNS = {
  instanceRoleDenial: instanceRoleDenialPattern,
  launch: launchPattern,
  drift: driftPattern,
} as const;

export type RuleName = keyof typeof RULE_PATTERNS;
