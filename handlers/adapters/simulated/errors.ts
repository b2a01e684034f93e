/** AWS answers of the simulated account, turned into port errors exactly as the real adapters do. */
import { portErrorFor, type ErrorMapping } from '../aws/errors.ts';

/** An error as AWS sends it (wire code + message), before an adapter maps it to a port error. */
export class AwsWireError extends Error {
  override readonly name = 'AwsWireError' as const;
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** What the simulated AWS answers; the call gate maps it as the real adapter of that call would. */
export function awsError(code: string, message: string): AwsWireError {
  return new AwsWireError(code, message);
}

// The real IAM adapter treats "not found" on these writes as IAM not having propagated yet.
const NOT_FOUND_IS_TRANSIENT = new Set(['UpdateAssumeRolePolicy', 'AttachRolePolicy', 'PutRolePolicy', 'AddRoleToInstanceProfile']);

/** The port error the real adapter raises when AWS answers `wire` to `api`. */
export function portErrorForCall(api: string, wire: { code: string; message: string }): Error {
  const mapping: ErrorMapping = NOT_FOUND_IS_TRANSIENT.has(api) ? { notFoundIsTransient: true } : {};
  return portErrorFor({ code: wire.code, message: wire.message }, mapping);
}

/** Default texts AWS uses for the codes a fault may name without a message. */
export function defaultMessageFor(code: string): string {
  switch (code) {
    case 'Throttling':
    case 'RequestLimitExceeded':
      return 'Rate exceeded';
    case 'IncorrectState':
      return 'The instance is not in a valid state for this operation.';
    case 'IncorrectInstanceState':
      return "The instance is not in the 'running' or 'stopped' states.";
    case 'InvalidInstanceID.NotFound':
      return 'The instance ID does not exist';
    case 'InvalidParameterValue':
      return 'Value (unknown) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name';
    case 'EntityTemporarilyUnmodifiable':
      return 'The entity cannot be modified right now; try again.';
    case 'ServiceUnavailable':
    case 'ServiceFailure':
    case 'InternalFailure':
    case 'InternalError':
      return 'An internal error occurred; try again.';
    default:
      return `Injected ${code}`;
  }
}

/**
 * The Lambda running the step died (out of memory, timeout, a lost host): Step Functions reports `Lambda.Unknown`.
 * Nothing of that invocation runs afterwards, not even its error handling.
 */
export class LambdaCrash extends Error {
  override readonly name = 'Lambda.Unknown' as const;
}
