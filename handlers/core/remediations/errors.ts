/** A remediation that must not proceed (quota, conflicting state, unsafe input): never retried. */
export class RemediationRefusedError extends Error {
  override readonly name = 'RemediationRefused' as const;
}
