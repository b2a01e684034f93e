/** Trust-policy reading and the EC2 merge: add ec2.amazonaws.com without dropping or reordering anything. */
import type { PolicyDocument } from '../ports.ts';
import { IAM_QUOTAS, listOf, policySize, statementsOf, type Statement } from './statements.ts';
import { actionMatches } from './wildcard.ts';

export const EC2_SERVICE_PRINCIPAL = 'ec2.amazonaws.com';

/** Services named in a statement's Principal (`{ Service: … }`). */
export function servicePrincipals(statement: Statement): string[] {
  const principal = statement.Principal;
  if (!principal || typeof principal !== 'object') return [];
  return listOf((principal as Record<string, unknown>).Service);
}

function allowsAssumeRole(statement: Statement): boolean {
  return statement.Effect === 'Allow' && listOf(statement.Action).some((a) => actionMatches(a, 'sts:AssumeRole'));
}

function hasCondition(statement: Statement): boolean {
  return !!statement.Condition && Object.keys(statement.Condition as object).length > 0;
}

/** Conditions on a trust statement that EC2's AssumeRole never satisfies (it sends no external id, MFA, tags…). */
const CONDITION_KEYS_EC2_CANNOT_MEET = /^(sts:ExternalId|aws:MultiFactorAuth|aws:PrincipalTag\/|aws:RequestTag\/|sts:RoleSessionName|saml:|aws:PrincipalOrgID|aws:PrincipalArn|sts:SourceIdentity)/i;

function conditionKeys(statement: Statement): string[] {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(condition).flatMap((byKey) => Object.keys(byKey ?? {}));
}

export interface TrustReading {
  allowsEc2: boolean;
  /** Index of the statement that lets EC2 assume the role, when one does. */
  statementIndex: number | null;
  /** A statement names EC2 but with conditions EC2 cannot meet (e.g. sts:ExternalId). */
  blockedByCondition: boolean;
  /** An explicit Deny statement naming EC2 (never removed automatically). */
  deniedExplicitly: boolean;
}

/** Whether the trust policy lets EC2 assume the role (what the instance profile mechanism needs). */
export function readTrust(document: PolicyDocument): TrustReading {
  const statements = statementsOf(document);
  let statementIndex: number | null = null;
  let blockedByCondition = false;
  let deniedExplicitly = false;
  statements.forEach((s, i) => {
    const namesEc2 = servicePrincipals(s).includes(EC2_SERVICE_PRINCIPAL) || s.Principal === '*';
    if (!namesEc2) return;
    if (s.Effect === 'Deny' && listOf(s.Action).some((a) => actionMatches(a, 'sts:AssumeRole'))) deniedExplicitly = true;
    if (!allowsAssumeRole(s)) return;
    if (conditionKeys(s).some((k) => CONDITION_KEYS_EC2_CANNOT_MEET.test(k))) blockedByCondition = true;
    else if (statementIndex === null) statementIndex = i;
  });
  return { allowsEc2: statementIndex !== null && !deniedExplicitly, statementIndex, blockedByCondition, deniedExplicitly };
}

export class TrustMergeError extends Error {
  override readonly name = 'TrustMergeError' as const;
}

export interface TrustMerge {
  document: PolicyDocument;
  changed: boolean;
  /** How the merge was done, for the audit trail and the notification. */
  how: string;
}

/**
 * Adds ec2.amazonaws.com to a trust policy. Every original statement keeps its place and content;
 * only an unconditioned `Allow sts:AssumeRole` Service statement may gain EC2 in its Service list,
 * otherwise a statement of our own is appended. Refuses past the trust-policy size quota.
 */
export function mergeEc2Trust(document: PolicyDocument, quota: number = IAM_QUOTAS.trustPolicyChars): TrustMerge {
  const reading = readTrust(document);
  if (reading.deniedExplicitly) {
    throw new TrustMergeError('the trust policy denies ec2.amazonaws.com explicitly; a human must decide whether to remove that Deny');
  }
  if (reading.allowsEc2) return { document, changed: false, how: 'the trust policy already allows ec2.amazonaws.com' };

  const statements = statementsOf(document);
  const extendable = statements.findIndex(
    (s) => allowsAssumeRole(s) && !hasCondition(s) && servicePrincipals(s).length > 0 && listOf(s.Action).length > 0,
  );
  let merged: Statement[];
  let how: string;
  if (extendable >= 0) {
    const target = statements[extendable]!;
    const principal = target.Principal as Record<string, unknown>;
    const services = [...listOf(principal.Service), EC2_SERVICE_PRINCIPAL];
    merged = statements.map((s, i) => (i === extendable ? { ...s, Principal: { ...principal, Service: services } } : s));
    how = `added ec2.amazonaws.com to the Service list of statement ${extendable + 1}`;
  } else {
    merged = [...statements, { Sid: 'IamAutohealEc2AssumeRole', Effect: 'Allow', Principal: { Service: EC2_SERVICE_PRINCIPAL }, Action: 'sts:AssumeRole' }];
    how = `appended statement ${statements.length + 1} allowing ec2.amazonaws.com to call sts:AssumeRole`;
  }
  const result: PolicyDocument = { ...document, Statement: merged };
  const size = policySize(result);
  if (size > quota) {
    throw new TrustMergeError(`merging ec2.amazonaws.com would make the trust policy ${size} characters, over the ${quota}-character quota; nothing was changed`);
  }
  return { document: result, changed: true, how };
}
