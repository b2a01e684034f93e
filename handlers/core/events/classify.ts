/** One CloudTrail record → the triage classification of CONTRACTS.md. */
import { changeOf } from './change.ts';
import { parseDenialMessage } from './denial-message.ts';
import { normalizeEventTime } from './event-time.ts';
import { iamActionFor } from './iam-action.ts';
import { launchOf } from './launch.ts';
import type { Change, Classification, Denial, Launch, Principal, RecordKind } from './model.ts';
import { foreignSessionReason, originOf } from './origin.ts';
import { notInstanceRoleReason, principalOf } from './principal.ts';
import type { CloudTrailRecord, DeliveredRecord, Envelope } from './records.ts';

const DRY_RUN = 'DryRunOperation';
/** Authorization failures whose code neither starts with AccessDenied nor ends with UnauthorizedOperation. */
const SERVICE_AUTHORIZATION_CODES: ReadonlySet<string> = new Set([
  'VpceAccessDenied',
  'AuthorizationError', // SNS
  'AuthorizationErrorException',
  'AuthorizationFailure',
  'NotAuthorized',
  'NotAuthorizedException',
  'UnauthorizedException',
  'UnauthorizedAccess',
  'Forbidden',
  'ForbiddenException',
  'InsufficientPrivilegesException',
  'InsufficientPermissionsException',
]);

/** "Client.UnauthorizedOperation" → "UnauthorizedOperation". */
function bareCode(errorCode: string): string {
  const dot = errorCode.lastIndexOf('.');
  return dot >= 0 ? errorCode.slice(dot + 1) : errorCode;
}

/** AccessDenied*, *UnauthorizedOperation, VpceAccessDenied, or a service's own authorization-failure code. */
export function isAuthorizationFailure(errorCode: string | null | undefined): boolean {
  if (!errorCode) return false;
  const code = bareCode(errorCode);
  return code.startsWith('AccessDenied') || code.endsWith('UnauthorizedOperation') || SERVICE_AUTHORIZATION_CODES.has(code);
}

/** A successful dry run ("Request would have succeeded, but DryRun flag is set."): neither a launch nor a denial. */
export function isDryRun(errorCode: string | null | undefined): boolean {
  return !!errorCode && bareCode(errorCode) === DRY_RUN;
}

/** The VPC endpoint of a call that went through one (management, data and network activity events record it). */
function endpointOf(record: CloudTrailRecord): Pick<Denial, 'vpcEndpointId' | 'vpcEndpointAccountId' | 'networkActivity'> {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return {
    vpcEndpointId: text(record.vpcEndpointId),
    vpcEndpointAccountId: text(record.vpcEndpointAccountId),
    networkActivity: record.eventCategory === 'NetworkActivity',
  };
}

function firstResourceArn(record: CloudTrailRecord): string | null {
  const first = Array.isArray(record.resources) ? record.resources[0] : undefined;
  return typeof first?.ARN === 'string' ? first.ARN : null;
}

interface Verdict {
  kind: RecordKind;
  reason: string;
  denial?: Denial | null;
  launch?: Launch | null;
  change?: Change | null;
}

function verdictOf(record: CloudTrailRecord, principal: Principal): Verdict {
  const errorCode = typeof record.errorCode === 'string' && record.errorCode !== '' ? record.errorCode : null;
  const isRunInstances = record.eventName === 'RunInstances';
  if (isDryRun(errorCode)) {
    return { kind: 'ignored', reason: `dry run of ${record.eventName}: nothing was done`, launch: isRunInstances ? launchOf(record) : null };
  }
  if (errorCode !== null) {
    if (!isAuthorizationFailure(errorCode)) return { kind: 'ignored', reason: `failed with ${errorCode}, not an authorization failure` };
    const denial = { ...parseDenialMessage(errorCode, record.errorMessage), ...endpointOf(record) };
    if (principal.instanceId === null) {
      return { kind: 'ignored', reason: `denied, but the caller is not an EC2 instance role: ${notInstanceRoleReason(record, principal)}`, denial };
    }
    const delivered = principal.ec2RoleDelivery ? '' : ' (no ec2RoleDelivery: triage only, never changed automatically)';
    return { kind: 'access-denied', reason: `instance-role session of ${principal.instanceId} denied (${errorCode})${delivered}`, denial };
  }
  if (isRunInstances) {
    const launch = launchOf(record);
    const how = launch.viaAutoScaling ? 'by Auto Scaling' : 'by hand';
    return { kind: 'launch', reason: `instances launched ${how}, ${launch.instanceProfile ? `profile ${launch.instanceProfile}` : 'no instance profile in the record'}`, launch };
  }
  const change = changeOf(record);
  if (change) {
    return { kind: 'change', reason: `${record.eventName} of ${change.resourceType} ${change.resource ?? '?'}${change.breaking ? ' (can break an instance role)' : ''}`, change };
  }
  return { kind: 'ignored', reason: `successful ${record.eventName}: not a denial, launch or change we watch` };
}

/**
 * The verdict once the record's origin is known: a rejected origin, or a denial by a session of another
 * account, is `ignored` with the reason (and keeps what was read, e.g. the denial, for triage).
 */
function checkedVerdict(record: CloudTrailRecord, envelope: Envelope | null, principal: Principal): Verdict & { accountId: string | null; rejection: string | null } {
  const origin = originOf(record, envelope, principal);
  const verdict = verdictOf(record, principal);
  if (origin.rejection) return { ...verdict, kind: 'ignored', reason: origin.rejection, ...origin };
  if (verdict.kind === 'access-denied' && origin.accountId) {
    const foreign = foreignSessionReason(principal, origin.accountId);
    if (foreign) return { ...verdict, kind: 'ignored', reason: `denied, but ${foreign}`, accountId: origin.accountId, rejection: foreign };
  }
  if (verdict.kind === 'launch' && origin.accountId && principal.accountId && principal.accountId !== origin.accountId) {
    // The instances live where the launch was recorded, whoever launched them.
    return { ...verdict, reason: `${verdict.reason}; caller of account ${principal.accountId}, diagnosed in ${origin.accountId}`, ...origin };
  }
  return { ...verdict, ...origin };
}

/** Classifies one record: access-denied, launch, change, or ignored with the reason (CONTRACTS.md "triage"). */
export function classify(record: CloudTrailRecord): Classification {
  return classifyDelivered({ record, envelope: null });
}

/** `classify`, with the EventBridge envelope the record arrived in, whose source and account are checked (origin.ts). */
export function classifyDelivered({ record, envelope }: DeliveredRecord): Classification {
  const principal = principalOf(record);
  const verdict = checkedVerdict(record, envelope, principal);
  const denial = verdict.denial ?? null;
  return {
    eventId: typeof record.eventID === 'string' ? record.eventID : null,
    accountId: verdict.accountId,
    rejection: verdict.rejection,
    eventName: record.eventName ?? null,
    eventSource: record.eventSource ?? null,
    eventTime: normalizeEventTime(record.eventTime),
    region: typeof record.awsRegion === 'string' ? record.awsRegion : null,
    kind: verdict.kind,
    reason: verdict.reason,
    principal,
    // The message names the action IAM evaluated (e.g. lambda:ListFunctions for ListFunctions20150331).
    action: denial?.action ?? (record.eventSource && record.eventName ? iamActionFor(record.eventSource, record.eventName) : null),
    resource: denial?.resource ?? firstResourceArn(record),
    denial,
    launch: verdict.launch ?? null,
    change: verdict.change ?? null,
  };
}
