/** IAM's rules for policy documents, shared by the scenario checks and the simulated IAM writes. */
import type { PolicyDocument } from '../../core/ports.ts';

/** IAM counts policy size without whitespace. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}

/** Why IAM would reject the document as MalformedPolicyDocument; null when it is well formed. */
export function malformedReason(document: PolicyDocument, kind: 'identity' | 'trust'): string | null {
  const statements = Array.isArray(document?.Statement) ? document.Statement : document?.Statement ? [document.Statement] : [];
  if (statements.length === 0) return 'Syntax errors in policy: the policy has no statement.';
  for (const [i, s] of statements.entries()) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return `Syntax errors in policy: statement ${i + 1} has no valid Effect.`;
    if (s.Action === undefined && s.NotAction === undefined) return `Syntax errors in policy: statement ${i + 1} has no Action.`;
    if (kind === 'identity' && (s.Principal !== undefined || s.NotPrincipal !== undefined)) return `Policy document should not specify a principal (statement ${i + 1}).`;
    if (kind === 'identity' && s.Resource === undefined && s.NotResource === undefined) return `Syntax errors in policy: statement ${i + 1} has no Resource.`;
    if (kind === 'trust' && s.Principal === undefined && s.NotPrincipal === undefined) return `Syntax errors in policy: statement ${i + 1} has no Principal.`;
  }
  return null;
}
