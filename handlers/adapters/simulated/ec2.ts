/**
 * Ec2Port of the simulated account: instances, profile associations (associating → associated, one per
 * instance, profiles visible to EC2 only after IAM propagation) and immutable launch template versions.
 */
import type { Ec2Port, InstanceInfo, InstanceState, LaunchTemplateInfo, LaunchTemplateVersionInfo, ProfileAssociation, ProfileSpecifier } from '../../core/ports.ts';
import type { CallGate } from './call-gate.ts';
import type { VirtualClock } from './clock.ts';
import type { EffectiveIam } from './effective.ts';
import { awsError } from './errors.ts';
import type { Physics } from './scenario.ts';
import type { AccountState, AssociationRecord, InstanceRecord, ProfileRecord, TemplateRecord } from './state.ts';

export class SimulatedEc2 implements Ec2Port {
  constructor(
    private readonly state: AccountState,
    private readonly effective: EffectiveIam,
    private readonly gate: CallGate,
    private readonly clock: VirtualClock,
    private readonly physics: Physics,
  ) {}

  describeInstance(instanceId: string): Promise<InstanceInfo | null> {
    return this.gate.call('DescribeInstances', 'ec2-read', () => {
      const instance = this.known(instanceId);
      return instance ? this.info(instance) : null;
    });
  }

  async listInstances(filter: { states: InstanceState[]; tag?: { key: string; value: string } | null }, onPage?: (instancesSoFar: number) => void): Promise<InstanceInfo[]> {
    const instances = await this.gate.call('DescribeInstances', 'ec2-read', () =>
      [...this.state.instances.values()]
        .filter((instance) => this.state.describable(instance, this.clock.nowMs()))
        .map((instance) => this.info(instance))
        .filter((info) => filter.states.includes(info.state) && (!filter.tag || info.tags[filter.tag.key] === filter.tag.value)),
    );
    onPage?.(instances.length);
    return instances;
  }

  describeProfileAssociations(instanceId: string): Promise<ProfileAssociation[]> {
    return this.gate.call('DescribeIamInstanceProfileAssociations', 'ec2-read', () => {
      const instance = this.known(instanceId);
      const association = instance ? this.state.activeAssociation(instance, this.clock.nowMs()) : null;
      return association ? [this.view(association)] : [];
    });
  }

  describeInstances(instanceIds: string[]): Promise<InstanceInfo[]> {
    return this.inChunks(instanceIds, 'DescribeInstances', (ids) =>
      ids.map((id) => this.known(id)).filter((i): i is InstanceRecord => !!i).map((i) => this.info(i)));
  }

  describeProfileAssociationsOfInstances(instanceIds: string[]): Promise<ProfileAssociation[]> {
    return this.inChunks(instanceIds, 'DescribeIamInstanceProfileAssociations', (ids) =>
      ids.map((id) => this.known(id)).flatMap((i) => {
        const association = i ? this.state.activeAssociation(i, this.clock.nowMs()) : null;
        return association ? [this.view(association)] : [];
      }));
  }

  /** One call per 200 ids, as the real adapter makes them (EC2's limit of values per filter). */
  private async inChunks<T>(instanceIds: string[], api: 'DescribeInstances' | 'DescribeIamInstanceProfileAssociations', read: (ids: string[]) => T[]): Promise<T[]> {
    const unique = [...new Set(instanceIds)];
    const out: T[] = [];
    for (let i = 0; i < unique.length; i += 200) {
      const ids = unique.slice(i, i + 200);
      out.push(...(await this.gate.call(api, 'ec2-read', () => read(ids))));
    }
    return out;
  }

  associateProfile(instanceId: string, profile: ProfileSpecifier): Promise<ProfileAssociation> {
    return this.gate.call('AssociateIamInstanceProfile', 'ec2-write', () => {
      const instance = this.requireInstance(instanceId);
      const state = this.state.instanceStateAt(instance, this.clock.nowMs());
      if (state !== 'running' && state !== 'stopped') throw awsError('IncorrectInstanceState', `The instance '${instanceId}' is not in the 'running' or 'stopped' states.`);
      if (this.state.activeAssociation(instance, this.clock.nowMs())) throw awsError('IncorrectState', `There is an existing association for instance ${instanceId}`);
      return this.view(this.startAssociation(instance, this.visibleProfile(profile)));
    }, 1, (made) => ({ request: { AssociateIamInstanceProfileRequest: { InstanceId: instanceId, IamInstanceProfile: profileParameter(profile) } }, response: associationResponse('AssociateIamInstanceProfile', made) }));
  }

