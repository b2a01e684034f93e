/**
 * The one place where SDK errors become port errors. The workflow's ASL retries on the literal
 * names of ThrottlingError ("Throttling") and TransientAwsError; adapters never retry beyond the
 * SDK's own small default, because Lambdas do not sleep.
 */
import { AwsCallError, NotFoundError, ThrottlingError, TransientAwsError } from '../../core/ports.ts';

// Codes compared without a trailing "Exception": modelled errors are named "NoSuchEntityException",
// unmodelled ones carry the bare wire code ("Throttling").
const THROTTLING = new Set(['Throttling', 'RequestLimitExceeded', 'TooManyRequests', 'ProvisionedThroughputExceeded']);
const TRANSIENT = new Set([
  'EntityTemporarilyUnmodifiable',
  'IncorrectState',
  // EC2: the instance is not running or stopped. Pending or stopping passes; shutting-down or terminated is an
  // instance gone, which the remediation reads again and skips (core/remediations/instance-gone.ts).
  'IncorrectInstanceState',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError', // EC2's spelling of InternalFailure
  'ServiceFailure', // IAM's 500
  'ConcurrentModification',
]);
const NOT_FOUND = new Set([
  'NoSuchEntity',
  'InvalidInstanceID.NotFound',
  'InvalidAssociationID.NotFound',
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidLaunchTemplateName.NotFound',
]);
// EC2 does not see a profile for a few seconds after IAM created it or gave it a role.
const PROFILE_NOT_YET_VISIBLE = /Invalid IAM Instance Profile (name|ARN)/i;
// Network failures the SDK gave up on: worth another try from the workflow.
const NETWORK_TRANSIENT = new Set(['TimeoutError', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

export interface AwsErrorShape {
  code: string;
  message: string;
  /** HTTP status of the answer, where the SDK got one ($metadata.httpStatusCode). */
  status?: number;
  /** Who is at fault ($fault), and whether the SDK calls it a throttle ($retryable.throttling). */
  fault?: 'client' | 'server';
  throttling?: boolean;
}

/** Wire code and message of an SDK error; null for errors that did not come from an AWS call. */
export function awsErrorOf(err: unknown): AwsErrorShape | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: 'client' | 'server'; $retryable?: { throttling?: boolean } };
  const message = e.message ?? '';
  if (e.$metadata !== undefined) {
    // A body the SDK could not parse still has the HTTP status: the code alone would be "Unknown".
    return {
      code: (e.Code ?? e.name ?? 'Unknown').replace(/Exception$/, ''),
      message,
      ...(e.$metadata?.httpStatusCode !== undefined ? { status: e.$metadata.httpStatusCode } : {}),
      ...(e.$fault ? { fault: e.$fault } : {}),
      ...(e.$retryable?.throttling ? { throttling: true } : {}),
    };
  }
  const network = [e.name, e.code].find((c) => c !== undefined && NETWORK_TRANSIENT.has(c));
  return network ? { code: network, message } : null;
}

export function isNotFound(err: unknown): boolean {
  const shape = awsErrorOf(err);
  return shape !== null && NOT_FOUND.has(shape.code);
}

export interface ErrorMapping {
  /** The entity was read moments ago, so "not found" means IAM has not propagated yet. */
  notFoundIsTransient?: boolean;
}

/** Maps a wire code and message to the port error the workflow understands. */
export function portErrorFor(shape: AwsErrorShape, mapping: ErrorMapping = {}): Error {
  const code = shape.code.replace(/Exception$/, '');
  const { message } = shape;
  const text = `${code}: ${message}`;
  if (THROTTLING.has(code) || /rate exceeded/i.test(message)) return new ThrottlingError(text);
  // 501: the endpoint does not implement the operation (an emulator, a partition without it): no retry will change that.
  if (shape.status === 501 || code === 'NotImplemented') return new AwsCallError(text, code);
  if (TRANSIENT.has(code) || NETWORK_TRANSIENT.has(code)) return new TransientAwsError(text, code);
  if (code === 'InvalidParameterValue' && PROFILE_NOT_YET_VISIBLE.test(message)) return new TransientAwsError(text, code);
  if (NOT_FOUND.has(code)) return mapping.notFoundIsTransient ? new TransientAwsError(text, code) : new NotFoundError(text);
  // Codes not listed: the HTTP status and the SDK's traits decide (a 503 with an unreadable body is still a 503).
  if (shape.throttling || shape.status === 429) return new ThrottlingError(text);
  if ((shape.status ?? 0) >= 500 || shape.fault === 'server') return new TransientAwsError(text, code);
  return new AwsCallError(text, code);
}

/** Port error for anything thrown by an SDK call; non-AWS errors (bugs) pass through unchanged. */
export function toPortError(err: unknown, mapping: ErrorMapping = {}): unknown {
  const shape = awsErrorOf(err);
  return shape === null ? err : portErrorFor(shape, mapping);
}

/** Awaits an SDK call and rethrows its failure as a port error. */
export async function mapErrors<T>(call: Promise<T>, mapping: ErrorMapping = {}): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw toPortError(err, mapping);
  }
}

/** Like mapErrors, but "not found" answers null (the getters' contract). */
export async function nullIfNotFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw toPortError(err);
  }
}
