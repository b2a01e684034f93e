/**
 * IAM policy evaluation by a real evaluator (@cloud-copilot/iam-simulate: identity policies,
 * permissions boundary, SCPs, resource policies, conditions), mapped to the port's SimulationResult.
 * AGPL: only the simulated account imports it, never handlers/core or a Lambda entry.
 */
import { getDenialReasons, getGrantReasons, runSimulation, type RequestAnalysis, type Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument, SimulationResult } from '../../core/ports.ts';

export type PolicySourceType = 'role' | 'aws-managed' | 'user-managed' | 'permissions-boundary' | 'scp' | 'resource';

/** A policy as evaluation sees it: the id IAM reports (inline name or managed ARN) and its type. */
export interface SourcedPolicy {
  id: string;
  type: PolicySourceType;
  document: PolicyDocument;
}

export interface EvaluationRequest {
  principalArn: string;
  accountId: string;
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  identityPolicies: SourcedPolicy[];
  boundary: SourcedPolicy | null;
  scps: SourcedPolicy[];
  resourcePolicy: SourcedPolicy | null;
}

export interface Evaluation extends SimulationResult {
  /** One sentence a person can read: what decided. */
  reason: string;
}

/** AWS Organizations attaches FullAWSAccess everywhere by default; SCPs only ever subtract from it. */
const FULL_AWS_ACCESS: SourcedPolicy = {
  id: 'FullAWSAccess',
  type: 'scp',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

export async function evaluateRequest(request: EvaluationRequest): Promise<Evaluation> {
  let response = await runSimulation(toSimulation(request, request.resource), {});
  // An ARN the evaluator cannot type for this action still deserves an answer: evaluate as "*".
  if (response.resultType === 'error' && request.resource !== '*') response = await runSimulation(toSimulation(request, '*'), {});
  const base = { action: request.action, resource: request.resource };
  if (response.resultType === 'error') {
    return { ...base, decision: 'implicitDeny', matchedStatements: [], reason: `not evaluable: ${response.errors.message}` };
  }
  const analysis: RequestAnalysis | undefined =
    response.resultType === 'single' ? response.result.analysis : (response.results.find((r) => r.analysis.result === response.overallResult) ?? response.results[0])?.analysis;
  if (!analysis) return { ...base, decision: 'implicitDeny', matchedStatements: [], reason: 'no identity-based policy allows it' };

  const sources = sourceIndex(request);
  const denials = getDenialReasons(analysis);
  const extra: Partial<SimulationResult> = {};
  if (request.boundary) extra.permissionsBoundaryAllowed = !denials.some((d) => d.policyType === 'pb');
  if (request.scps.length) extra.organizationsAllowed = !denials.some((d) => d.policyType === 'scp');

  if (analysis.result === 'Allowed') {
    const matched = getGrantReasons(analysis)
      .filter((g) => g.policyType === 'identity' || g.policyType === 'resource')
      .map((g) => matchedStatement(sources, g.policyType === 'resource' ? undefined : g.policyIdentifier, g.policyType));
    const unique = dedupe(matched);
    return { ...base, ...extra, decision: 'allowed', matchedStatements: unique, reason: `allowed by ${unique.map((m) => m.sourcePolicyId).join(', ')}` };
  }
  if (analysis.result === 'ExplicitlyDenied') {
    const explicit = denials.filter((d) => d.denialType === 'Explicit');
    const matched = dedupe(explicit.map((d) => matchedStatement(sources, 'policyIdentifier' in d ? d.policyIdentifier : undefined, d.policyType)));
    const first = explicit[0];
    const sid = first && 'statementId' in first && first.statementId ? ` (statement ${first.statementId})` : '';
    const where = matched[0] ? `${describeType(matched[0].sourcePolicyType)} ${matched[0].sourcePolicyId}` : 'a policy';
    return { ...base, ...extra, decision: 'explicitDeny', matchedStatements: matched, reason: `explicitly denied by ${where}${sid}` };
  }
  return { ...base, ...extra, decision: 'implicitDeny', matchedStatements: [], reason: implicitReason(analysis, request) };
}

/** Whether a service principal (EC2 delivering instance credentials) may assume the role under this trust policy. */
export async function trustAllowsService(trust: PolicyDocument, roleArn: string, accountId: string, service = 'ec2.amazonaws.com'): Promise<boolean> {
  const response = await runSimulation(
    {
      request: { principal: service, action: 'sts:AssumeRole', resource: { resource: roleArn, accountId }, contextVariables: {} },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    },
    {},
  );
  return response.resultType !== 'error' && response.overallResult === 'Allowed';
}

function toSimulation(request: EvaluationRequest, resource: string): Simulation {
  const scps = request.scps.length ? [FULL_AWS_ACCESS, ...request.scps] : [];
  return {
    request: { principal: request.principalArn, action: request.action, resource: { resource, accountId: request.accountId }, contextVariables: request.context },
    identityPolicies: request.identityPolicies.map((p) => ({ name: p.id, policy: p.document })),
    serviceControlPolicies: scps.length ? [{ orgIdentifier: 'organization', policies: scps.map((p) => ({ name: p.id, policy: p.document })) }] : [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy?.document,
    permissionBoundaryPolicies: request.boundary ? [{ name: request.boundary.id, policy: request.boundary.document }] : undefined,
  };
}

function sourceIndex(request: EvaluationRequest): Map<string, PolicySourceType> {
  const all = [...request.identityPolicies, ...request.scps, ...(request.boundary ? [request.boundary] : [])];
  return new Map(all.map((p) => [p.id, p.type]));
}

function matchedStatement(sources: Map<string, PolicySourceType>, id: string | undefined, evaluatorType: string) {
  if (evaluatorType === 'resource') return { sourcePolicyId: 'resource-policy', sourcePolicyType: 'resource' };
  const sourceId = id ?? evaluatorType;
  return { sourcePolicyId: sourceId, sourcePolicyType: sources.get(sourceId) ?? (evaluatorType === 'pb' ? 'permissions-boundary' : evaluatorType) };
}

function dedupe<T extends { sourcePolicyId: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.sourcePolicyId) && seen.add(i.sourcePolicyId));
}

function describeType(type: string | undefined): string {
  switch (type) {
    case 'role':
      return 'inline policy';
    case 'aws-managed':
    case 'user-managed':
      return 'managed policy';
    case 'permissions-boundary':
      return 'permissions boundary';
    case 'scp':
      return 'service control policy';
    case 'resource':
      return 'the resource policy';
    default:
      return `${type ?? ''} policy`.trim();
  }
}

function implicitReason(analysis: RequestAnalysis, request: EvaluationRequest): string {
  const blocked = analysis.blockedBy ?? [];
  if (blocked.includes('pb')) return `the permissions boundary ${request.boundary?.id ?? ''} does not allow it`.replace('  ', ' ');
  if (blocked.includes('scp')) return 'no service control policy allows it';
  if (blocked.includes('resource')) return 'the resource policy does not allow it';
  return 'no identity-based policy allows it';
}
