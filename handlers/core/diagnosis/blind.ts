/**
 * Fail closed: a read of the instance → profile → role chain that failed (refused to the service, or an error it
 * could not retry) leaves that fact unknown. Unknown is never healthy and never "nothing to fix": the incident is
 * escalated, saying what the service could not see and which permission it lacks.
 */
import type { Facts } from './facts.ts';
import type { Rule } from './rule.ts';

/** Reads without which the cause cannot be decided (the simulation, the decoded message and the event history only sharpen it). */
const CHAIN_READS = new Set([
  'ec2:DescribeInstances', 'ec2:DescribeIamInstanceProfileAssociations', 'ec2:DescribeLaunchTemplateVersions',
  // A drift of a role reaches its instances through the profiles that hold it: refused, "none" would be a guess.
  'iam:ListInstanceProfilesForRole',
  // A drift of a launch template named only by name finds the template (and so its instances) by this read.
  'ec2:DescribeLaunchTemplates',
  'autoscaling:DescribeAutoScalingGroups', 'iam:GetInstanceProfile', 'iam:GetRole', 'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies', 'iam:GetPolicyVersion',
]);

const REFUSED = /AccessDenied|UnauthorizedOperation|not authorized|UnrecognizedClient|InvalidClientTokenId|ExpiredToken/i;

export interface FailedRead {
  api: string;
  error: string;
  refused: boolean;
}

/** The chain reads that failed, each with its error and whether the service was refused (a missing permission). */
export function failedChainReads(facts: Facts): FailedRead[] {
  return facts.readErrors
    .map((line) => {
      const at = line.indexOf(': ');
      const api = at < 0 ? line : line.slice(0, at);
      const error = at < 0 ? '' : line.slice(at + 2);
      return { api, error, refused: REFUSED.test(error) };
    })
    .filter((r) => CHAIN_READS.has(r.api));
}

export const couldNotSee: Rule = (facts) => {
  const failed = failedChainReads(facts);
  if (!failed.length) return null;
  const refused = [...new Set(failed.filter((r) => r.refused).map((r) => r.api))];
  const other = [...new Set(failed.filter((r) => !r.refused).map((r) => r.api))];
  const parts = [
    refused.length ? `it lacks ${refused.join(', ')}` : '',
    other.length ? `${other.join(', ')} failed` : '',
  ].filter(Boolean);
  return {
    cause: 'unknown',
    summary: `the service could not see the account (${parts.join('; ')}): what it could not read is unknown, not healthy; nothing is changed until it can`,
    owner: `the operators of iam-autoheal in account ${facts.incident.accountId}${refused.length ? ` (grant its role ${refused.join(', ')})` : ''}`,
    because: failed.map((r) => ({ kind: 'could not see', summary: `${r.api}: ${r.error || 'failed'}${r.refused ? ` (permission ${r.api} missing)` : ''}` })),
  };
};
