/**
 * What IAM enforces at a moment: the state as it stood `propagationSeconds` earlier, evaluated by the
 * real evaluator and memoized per (propagated change count, question) so storms of events stay fast.
 */
import type { PolicyDocument } from '../../core/ports.ts';
import { evaluateRequest, trustAllowsService, type Evaluation, type SourcedPolicy } from './evaluator.ts';
import { awsManagedPolicyDocument, isAwsManagedPolicyArn } from './managed-policies.ts';
import type { AccountState, RoleRecord } from './state.ts';

export interface EvaluationQuestion {
  roleName: string;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  /** Include the resource's own policy (what an instance's real call meets; SimulatePrincipalPolicy leaves it out). */
  withResourcePolicy?: boolean;
  /** Evaluate as the role session EC2 created for this instance (principal and its global context keys). */
  instanceId?: string;
}

export class EffectiveIam {
  private readonly memo = new Map<string, Promise<Evaluation>>();
  private readonly trustMemo = new Map<string, Promise<boolean>>();

  constructor(private readonly state: AccountState, private readonly propagationSeconds: number) {}

  /** The moment whose writes are visible to enforcement at `nowMs`. */
  visibleAt(nowMs: number): number {
    return nowMs - this.propagationSeconds * 1000;
  }

  /** Document of a managed policy: the scenario's own policies first, then AWS's real ones. */
  managedDocument(policyArn: string): PolicyDocument | null {
    return this.state.policies.get(policyArn)?.document ?? (isAwsManagedPolicyArn(policyArn) ? awsManagedPolicyDocument(policyArn) : null);
  }

  /** Inline and attached policies of the role as they stood at `atMs`. */
  identityPolicies(role: RoleRecord, atMs: number): SourcedPolicy[] {
    const policies: SourcedPolicy[] = [];
    for (const [name, history] of role.inline) {
      const document = history.asOf(atMs);
      if (document) policies.push({ id: name, type: 'role', document });
    }
    for (const [arn, history] of role.attached) {
      const document = history.asOf(atMs) ? this.managedDocument(arn) : null;
      if (document) policies.push({ id: arn, type: isAwsManagedPolicyArn(arn) ? 'aws-managed' : 'user-managed', document });
    }
    return policies;
  }

  /** The profile's roles as EC2 sees them at `atMs`; undefined while a new or changed profile has not propagated. */
  profileRolesAt(profileName: string, atMs: number): string[] | undefined {
    return this.state.profiles.get(profileName)?.roles.asOf(this.visibleAt(atMs));
  }

  /** EC2 accepts a profile only once its creation and its last role change have propagated. */
  profileSettled(profileName: string, nowMs: number): boolean {
    const roles = this.state.profiles.get(profileName)?.roles;
    const changedAt = roles?.latestAt() ?? null;
    return roles !== undefined && (changedAt === null || changedAt <= this.visibleAt(nowMs));
  }

  /** IAM's decision for the role at `nowMs`, seeing only what had propagated. */
  evaluate(question: EvaluationQuestion, nowMs: number): Promise<Evaluation> {
    const at = this.visibleAt(nowMs);
    const key = JSON.stringify([this.state.changesBy(at), question.roleName, question.action, question.resource, question.context ?? {}, question.withResourcePolicy ?? false, question.instanceId ?? null]);
    let answer = this.memo.get(key);
    if (!answer) {
      answer = this.evaluateAt(question, at);
      this.memo.set(key, answer);
    }
    return answer;
  }

  /** Whether EC2 could assume the role (deliver its credentials) with the trust policy that had propagated by `nowMs`. */
  trustAllowsEc2(roleName: string, nowMs: number): Promise<boolean> {
    const role = this.state.roles.get(roleName);
    const trust = role?.trust.asOf(this.visibleAt(nowMs));
    if (!role || !trust) return Promise.resolve(false);
    const key = `${role.arn}\n${JSON.stringify(trust)}`;
    let answer = this.trustMemo.get(key);
    if (!answer) {
      answer = trustAllowsService(trust, role.arn, this.state.accountId);
      this.trustMemo.set(key, answer);
    }
    return answer;
  }

  private async evaluateAt(question: EvaluationQuestion, at: number): Promise<Evaluation> {
    const role = this.state.roles.get(question.roleName);
    if (!role) {
      return { action: question.action, resource: question.resource, decision: 'implicitDeny', matchedStatements: [], reason: `role ${question.roleName} does not exist` };
    }
    const boundaryArn = role.boundary.asOf(at) ?? null;
    const boundaryDocument = boundaryArn ? this.managedDocument(boundaryArn) : null;
    const session = question.instanceId ? this.instanceSession(role, question.instanceId) : null;
    return evaluateRequest({
      principalArn: session?.arn ?? role.arn,
      accountId: this.state.accountId,
      action: question.action,
      resource: question.resource,
      context: { ...session?.context, ...question.context },
      identityPolicies: this.identityPolicies(role, at),
      boundary: boundaryArn && boundaryDocument ? { id: boundaryArn, type: 'permissions-boundary', document: boundaryDocument } : null,
      scps: (this.state.serviceControlPolicies ?? []).map((document, i) => ({ id: document.Id ?? `scp-${i + 1}`, type: 'scp' as const, document })),
      resourcePolicy: question.withResourcePolicy ? this.resourcePolicyFor(question.resource) : null,
    });
  }

  /** The session EC2 opens for an instance: assumed-role ARN named after the instance, and the keys AWS adds to its requests. */
  private instanceSession(role: RoleRecord, instanceId: string): { arn: string; context: Record<string, string> } {
    const { partition, accountId, region } = this.state;
    const tags = Object.fromEntries(Object.entries(role.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
    return {
      arn: `arn:${partition}:sts::${accountId}:assumed-role/${role.name}/${instanceId}`,
      context: {
        ...tags,
        'aws:PrincipalArn': role.arn,
        'aws:PrincipalAccount': accountId,
        'aws:PrincipalType': 'AssumedRole',
        'aws:userid': `${role.roleId}:${instanceId}`,
        'aws:RequestedRegion': region,
        'ec2:SourceInstanceARN': `arn:${partition}:ec2:${region}:${accountId}:instance/${instanceId}`,
      },
    };
  }

  /** The resource's policy; a bucket's policy also governs its objects. */
  private resourcePolicyFor(resource: string): SourcedPolicy | null {
    const policies = this.state.resourcePolicies;
    if (!policies) return null;
    const match = Object.keys(policies).find((arn) => resource === arn || resource.startsWith(`${arn}/`));
    return match ? { id: match, type: 'resource', document: policies[match]! } : null;
  }
}
