/** IamPort on the IAM API: reads decode IAM's URL-encoded policy documents; writes send plain JSON. */
import {
  AddRoleToInstanceProfileCommand, AttachRolePolicyCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand,
  GetInstanceProfileCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand,
  type IAMClient, type InstanceProfile, PutRolePolicyCommand, RemoveRoleFromInstanceProfileCommand,
  UpdateAssumeRolePolicyCommand, paginateListAttachedRolePolicies, paginateListInstanceProfiles, paginateListInstanceProfilesForRole,
  paginateListRolePolicies, paginateSimulatePrincipalPolicy, type EvaluationResult,
} from '@aws-sdk/client-iam';
import type {
  AttachedPolicy, IamPort, InstanceProfileInfo, PolicyDocument, RoleInfo, SimulationDecision, SimulationRequest, SimulationResult,
} from '../../core/ports.ts';
import { collectPages } from './clients.ts';
import { mapErrors, nullIfNotFound, type ErrorMapping } from './errors.ts';

// A write names a role, policy or profile the diagnosis has just read: "not found" is propagation.
const WRITE: ErrorMapping = { notFoundIsTransient: true };

/** IAM returns policy documents URL-encoded (RFC 3986); emulators sometimes return plain JSON. */
export function decodePolicyDocument(raw: string | undefined): PolicyDocument {
  if (!raw) return { Statement: [] };
  const text = raw.trimStart().startsWith('{') ? raw : decodeURIComponent(raw);
  return JSON.parse(text) as PolicyDocument;
}

export class AwsIamPort implements IamPort {
  constructor(private readonly client: IAMClient) {}

  async getRole(roleName: string): Promise<RoleInfo | null> {
    const out = await nullIfNotFound(this.client.send(new GetRoleCommand({ RoleName: roleName })));
    const role = out?.Role;
    if (!role) return null;
    return {
      name: role.RoleName ?? roleName,
      path: role.Path ?? '/',
      arn: role.Arn ?? '',
      roleId: role.RoleId,
      trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument),
      permissionsBoundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
      tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      createDate: role.CreateDate?.toISOString(),
    };
  }

  async listInlinePolicies(roleName: string): Promise<Record<string, PolicyDocument>> {
    const names = await mapErrors(collectPages(paginateListRolePolicies({ client: this.client }, { RoleName: roleName }), (p) => p.PolicyNames));
    const policies: Record<string, PolicyDocument> = {};
    for (const policyName of names) {
      const out = await nullIfNotFound(this.client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })));
      if (out) policies[policyName] = decodePolicyDocument(out.PolicyDocument); // deleted since listed: skip
    }
    return policies;
  }

  async listAttachedPolicies(roleName: string): Promise<AttachedPolicy[]> {
    const attached = await mapErrors(
      collectPages(paginateListAttachedRolePolicies({ client: this.client }, { RoleName: roleName }), (p) => p.AttachedPolicies),
    );
    return attached.map((p) => ({ arn: p.PolicyArn ?? '', name: p.PolicyName ?? '' }));
  }

  async getManagedPolicyDocument(policyArn: string): Promise<PolicyDocument | null> {
    const policy = await nullIfNotFound(this.client.send(new GetPolicyCommand({ PolicyArn: policyArn })));
    const versionId = policy?.Policy?.DefaultVersionId;
    if (!versionId) return null;
    const version = await nullIfNotFound(this.client.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })));
    return version?.PolicyVersion ? decodePolicyDocument(version.PolicyVersion.Document) : null;
  }

  async getInstanceProfile(profileName: string): Promise<InstanceProfileInfo | null> {
    const out = await nullIfNotFound(this.client.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName })));
    return out?.InstanceProfile ? toProfileInfo(out.InstanceProfile) : null;
  }

  async listInstanceProfilesForRole(roleName: string): Promise<InstanceProfileInfo[]> {
    const profiles = await mapErrors(
      collectPages(paginateListInstanceProfilesForRole({ client: this.client }, { RoleName: roleName }), (p) => p.InstanceProfiles),
    );
    return profiles.map(toProfileInfo);
  }

  async listInstanceProfiles(): Promise<InstanceProfileInfo[]> {
    const profiles = await mapErrors(collectPages(paginateListInstanceProfiles({ client: this.client }, {}), (p) => p.InstanceProfiles));
    return profiles.map(toProfileInfo);
  }

  async simulatePrincipalPolicy(request: SimulationRequest): Promise<SimulationResult[]> {
    const input = {
      PolicySourceArn: request.roleArn,
      ActionNames: request.actions,
      ...(request.resources?.length ? { ResourceArns: request.resources } : {}),
      ...(request.context?.length
        ? { ContextEntries: request.context.map((c) => ({ ContextKeyName: c.key, ContextKeyValues: c.values, ContextKeyType: c.type })) }
        : {}),
    };
    const results = await mapErrors(collectPages(paginateSimulatePrincipalPolicy({ client: this.client }, input), (p) => p.EvaluationResults));
    return results.map(toSimulationResult);
  }

  async updateAssumeRolePolicy(roleName: string, document: PolicyDocument): Promise<void> {
    await mapErrors(this.client.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(document) })), WRITE);
  }

  async attachRolePolicy(roleName: string, policyArn: string): Promise<void> {
    await mapErrors(this.client.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })), WRITE);
  }

  async detachRolePolicy(roleName: string, policyArn: string): Promise<void> {
    await mapErrors(this.client.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })));
  }

  async putRolePolicy(roleName: string, policyName: string, document: PolicyDocument): Promise<void> {
    const input = { RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) };
    await mapErrors(this.client.send(new PutRolePolicyCommand(input)), WRITE);
  }

  async deleteRolePolicy(roleName: string, policyName: string): Promise<void> {
    await mapErrors(this.client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })));
  }

  async addRoleToInstanceProfile(profileName: string, roleName: string): Promise<void> {
    await mapErrors(this.client.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profileName, RoleName: roleName })), WRITE);
  }

  async removeRoleFromInstanceProfile(profileName: string, roleName: string): Promise<void> {
    await mapErrors(this.client.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profileName, RoleName: roleName })));
  }
}

function toProfileInfo(p: InstanceProfile): InstanceProfileInfo {
  return {
    name: p.InstanceProfileName ?? '',
    path: p.Path ?? '/',
    arn: p.Arn ?? '',
    roles: (p.Roles ?? []).map((r) => r.RoleName ?? ''),
    ...(p.Tags?.length ? { tags: Object.fromEntries(p.Tags.map((t) => [t.Key ?? '', t.Value ?? ''])) } : {}),
  };
}

function toSimulationResult(r: EvaluationResult): SimulationResult {
  const result: SimulationResult = {
    action: r.EvalActionName ?? '',
    resource: r.EvalResourceName ?? '*',
    decision: (r.EvalDecision ?? 'implicitDeny') as SimulationDecision,
    matchedStatements: (r.MatchedStatements ?? []).map((s) => ({
      sourcePolicyId: s.SourcePolicyId ?? '',
      ...(s.SourcePolicyType ? { sourcePolicyType: s.SourcePolicyType } : {}),
    })),
  };
  const boundary = r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary;
  if (boundary !== undefined) result.permissionsBoundaryAllowed = boundary;
  const organizations = r.OrganizationsDecisionDetail?.AllowedByOrganizations;
  if (organizations !== undefined) result.organizationsAllowed = organizations;
  if (r.MissingContextValues?.length) result.missingContextValues = r.MissingContextValues;
  return result;
}
