/** Whether a declared statement or document allows one action on one resource (conditions are the operator's). */
import type { PolicyDocument } from '../ports.ts';
import { listOf, statementsOf, type Statement } from './statements.ts';
import { actionMatches, wildcardMatch } from './wildcard.ts';

export function statementCovers(statement: Statement, action: string, resource: string | null): boolean {
  if (statement.Effect !== 'Allow' || statement.NotAction !== undefined || statement.NotResource !== undefined) return false;
  if (!listOf(statement.Action).some((pattern) => actionMatches(pattern, action))) return false;
  const resources = listOf(statement.Resource);
  return resource === null ? resources.length > 0 : resources.some((pattern) => wildcardMatch(pattern, resource));
}

export function documentCovers(document: PolicyDocument, action: string, resource: string | null): boolean {
  return statementsOf(document).some((s) => statementCovers(s, action, resource));
}

/** Whether a Deny statement of the document may apply to the action on the resource (conditions assumed to hold: the cautious reading). */
export function documentMayDeny(document: PolicyDocument, action: string, resource: string | null): boolean {
  return statementsOf(document).some((s) => {
    if (s.Effect !== 'Deny') return false;
    const actionHit = s.NotAction !== undefined ? !listOf(s.NotAction).some((p) => actionMatches(p, action)) : listOf(s.Action).some((p) => actionMatches(p, action));
    if (!actionHit) return false;
    if (resource === null || s.NotResource !== undefined) return true;
    return listOf(s.Resource).some((pattern) => wildcardMatch(pattern, resource));
  });
}

/** One call judged from documents alone, as the simulator would answer it (its statements' conditions not evaluated). */
export interface DocumentVerdict {
  action: string;
  resource: string | null;
  decision: 'allowed' | 'implicitDeny' | 'explicitDeny';
  /** The names of the documents that decided: those that may deny it, else those that allow it. */
  by: string[];
}

/**
 * What a principal's own policies say about each call, without the policy simulator: a Deny that may apply (the
 * cautious reading) is an explicit deny, else an Allow that covers it allows, else nothing allows it. Boundaries, SCPs,
 * resource and session policies are not in `documents` and so unseen.
 */
export function documentVerdicts(documents: Record<string, PolicyDocument>, calls: Array<{ action: string; resource: string | null }>): DocumentVerdict[] {
  const named = Object.entries(documents);
  return calls.map((c) => {
    const denying = named.filter(([, d]) => documentMayDeny(d, c.action, c.resource)).map(([name]) => name);
    if (denying.length) return { ...c, decision: 'explicitDeny', by: denying };
    const allowing = named.filter(([, d]) => documentCovers(d, c.action, c.resource)).map(([name]) => name);
    return { ...c, decision: allowing.length ? 'allowed' : 'implicitDeny', by: allowing };
  });
}
