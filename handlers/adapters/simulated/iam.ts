/**
 * IamPort of the simulated account. Reads see the latest writes; SimulatePrincipalPolicy sees only what
 * has propagated. Writes follow IAM's rules and quotas, with IAM's error codes.
 */
import type { AttachedPolicy, IamPort, InstanceProfileInfo, PolicyDocument, RoleInfo, SimulationRequest, SimulationResult } from '../../core/ports.ts';
import type { CallGate } from './call-gate.ts';
import type { VirtualClock } from './clock.ts';
import type { EffectiveIam } from './effective.ts';
import { awsError } from './errors.ts';
import { History } from './history.ts';
import { malformedReason, policySize } from './policy-rules.ts';
import type { AccountState, ProfileRecord, RoleRecord } from './state.ts';

/** IAM quotas (TOOLCHAIN.md): default values, not the raised ones. */
export const IAM_QUOTAS = { managedPoliciesPerRole: 10, inlinePolicyCharsPerRole: 10_240, trustPolicyChars: 2_048, rolesPerProfile: 1 } as const;

const copy = <T>(value: T): T => structuredClone(value);

export class SimulatedIam implements IamPort {
  constructor(
    private readonly state: AccountState,
    private readonly effective: EffectiveIam,
    private readonly gate: CallGate,
    private readonly clock: VirtualClock,
  ) {}

  getRole(roleName: string): Promise<RoleInfo | null> {
    return this.gate.call('GetRole', 'iam-read', () => {
      const role = this.state.roles.get(roleName);
      return role ? roleInfo(role) : null;
    });
  }

  listInlinePolicies(roleName: string): Promise<Record<string, PolicyDocument>> {
    const role = this.state.roles.get(roleName);
    const present = role ? [...role.inline].filter(([, h]) => h.latest() !== undefined) : [];
    // ListRolePolicies, then one GetRolePolicy per policy.
    return this.gate.call('ListRolePolicies', 'iam-read', () => {
      if (!role) throw noSuchRole(roleName);
      return Object.fromEntries(present.map(([name, h]) => [name, copy(h.latest()!)]));
    }, 1 + present.length);
  }

  listAttachedPolicies(roleName: string): Promise<AttachedPolicy[]> {
    return this.gate.call('ListAttachedRolePolicies', 'iam-read', () => {
      const role = this.requireRole(roleName);
      return [...role.attached].filter(([, h]) => h.latest()).map(([arn]) => ({ arn, name: arn.split('/').pop()! }));
    });
  }

  getManagedPolicyDocument(policyArn: string): Promise<PolicyDocument | null> {
    // GetPolicy for the default version id, then GetPolicyVersion.
    return this.gate.call('GetPolicyVersion', 'iam-read', () => {
      const document = this.effective.managedDocument(policyArn);
      return document ? copy(document) : null;
    }, 2);
  }

  getInstanceProfile(profileName: string): Promise<InstanceProfileInfo | null> {
    return this.gate.call('GetInstanceProfile', 'iam-read', () => {
      const profile = this.state.profiles.get(profileName);
      return profile ? profileInfo(profile) : null;
    });
  }

  listInstanceProfilesForRole(roleName: string): Promise<InstanceProfileInfo[]> {
    return this.gate.call('ListInstanceProfilesForRole', 'iam-read', () => {
      this.requireRole(roleName);
      return [...this.state.profiles.values()].filter((p) => (p.roles.latest() ?? []).includes(roleName)).map(profileInfo);
    });
  }

  listInstanceProfiles(): Promise<InstanceProfileInfo[]> {
    return this.gate.call('ListInstanceProfiles', 'iam-read', () => [...this.state.profiles.values()].map(profileInfo));
  }

  simulatePrincipalPolicy(request: SimulationRequest): Promise<SimulationResult[]> {
    return this.gate.call('SimulatePrincipalPolicy', 'iam-read', async () => {
      const role = [...this.state.roles.values()].find((r) => r.arn === request.roleArn);
      if (!role) throw awsError('NoSuchEntity', `The role ${request.roleArn} cannot be found.`);
      const context = Object.fromEntries((request.context ?? []).map((c) => [c.key, c.type.endsWith('List') ? c.values : (c.values[0] ?? '')]));
      const results: SimulationResult[] = [];
      for (const action of request.actions) {
        for (const resource of request.resources?.length ? request.resources : ['*']) {
          const { reason: _reason, ...result } = await this.effective.evaluate({ roleName: role.name, action, resource, context }, this.clock.nowMs());
          results.push(copy(result));
        }
      }
      return results;
    });
  }