  replaceProfileAssociation(associationId: string, profile: ProfileSpecifier): Promise<ProfileAssociation> {
    return this.gate.call('ReplaceIamInstanceProfileAssociation', 'ec2-write', () => {
      const current = this.requireAssociation(associationId);
      if (this.stateOf(current) !== 'associated') throw awsError('IncorrectState', `Association ${associationId} is not in the associated state.`);
      // EC2 replaces the profile of a running instance only (API reference, ReplaceIamInstanceProfileAssociation).
      const instance = this.state.instances.get(current.instanceId)!;
      const state = this.state.instanceStateAt(instance, this.clock.nowMs());
      if (state !== 'running') throw awsError('IncorrectState', `The instance '${current.instanceId}' is not in the 'running' state.`);
      const target = this.visibleProfile(profile);
      current.endedAt = this.clock.nowMs();
      current.endedBy = 'replace';
      return this.view(this.startAssociation(this.state.instances.get(current.instanceId)!, target));
    }, 1, (made) => ({
      request: { ReplaceIamInstanceProfileAssociationRequest: { AssociationId: associationId, IamInstanceProfile: profileParameter(profile) } },
      response: associationResponse('ReplaceIamInstanceProfileAssociation', made),
    }));
  }

  disassociateProfile(associationId: string): Promise<void> {
    return this.gate.call('DisassociateIamInstanceProfile', 'ec2-write', () => {
      const association = this.requireAssociation(associationId);
      const ended = { ...this.view(association), state: 'disassociating' as const };
      association.endedAt = this.clock.nowMs();
      association.endedBy = 'disassociate';
      return ended;
    }, 1, (ended) => ({ request: { DisassociateIamInstanceProfileRequest: { AssociationId: associationId } }, response: associationResponse('DisassociateIamInstanceProfile', ended) })).then(() => undefined);
  }

  describeLaunchTemplateVersion(launchTemplateId: string, version: string): Promise<LaunchTemplateVersionInfo | null> {
    return this.gate.call('DescribeLaunchTemplateVersions', 'ec2-read', () => {
      const template = this.state.templates.get(launchTemplateId);
      if (!template) return null;
      const number = resolveVersion(template, version);
      const found = number === null ? undefined : template.versions.get(number);
      if (!found) return null;
      return {
        launchTemplateId: template.id,
        launchTemplateName: template.name,
        versionNumber: found.number,
        defaultVersion: found.number === template.defaultVersion,
        iamInstanceProfile: found.profile ? { ...found.profile } : null,
        tags: { ...template.tags },
      };
    });
  }

  describeLaunchTemplateByName(name: string): Promise<LaunchTemplateInfo | null> {
    return this.gate.call('DescribeLaunchTemplates', 'ec2-read', () => {
      const template = [...this.state.templates.values()].find((t) => t.name === name);
      if (!template) throw awsError('InvalidLaunchTemplateName.NotFoundException', `At least one of the launch templates specified in the request does not exist.`);
      return { id: template.id, name: template.name, defaultVersion: template.defaultVersion, latestVersion: Math.max(...template.versions.keys()), tags: { ...template.tags } };
    }).catch((err: unknown) => {
      if ((err as { name?: string }).name === 'NotFound') return null;
      throw err;
    });
  }

  createLaunchTemplateVersion(launchTemplateId: string, sourceVersion: number, profile: ProfileSpecifier | null, description: string): Promise<number> {
    return this.gate.call('CreateLaunchTemplateVersion', 'ec2-write', () => {
      const template = this.requireTemplate(launchTemplateId);
      if (!template.versions.has(sourceVersion)) throw versionNotFound(launchTemplateId, sourceVersion);
      // Versions are immutable: a change is always a new version number.
      const number = Math.max(...template.versions.keys()) + 1;
      const now = this.clock.nowMs();
      template.versions.set(number, { number, profile: profile ? { ...profile } : null, description, updatedAt: now });
      template.updatedAt = now;
      return number;
    }, 1, (number) => ({
      request: { CreateLaunchTemplateVersionRequest: { LaunchTemplateId: launchTemplateId, SourceVersion: String(sourceVersion), VersionDescription: description, LaunchTemplateData: { IamInstanceProfile: profile ? profileParameter(profile) : {} } } },
      response: { CreateLaunchTemplateVersionResponse: { launchTemplateVersion: { launchTemplateId, versionNumber: number } } },
    }));
  }

  setDefaultLaunchTemplateVersion(launchTemplateId: string, version: number): Promise<void> {
    return this.gate.call('ModifyLaunchTemplate', 'ec2-write', () => {
      const template = this.requireTemplate(launchTemplateId);
      if (!template.versions.has(version)) throw versionNotFound(launchTemplateId, version);
      template.defaultVersion = version;
      template.updatedAt = this.clock.nowMs();
    }, 1, () => ({ request: { ModifyLaunchTemplateRequest: { LaunchTemplateId: launchTemplateId, SetDefaultVersion: String(version) } } }));
  }

