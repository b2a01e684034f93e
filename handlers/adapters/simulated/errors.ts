/** AWS answers of the simulated account, turned into port errors exactly as the real adapters do. */
import { portErrorFor } from '../aws/errors.ts';

/** The port error a real adapter would raise for this wire code and message. */
export function awsError(code: string, message: string): Error {
  return portErrorFor({ code, message });
}

/** Default texts AWS uses for the codes a fault may name without a message. */
export function defaultMessageFor(code: string): string {
  switch (code) {
    case 'Throttling':
    case 'RequestLimitExceeded':
      return 'Rate exceeded';
    case 'IncorrectState':
      return 'The instance is not in a valid state for this operation.';
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
