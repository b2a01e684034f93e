/** Errors the CLI turns into one line on stderr and exit code 2 (bad input), never a stack trace. */
export class InputError extends Error {
  override readonly name = 'InputError' as const;
}

/** The operator's AWS access fails (no credentials, no region, access denied): one line, exit 2. */
export class AwsAccessError extends Error {
  override readonly name = 'AwsAccessError' as const;
}
