/** A remediation that must not proceed (quota, conflicting state, unsafe input): never retried. */
export class RemediationRefusedError extends Error {
  override readonly name = 'RemediationRefused' as const;
}

/**
 * Undo would overwrite a change made since: the resource is neither what the change left (`after`) nor what
 * was there before. Never retried; `--force` restores anyway.
 */
export class UndoConflictError extends Error {
  override readonly name = 'UndoConflict' as const;
  constructor(message: string, readonly current: unknown) {
    super(message);
  }
}
