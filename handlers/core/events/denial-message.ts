/** Reads an access-denied errorMessage: which policy type denied, explicitly or not, and what was asked. */
import type { Denial, DenialPolicyType } from './model.ts';

const PERFORM = 'is not authorized to perform: ';
const ON_RESOURCE = ' on resource: ';
const EXPLICIT = 'with an explicit deny';
const IMPLICIT = 'because no ';
/** IAM's documentation prints the implicit trust-policy form without "no". */
const IMPLICIT_TRUST_TYPO = 'because the role trust policy allows';
const TRANSITIVE = ' transitively through a ';
const ENCODED = 'Encoded authorization failure message:';
/** The error code of a call refused by a VPC endpoint policy, as CloudTrail network activity events record it. */
const VPCE_DENIED = /(^|\.)VpceAccessDenied$/;
/** CloudTrail cuts errorMessage at about 1 KB; a message this long has most likely lost its end. */
const CLOUDTRAIL_MESSAGE_CAP = 950;

/** Policy-type phrases as AWS writes them, longest first so "resource control" wins over "resource". */
const POLICY_TYPE_PHRASES: ReadonlyArray<readonly [string, Exclude<DenialPolicyType, null>]> = [
  ['identity-based policy', 'identity-based'],
  ['resource-based policy', 'resource-based'],
  ['service control policy', 'service-control'],
  ['resource control policy', 'resource-control'],
  ['permissions boundary', 'permissions-boundary'],
  ['permission boundary', 'permissions-boundary'],
  ['sessions policy', 'session'],
  ['session policy', 'session'],
  ['vpc endpoint policy', 'vpc-endpoint'],
  ['role trust policy', 'trust'],
  ['trust policy', 'trust'],
];