  deleteLaunchTemplateVersion(launchTemplateId: string, version: number): Promise<void> {
    return this.gate.call('DeleteLaunchTemplateVersions', 'ec2-write', () => {
      const template = this.requireTemplate(launchTemplateId);
      if (!template.versions.has(version)) throw versionNotFound(launchTemplateId, version);
      if (template.defaultVersion === version) throw awsError('unexpectedError', `Cannot delete the default version ${version} of launch template ${launchTemplateId}.`);
      template.versions.delete(version);
      template.updatedAt = this.clock.nowMs();
    }, 1, () => ({ request: { DeleteLaunchTemplateVersionsRequest: { LaunchTemplateId: launchTemplateId, LaunchTemplateVersion: { tag: 1, content: String(version) } } } }));
  }

  private info(instance: InstanceRecord): InstanceInfo {
    const association = this.state.activeAssociation(instance, this.clock.nowMs());
    const tags = instance.autoScalingGroup ? { ...instance.tags, 'aws:autoscaling:groupName': instance.autoScalingGroup } : { ...instance.tags };
    return {
      id: instance.id,
      state: this.state.instanceStateAt(instance, this.clock.nowMs()),
      instanceProfileArn: association?.profileArn ?? null,
      launchTemplate: instance.launchTemplate ? { ...instance.launchTemplate } : null,
      autoScalingGroup: instance.autoScalingGroup,
      tags,
      ...(instance.launchTime !== null ? { launchTime: new Date(instance.launchTime).toISOString() } : {}),
    };
  }

  private stateOf(association: AssociationRecord): 'associating' | 'associated' {
    if (association.preexisting) return 'associated';
    return this.clock.nowMs() < association.createdAt + this.physics.associationSeconds * 1000 ? 'associating' : 'associated';
  }

  private view(association: AssociationRecord): ProfileAssociation {
    return {
      associationId: association.id,
      instanceId: association.instanceId,
      instanceProfileArn: association.profileArn,
      state: this.stateOf(association),
      ...(association.preexisting ? {} : { associatedAt: new Date(association.createdAt).toISOString() }),
    };
  }

  private startAssociation(instance: InstanceRecord, profile: ProfileRecord): AssociationRecord {
    const association: AssociationRecord = {
      id: this.state.newAssociationId(),
      instanceId: instance.id,
      profileName: profile.name,
      profileArn: profile.arn,
      createdAt: this.clock.nowMs(),
      endedAt: null,
      preexisting: false,
    };
    instance.associations.push(association);
    this.state.associations.set(association.id, association);
    return association;
  }

  /** The profile as EC2 sees it: a profile created or changed moments ago is not valid yet. */
  private visibleProfile(spec: ProfileSpecifier): ProfileRecord {
    const profile = this.state.profileBySpecifier(spec);
    if (profile && this.effective.profileSettled(profile.name, this.clock.nowMs())) return profile;
    const [field, value] = 'name' in spec ? ['name', spec.name] : ['arn', spec.arn];
    throw awsError('InvalidParameterValue', `Value (${value}) for parameter iamInstanceProfile.${field} is invalid. Invalid IAM Instance Profile ${field === 'name' ? 'name' : 'ARN'}`);
  }

  /** The instance while EC2 still describes it (a terminated one about an hour). */
  private known(instanceId: string): InstanceRecord | undefined {
    const instance = this.state.instances.get(instanceId);
    return instance && this.state.describable(instance, this.clock.nowMs()) ? instance : undefined;
  }

  private requireInstance(instanceId: string): InstanceRecord {
    const instance = this.known(instanceId);
    if (!instance) throw awsError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    return instance;
  }

  private requireAssociation(associationId: string): AssociationRecord {
    const association = this.state.associations.get(associationId);
    const instance = association && this.state.instances.get(association.instanceId);
    // A terminated instance's association ended with it.
    const active = !!instance && this.state.activeAssociation(instance, this.clock.nowMs()) === association;
    if (!association || association.endedAt !== null || !active) throw awsError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
    return association;
  }

  private requireTemplate(launchTemplateId: string): TemplateRecord {
    const template = this.state.templates.get(launchTemplateId);
    if (!template) throw awsError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${launchTemplateId}, does not exist.`);
    return template;
  }
}

/** "$Default", "$Latest" or a version number. */
export function resolveVersion(template: TemplateRecord, version: string): number | null {
  if (version === '$Default') return template.defaultVersion;
  if (version === '$Latest') return Math.max(...template.versions.keys());
  return /^\d+$/.test(version) ? Number(version) : null;
}

function versionNotFound(launchTemplateId: string, version: number): Error {
  return awsError('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${version} for launch template ${launchTemplateId}.`);
}

/** A profile as EC2's CloudTrail records name it in requests. */
function profileParameter(profile: ProfileSpecifier): Record<string, string> {
  return 'name' in profile ? { Name: profile.name } : { Arn: profile.arn };
}

/** The association in a response, as EC2's CloudTrail records show it. */
function associationResponse(api: string, a: ProfileAssociation): Record<string, unknown> {
  return { [`${api}Response`]: { iamInstanceProfileAssociation: { associationId: a.associationId, instanceId: a.instanceId, iamInstanceProfile: { arn: a.instanceProfileArn }, state: a.state } } };
}
