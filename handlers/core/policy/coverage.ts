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
