/** The errors of AWS calls, as every adapter (real or simulated) raises them. */
/** Errors every adapter raises with these literal names, so that ASL Retry can match them. */
export class ThrottlingError extends Error {
  override readonly name = 'Throttling' as const;
}
export class TransientAwsError extends Error {
  override readonly name = 'TransientAwsError' as const;
  constructor(message: string, readonly code: string) {
    super(message);
  }
}
export class NotFoundError extends Error {
  override readonly name = 'NotFound' as const;
}
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError' as const;
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** An answer of AWS (refused, missing, throttled, failing): not a bug or a dying Lambda, which must fail the step. */
export function isAwsAnswer(err: unknown): boolean {
  return err instanceof ThrottlingError || err instanceof TransientAwsError || err instanceof NotFoundError || err instanceof AwsCallError;
}
