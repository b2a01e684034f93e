/**
 * Where a record comes from, and whether it may start anything: only AWS services put events with a source
 * `aws.…` on a bus (PutEvents refuses it to everyone else), so the envelope's source and account are
 * EventBridge's word; the record's own fields are whatever its sender wrote.
 *
 * The incident's account is the account that recorded the event (`recipientAccountId`, or the envelope's
 * `account`): that is where CloudTrail delivered it and where the instance lives. A denial is acted on only
 * when its session belongs to that same account: a call into another account is recorded there too, but
 * an instance and its role live in the role's own account, whose copy of the record is the one acted on.
 */
import type { Principal } from './model.ts';
import type { CloudTrailRecord, Envelope } from './records.ts';

const ACCOUNT_ID = /^\d{12}$/;

/** Twelve digits, as AWS account ids are; anything else (11 digits, "ANONYMOUS_PRINCIPAL", …) is not one. */
export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

/** Why an envelope cannot be trusted, or null: a custom source, a malformed account, or one the record contradicts. */
function envelopeProblem(record: CloudTrailRecord, envelope: Envelope): string | null {
  if (typeof envelope.source !== 'string' || !envelope.source.startsWith('aws.')) {
    return `event source ${JSON.stringify(envelope.source ?? null)} is not an AWS service (aws.…): a custom event, whoever sent it, never starts anything`;
  }
  if (!isAccountId(envelope.account)) return `EventBridge account ${JSON.stringify(envelope.account ?? null)} is not a 12-digit account id`;
  if (record.recipientAccountId !== undefined && record.recipientAccountId !== envelope.account) {
    return `the record says it was recorded in account ${JSON.stringify(record.recipientAccountId)}, EventBridge says ${envelope.account}: envelope and record disagree`;
  }
  return null;
}

export interface Origin {
  /** The recording account, validated; null when the record names none or a malformed one. */
  accountId: string | null;
  /** Why the record must not be acted on (forged or foreign envelope, malformed account), or null. */
  rejection: string | null;
}

/**
 * The record's recording account, and why it must not be used, if so. A record without any recording
 * account (old exports) falls back to its caller's account, when that is a valid one.
 */
export function originOf(record: CloudTrailRecord, envelope: Envelope | null, principal: Principal): Origin {
  if (envelope) {
    const problem = envelopeProblem(record, envelope);
    if (problem) return { accountId: null, rejection: problem };
  }
  const recorded = record.recipientAccountId;
  if (recorded === undefined || recorded === null || recorded === '') {
    return { accountId: isAccountId(principal.accountId) ? principal.accountId : null, rejection: null };
  }
  if (!isAccountId(recorded)) {
    return { accountId: null, rejection: `recorded in account ${JSON.stringify(recorded)}, which is not a 12-digit account id: reported, not used` };
  }
  return { accountId: recorded, rejection: null };
}

/**
 * Why a denial recorded in `accountId` is not about an instance of that account, or null. The session's
 * account comes from its role (sessionIssuer), else from userIdentity; a malformed one is never used.
 */
export function foreignSessionReason(principal: Principal, accountId: string): string | null {
  const caller = principal.roleArn?.split(':')[4] || principal.accountId;
  if (!caller) return null;
  if (!isAccountId(caller)) return `the session's account ${JSON.stringify(caller)} is not a 12-digit account id: reported, not used`;
  if (caller !== accountId) {
    return `a session of account ${caller}'s role, recorded in account ${accountId}: only the role's own account holds its instances (its copy of the record is the one acted on)`;
  }
  return null;
}
