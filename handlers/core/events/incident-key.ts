/** Incident keys: many events with one root cause → one key → one workflow execution. */
import { iamPrefixFor } from './iam-action.ts';
import type { Classification } from './model.ts';

/** Step Functions execution names: at most 80 characters of [A-Za-z0-9-_]. */
const EXECUTION_NAME_MAX = 80;
/** Room left after the key for executionNameFor's "-YYYYMMDDTHHMM". */
const KEY_MAX = 64;
const HASH_LENGTH = 10;
const UNSAFE = /[^A-Za-z0-9_-]+/g;

/** 53-bit string hash (cyrb53), 10 base-36 characters: fast, deterministic, no crypto import; the readable part carries the meaning. */
export function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36).padStart(HASH_LENGTH, '0').slice(-HASH_LENGTH);
}

/**
 * A readable, execution-name-safe key; the hash of the full identity (e.g. the role ARN with its
 * path, not only its name) keeps truncated or sanitized keys distinct.
 */
export function keyOf(parts: Array<string | null | undefined>, identity: Array<string | null | undefined> = parts): string {
  const full = identity.map((p) => p ?? '-').join('|');
  const readable = parts
    .map((p) => (p ?? 'unknown').replace(UNSAFE, '_'))
    .join('-')
    .slice(0, KEY_MAX - HASH_LENGTH - 1);
  return `${readable}-${hash(full)}`;
}

/** The IAM service prefix of the denied action: the action class of a denial. */
function actionClass(c: Classification): string | null {
  if (c.action) {
    const colon = c.action.indexOf(':');
    return colon > 0 ? c.action.slice(0, colon) : c.action;
  }
  return c.eventSource ? iamPrefixFor(c.eventSource) : null;
}

/**
 * The incident a classified record belongs to, or null when it starts none (change, ignored).
 * Choice: one root cause = one key, however many instances and calls report it.
 * - denial → account | region | role ARN | IAM service prefix: all instances of a role share the
 *   role's policies, so a storm of s3:GetObject and s3:PutObject denials from 50 instances is one
 *   incident, while kms or another role is another; the access level would split Get from Put, so it is left out.
 * - launch → account | region | Auto Scaling group, else launch template, else the instance profile,
 *   else the launch's own instance: a scale-out of 200 instances from one group is one incident, while two
 *   launches by hand without a profile are two (nothing else ties them together).
 */
export function incidentKey(c: Classification): string | null {
  // The recording account (the sweep's own triggers carry only the principal's).
  const account = c.accountId ?? c.principal.accountId;
  if (c.kind === 'access-denied') {
    const service = actionClass(c);
    return keyOf(
      ['deny', account, c.region, c.principal.roleName, service],
      ['deny', account, c.region, c.principal.roleArn ?? c.principal.roleName, service],
    );
  }
  if (c.kind === 'launch' && c.launch) {
    const { autoScalingGroup, launchTemplate, instanceProfile } = c.launch;
    const template = launchTemplate?.launchTemplateId ?? launchTemplate?.launchTemplateName ?? null;
    const group = autoScalingGroup
      ? `asg:${autoScalingGroup}`
      : template
        ? `lt:${template}`
        : instanceProfile
          ? `profile:${instanceProfile}`
          : manualLaunchGroup(c);
    return keyOf(['launch', account, c.region, group]);
  }
  return null;
}

/** A launch by hand is its own incident: named by its first instance (else its event). */
function manualLaunchGroup(c: Classification): string {
  const first = [...(c.launch?.instanceIds ?? [])].sort()[0];
  if (first) return `manual:${first}`;
  return c.eventId ? `manual:event:${c.eventId}` : 'manual';
}

/** "YYYYMMDDTHHMM" of a time, in UTC. */
function compactTime(at: Date | string | number): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a time: ${String(at)}`);
  return date.toISOString().slice(0, 16).replace(/[-:]/g, '');
}

/**
 * The Step Functions execution name of an incident's window: deterministic, so that a duplicate
 * StartExecution for the same key and window is a no-op (ExecutionAlreadyExists).
 */
export function executionNameFor(key: string, windowStart: Date | string | number): string {
  return `${key.replace(UNSAFE, '_')}-${compactTime(windowStart)}`.slice(0, EXECUTION_NAME_MAX);
}
