/**
 * Privileged roles: a role that lets whoever holds it gain any other privilege. The service never hands one
 * out (associate, replace, add to a profile, merge EC2 into its trust, put it in a launch template), in any
 * mode, whatever authorizes it: an instance is the easiest thing in an account to get code onto.
 */
import type { PolicyDocument } from '../ports.ts';
import { listOf, statementsOf, type Statement } from './statements.ts';
import { patternsOverlap } from './wildcard.ts';

/** One policy of a role: a managed policy's ARN or `inline <name>`, and its document (null: it could not be read). */
export interface RolePolicy {
  source: string;
  document: PolicyDocument | null;
}

/** AWS managed policies that make a role an administrator, whatever their current document says. */
const ADMIN_MANAGED = /:iam::aws:policy\/(.*\/)?(AdministratorAccess(-[A-Za-z0-9]+)?|PowerUserAccess|IAMFullAccess|AWSOrganizationsFullAccess)$/;

/** IAM actions that only read: everything else of `iam:` changes who can do what. */
const IAM_READ_PREFIXES = ['iam:get', 'iam:list', 'iam:simulate', 'iam:generate'];

/** The literal part of an action pattern before its first wildcard, lower case. */
function literalPrefix(pattern: string): string {
  const cut = pattern.search(/[*?]/);
  return (cut < 0 ? pattern : pattern.slice(0, cut)).toLowerCase();
}

function onlyReadsIam(pattern: string): boolean {
  const prefix = literalPrefix(pattern);
  return IAM_READ_PREFIXES.some((read) => prefix.startsWith(read));
}

/** PassRole alone (`iam:PassRole`, `iam:PassRol*`): harmless on named roles, an escalation on `*`. */
function onlyPassRole(pattern: string): boolean {
  return literalPrefix(pattern).startsWith('iam:pass');
}

function anyWildcard(resources: string[]): boolean {
  return resources.length === 0 || resources.some((r) => r.includes('*') || r.includes('?'));
}

/** Why one Allow statement makes a role privileged; null when it does not. */
export function privilegedStatementReason(statement: Statement): string | null {
  if (statement.Effect !== 'Allow') return null;
  if (statement.NotAction !== undefined) return `allows every action except ${JSON.stringify(statement.NotAction)} (NotAction)`;
  // NotResource: every resource but a few, as open as "*" for what follows.
  const resources = statement.NotResource !== undefined ? [] : listOf(statement.Resource);
  const on = statement.NotResource !== undefined ? 'every resource but a few (NotResource)' : JSON.stringify(statement.Resource);
  for (const action of listOf(statement.Action)) {
    if (action === '*' || action === '*:*') return `allows "${action}" on ${on}`;
    if (patternsOverlap(action, 'iam:*') && !onlyReadsIam(action)) {
      if (!onlyPassRole(action)) return `allows the IAM write "${action}" on ${on}`;
      if (anyWildcard(resources)) return `allows "${action}" on ${on}: it may pass any role`;
    }
    if (patternsOverlap(action, 'sts:AssumeRole*') && anyWildcard(resources)) return `allows "${action}" on ${on}: it may assume any role`;
  }
  return null;
}

/**
 * Why a role is privileged — the AWS managed policy, or the policy and statement that make it so — or why that
 * cannot be ruled out (a document that could not be read); null when none of its policies is privileged.
 */
export function privilegedReason(policies: RolePolicy[]): string | null {
  for (const policy of policies) {
    if (ADMIN_MANAGED.test(policy.source)) return `${policy.source} is an AWS managed administrator policy`;
  }
  for (const policy of policies) {
    if (!policy.document) return `the document of ${policy.source} could not be read, so the role cannot be shown not to be privileged`;
    const statements = statementsOf(policy.document);
    for (let i = 0; i < statements.length; i++) {
      const why = privilegedStatementReason(statements[i]!);
      if (why) {
        const sid = typeof statements[i]!.Sid === 'string' ? ` (${statements[i]!.Sid})` : '';
        return `${policy.source} statement ${i + 1}${sid} ${why}`;
      }
    }
  }
  return null;
}
