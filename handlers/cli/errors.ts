/** Errors the CLI turns into one line on stderr and exit code 2 (bad input), never a stack trace. */
export class InputError extends Error {
  override readonly name = 'InputError' as const;
}