const LONGEST_PHRASE = Math.max(...POLICY_TYPE_PHRASES.map(([phrase]) => phrase.length));
const ACTION_CHARS = /^[A-Za-z0-9_-]+:[A-Za-z0-9_*-]+/;
const ARTICLE = /^\s*in (?:an?|the) /i;
const ARN_INTRO = ': arn:';
const POLICY_ARN = /^\s*(arn:[^\s"]+)/;
const TRAILING_PUNCTUATION = /[.,;]+$/;
/** Where an unquoted resource ends. */
const RESOURCE_STOPS = [' because', ' with an explicit deny', '. '];

/** The policy type named at the start of `text` (case-insensitive), with the phrase's length. */
function policyTypeAt(text: string): [Exclude<DenialPolicyType, null>, number] | null {
  const lower = text.slice(0, LONGEST_PHRASE).toLowerCase();
  for (const [phrase, type] of POLICY_TYPE_PHRASES) {
    if (lower.startsWith(phrase)) return [type, phrase.length];
  }
  return null;
}

/** Skips "in a ", "in an ", "in the " before a policy type. */
function skipArticle(text: string): string {
  const m = ARTICLE.exec(text);
  return m ? text.slice(m[0].length) : text.trimStart();
}

/** ": arn:…" naming the policy, after the policy type (and after "allows the X action" in the implicit form). */
function policyArnAfter(text: string): string | null {
  const at = text.indexOf(ARN_INTRO);
  if (at < 0) return null;
  const m = POLICY_ARN.exec(text.slice(at + 1));
  return m ? m[1].replace(TRAILING_PUNCTUATION, '') : null;
}

function actionAndResource(text: string): { action: string | null; resource: string | null } {
  const at = text.indexOf(PERFORM);
  if (at < 0) return { action: null, resource: null };
  const rest = text.slice(at + PERFORM.length).trimStart();
  const m = ACTION_CHARS.exec(rest);
  if (!m) return { action: null, resource: null };
  const colon = m[0].indexOf(':');
  // IAM prefixes are lower case; some services print "SNS:Publish".
  const action = m[0].slice(0, colon).toLowerCase() + m[0].slice(colon);
  let resource: string | null = null;
  const after = rest.slice(m[0].length);
  if (after.startsWith(ON_RESOURCE)) {
    const r = after.slice(ON_RESOURCE.length);
    if (r.startsWith('"')) {
      const close = r.indexOf('"', 1);
      resource = close > 0 ? r.slice(1, close) : r.slice(1);
    } else {
      let end = r.length;
      for (const stop of RESOURCE_STOPS) {
        const i = r.indexOf(stop);
        if (i >= 0 && i < end) end = i;
      }
      resource = r.slice(0, end).replace(/\.$/, '') || null;
    }
  }
  return { action, resource };
}

function reason(text: string): Pick<Denial, 'explicit' | 'policyType' | 'policyArn' | 'via'> {
  const explicitAt = text.indexOf(EXPLICIT);
  if (explicitAt >= 0) {
    const tail = skipArticle(text.slice(explicitAt + EXPLICIT.length));
    const typed = policyTypeAt(tail);
    if (!typed) return { explicit: true, policyType: null, policyArn: policyArnAfter(tail), via: null };
    let [policyType, len] = typed;
    let via: DenialPolicyType = null;
    let after = tail.slice(len);
    if (after.startsWith(TRANSITIVE)) {
      // The request passed a VPC endpoint; the deny that decided it is in the policy named last.
      const through = policyTypeAt(after.slice(TRANSITIVE.length));
      if (through) {
        via = policyType;
        policyType = through[0];
        after = after.slice(TRANSITIVE.length + through[1]);
      }
    }
    return { explicit: true, policyType, policyArn: policyArnAfter(after), via };
  }
  const implicitAt = text.indexOf(IMPLICIT);
  if (implicitAt >= 0) {
    const tail = text.slice(implicitAt + IMPLICIT.length);
    const typed = policyTypeAt(tail);
    if (typed) {
      return { explicit: false, policyType: typed[0], policyArn: policyArnAfter(tail.slice(typed[1])), via: null };
    }
  }
  if (text.includes(IMPLICIT_TRUST_TYPO)) return { explicit: false, policyType: 'trust', policyArn: null, via: null };
  return { explicit: null, policyType: null, policyArn: null, via: null };
}

/**
 * Every documented access-denied message form: "because no <type> allows", "with an explicit deny
 * in a(n)/the <type>", an optional trailing ": arn:…" of the policy, legacy text without a reason,
 * S3's "Access Denied", no message at all, EC2's "Encoded authorization failure message"
 * (flagged, with the blob, and whether CloudTrail cut it), and the code `VpceAccessDenied` of network
 * activity events ("The request was denied due to a VPC endpoint policy": policy type vpc-endpoint).
 */
export function parseDenialMessage(errorCode: string | null | undefined, errorMessage: string | null | undefined): Denial {
  const message = typeof errorMessage === 'string' && errorMessage.trim() !== '' ? errorMessage : null;
  const denial: Denial = {
    explicit: null,
    policyType: null,
    encodedMessage: false,
    encoded: null,
    encodedTruncated: false,
    policyArn: null,
    errorCode: errorCode ?? null,
    message,
    action: null,
    resource: null,
    via: null,
  };
  // CloudTrail network activity events: a fixed message, no "User: … is not authorized" clause; the code says it all.
  if (typeof errorCode === 'string' && VPCE_DENIED.test(errorCode)) denial.policyType = 'vpc-endpoint';
  if (message === null) return denial;

  let text = message;
  const encodedAt = message.indexOf(ENCODED);
  if (encodedAt >= 0) {
    const blob = message.slice(encodedAt + ENCODED.length).trim();
    denial.encodedMessage = true;
    denial.encoded = blob === '' ? null : blob;
    denial.encodedTruncated =
      blob === '' || blob.endsWith('...') || blob.endsWith('…') || message.length >= CLOUDTRAIL_MESSAGE_CAP;
    text = message.slice(0, encodedAt);
  }
  const parsed = reason(text);
  Object.assign(denial, actionAndResource(text), parsed.policyType === null && denial.policyType ? { ...parsed, policyType: denial.policyType } : parsed);
  return denial;
}