  updateAssumeRolePolicy(roleName: string, document: PolicyDocument): Promise<void> {
    return this.write('UpdateAssumeRolePolicy', { roleName, policyDocument: JSON.stringify(document) }, () => {
      const role = this.requireRole(roleName);
      this.checkDocument(document, 'trust');
      if (policySize(document) > IAM_QUOTAS.trustPolicyChars) throw awsError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${IAM_QUOTAS.trustPolicyChars}`);
      role.trust.set(this.changeAt(), copy(document));
    });
  }

  attachRolePolicy(roleName: string, policyArn: string): Promise<void> {
    return this.write('AttachRolePolicy', { roleName, policyArn }, () => {
      const role = this.requireRole(roleName);
      if (!this.effective.managedDocument(policyArn)) throw awsError('NoSuchEntity', `Policy ${policyArn} does not exist or is not attachable.`);
      const existing = role.attached.get(policyArn);
      if (existing?.latest()) return; // attaching twice is a successful no-op in IAM
      const count = [...role.attached.values()].filter((h) => h.latest()).length;
      if (count >= IAM_QUOTAS.managedPoliciesPerRole) throw awsError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${IAM_QUOTAS.managedPoliciesPerRole}`);
      if (existing) existing.set(this.changeAt(), true);
      else role.attached.set(policyArn, new History<true>(true, this.changeAt()));
    });
  }

  detachRolePolicy(roleName: string, policyArn: string): Promise<void> {
    return this.write('DetachRolePolicy', { roleName, policyArn }, () => {
      const history = this.requireRole(roleName).attached.get(policyArn);
      if (!history?.latest()) throw awsError('NoSuchEntity', `Policy ${policyArn} was not found.`);
      history.set(this.changeAt(), undefined);
    });
  }

  putRolePolicy(roleName: string, policyName: string, document: PolicyDocument): Promise<void> {
    return this.write('PutRolePolicy', { roleName, policyName, policyDocument: JSON.stringify(document) }, () => {
      const role = this.requireRole(roleName);
      if (!/^[\w+=,.@-]{1,128}$/.test(policyName)) throw awsError('ValidationError', `The specified value for policyName is invalid: ${policyName}`);
      this.checkDocument(document, 'identity');
      const others = [...role.inline].filter(([name, h]) => name !== policyName && h.latest()).reduce((sum, [, h]) => sum + policySize(h.latest()!), 0);
      if (others + policySize(document) > IAM_QUOTAS.inlinePolicyCharsPerRole) {
        throw awsError('LimitExceeded', `Maximum policy size of ${IAM_QUOTAS.inlinePolicyCharsPerRole} bytes exceeded for role ${roleName}`);
      }
      const history = role.inline.get(policyName);
      if (history) history.set(this.changeAt(), copy(document));
      else role.inline.set(policyName, new History(copy(document), this.changeAt()));
    });
  }

  deleteRolePolicy(roleName: string, policyName: string): Promise<void> {
    return this.write('DeleteRolePolicy', { roleName, policyName }, () => {
      const history = this.requireRole(roleName).inline.get(policyName);
      if (!history?.latest()) throw awsError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
      history.set(this.changeAt(), undefined);
    });
  }

  addRoleToInstanceProfile(profileName: string, roleName: string): Promise<void> {
    return this.write('AddRoleToInstanceProfile', { instanceProfileName: profileName, roleName }, () => {
      const profile = this.requireProfile(profileName);
      this.requireRole(roleName);
      if ((profile.roles.latest() ?? []).length >= IAM_QUOTAS.rolesPerProfile) {
        throw awsError('LimitExceeded', `Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${IAM_QUOTAS.rolesPerProfile}`);
      }
      profile.roles.set(this.changeAt(), [...(profile.roles.latest() ?? []), roleName]);
    });
  }

  removeRoleFromInstanceProfile(profileName: string, roleName: string): Promise<void> {
    return this.write('RemoveRoleFromInstanceProfile', { instanceProfileName: profileName, roleName }, () => {
      const profile = this.requireProfile(profileName);
      const roles = profile.roles.latest() ?? [];
      if (!roles.includes(roleName)) throw awsError('NoSuchEntity', `The role with name ${roleName} cannot be found in instance profile ${profileName}.`);
      profile.roles.set(this.changeAt(), roles.filter((r) => r !== roleName));
    });
  }

  /** A write, with its request parameters as CloudTrail records them. */
  private write(api: string, request: Record<string, unknown>, body: () => void): Promise<void> {
    return this.gate.call(api, 'iam-write', body, 1, () => ({ request }));
  }

  /** Now, recorded as an IAM change so that evaluation caches know the state moved. */
  private changeAt(): number {
    return this.state.noteChange(this.clock.nowMs());
  }

  private checkDocument(document: PolicyDocument, kind: 'identity' | 'trust'): void {
    const reason = malformedReason(document, kind);
    if (reason) throw awsError('MalformedPolicyDocument', reason);
  }

  private requireRole(roleName: string): RoleRecord {
    const role = this.state.roles.get(roleName);
    if (!role) throw noSuchRole(roleName);
    return role;
  }

  private requireProfile(profileName: string): ProfileRecord {
    const profile = this.state.profiles.get(profileName);
    if (!profile) throw awsError('NoSuchEntity', `Instance Profile ${profileName} cannot be found.`);
    return profile;
  }
}

function noSuchRole(roleName: string): Error {
  return awsError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
}

function roleInfo(role: RoleRecord): RoleInfo {
  return {
    name: role.name,
    path: role.path,
    arn: role.arn,
    roleId: role.roleId,
    trustPolicy: copy(role.trust.latest()!),
    permissionsBoundaryArn: role.boundary.latest() ?? null,
    tags: { ...role.tags },
    ...(role.createDate ? { createDate: role.createDate } : {}),
  };
}

function profileInfo(profile: ProfileRecord): InstanceProfileInfo {
  return { name: profile.name, path: profile.path, arn: profile.arn, roles: [...(profile.roles.latest() ?? [])], ...(Object.keys(profile.tags).length ? { tags: { ...profile.tags } } : {}) };
}
