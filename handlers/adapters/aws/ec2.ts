/** Ec2Port on the EC2 API: instances, profile associations and launch template versions. */
import {
  AssociateIamInstanceProfileCommand, CreateLaunchTemplateVersionCommand, DeleteLaunchTemplateVersionsCommand, DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DisassociateIamInstanceProfileCommand, type EC2Client, type IamInstanceProfileAssociation, type Instance, ModifyLaunchTemplateCommand,
  ReplaceIamInstanceProfileAssociationCommand, paginateDescribeIamInstanceProfileAssociations, paginateDescribeInstances,
  paginateDescribeLaunchTemplateVersions,
} from '@aws-sdk/client-ec2';
import { AwsCallError, NotFoundError } from '../../core/ports.ts';
import type {
  AssociationState, Ec2Port, InstanceInfo, InstanceState, LaunchTemplateInfo, LaunchTemplateVersionInfo, ProfileAssociation, ProfileSpecifier,
} from '../../core/ports.ts';
import { collectPages, tagRecord } from './clients.ts';
import { mapErrors, nullIfNotFound } from './errors.ts';

// Disassociating/disassociated associations are history, not the instance's current profile.
const CURRENT_STATES: AssociationState[] = ['associating', 'associated'];
// EC2 takes at most 200 values per filter.
const FILTER_VALUES_MAX = 200;

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

export class AwsEc2Port implements Ec2Port {
  constructor(private readonly client: EC2Client) {}

  async describeInstance(instanceId: string): Promise<InstanceInfo | null> {
    const out = await nullIfNotFound(this.client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })));
    const instances = out?.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    const instance = instances.find((i) => i.InstanceId === instanceId) ?? instances[0];
    return instance ? toInstanceInfo(instance, instanceId) : null;
  }

  async listInstances(filter: { states: InstanceState[]; tag?: { key: string; value: string } | null }, onPage?: (instancesSoFar: number) => void): Promise<InstanceInfo[]> {
    // 1,000 per page (EC2's maximum): fewer calls against DescribeInstances' rate limit.
    const input = {
      Filters: [
        { Name: 'instance-state-name', Values: filter.states },
        ...(filter.tag ? [{ Name: `tag:${filter.tag.key}`, Values: [filter.tag.value] }] : []),
      ],
    };
    const instances: InstanceInfo[] = [];
    await mapErrors((async () => {
      for await (const page of paginateDescribeInstances({ client: this.client, pageSize: 1000 }, input)) {
        instances.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => toInstanceInfo(i, i.InstanceId ?? '')));
        onPage?.(instances.length);
      }
    })());
    return instances;
  }

  async describeInstances(instanceIds: string[]): Promise<InstanceInfo[]> {
    const out: InstanceInfo[] = [];
    // A filter, not InstanceIds: one unknown id would fail the whole call with InvalidInstanceID.NotFound.
    for (const ids of chunks([...new Set(instanceIds)], FILTER_VALUES_MAX)) {
      const input = { Filters: [{ Name: 'instance-id', Values: ids }] };
      const reservations = await mapErrors(collectPages(paginateDescribeInstances({ client: this.client, pageSize: 1000 }, input), (p) => p.Reservations));
      out.push(...reservations.flatMap((r) => r.Instances ?? []).map((i) => toInstanceInfo(i, i.InstanceId ?? '')));
    }
    return out;
  }

  async describeProfileAssociationsOfInstances(instanceIds: string[]): Promise<ProfileAssociation[]> {
    const out: ProfileAssociation[] = [];
    for (const ids of chunks([...new Set(instanceIds)], FILTER_VALUES_MAX)) {
      const input = { Filters: [{ Name: 'instance-id', Values: ids }, { Name: 'state', Values: CURRENT_STATES }] };
      const associations = await mapErrors(
        collectPages(paginateDescribeIamInstanceProfileAssociations({ client: this.client, pageSize: 1000 }, input), (p) => p.IamInstanceProfileAssociations),
      );
      out.push(...associations.map(toAssociation));
    }
    return out;
  }

  async describeProfileAssociations(instanceId: string): Promise<ProfileAssociation[]> {
    const input = {
      Filters: [
        { Name: 'instance-id', Values: [instanceId] },
        { Name: 'state', Values: CURRENT_STATES },
      ],
    };
    const associations = await mapErrors(
      collectPages(paginateDescribeIamInstanceProfileAssociations({ client: this.client }, input), (p) => p.IamInstanceProfileAssociations),
    );
    return associations.map(toAssociation);
  }

  async associateProfile(instanceId: string, profile: ProfileSpecifier): Promise<ProfileAssociation> {
    const command = new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: toSdkProfile(profile) });
    const out = await mapErrors(this.client.send(command));
    return toAssociation(out.IamInstanceProfileAssociation ?? {});
  }

  async replaceProfileAssociation(associationId: string, profile: ProfileSpecifier): Promise<ProfileAssociation> {
    const command = new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: associationId, IamInstanceProfile: toSdkProfile(profile) });
    const out = await mapErrors(this.client.send(command));
    return toAssociation(out.IamInstanceProfileAssociation ?? {});
  }

  async disassociateProfile(associationId: string): Promise<void> {
    await mapErrors(this.client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: associationId })));
  }

  async describeLaunchTemplateVersion(launchTemplateId: string, version: string): Promise<LaunchTemplateVersionInfo | null> {
    const pages = paginateDescribeLaunchTemplateVersions({ client: this.client }, { LaunchTemplateId: launchTemplateId, Versions: [version] });
    const versions = await nullIfNotFound(collectPages(pages, (p) => p.LaunchTemplateVersions));
    const found = versions?.[0];
    if (!found) return null;
    const profile = found.LaunchTemplateData?.IamInstanceProfile;
    // Versions carry no tags; the template does, and IAM conditions template writes on them.
    const templates = await nullIfNotFound(this.client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [found.LaunchTemplateId ?? launchTemplateId] })));
    return {
      launchTemplateId: found.LaunchTemplateId ?? launchTemplateId,
      launchTemplateName: found.LaunchTemplateName ?? '',
      versionNumber: found.VersionNumber ?? 0,
      defaultVersion: found.DefaultVersion ?? false,
      iamInstanceProfile: profile?.Arn ? { arn: profile.Arn } : profile?.Name ? { name: profile.Name } : null,
      tags: tagRecord(templates?.LaunchTemplates?.[0]?.Tags),
    };
  }

  async describeLaunchTemplateByName(name: string): Promise<LaunchTemplateInfo | null> {
    // An unknown name is InvalidLaunchTemplateName.NotFoundException, not an empty list.
    const out = await nullIfNotFound(this.client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] })));
    const found = out?.LaunchTemplates?.find((t) => t.LaunchTemplateName === name);
    if (!found?.LaunchTemplateId) return null;
    return {
      id: found.LaunchTemplateId, name, defaultVersion: found.DefaultVersionNumber ?? 0, latestVersion: found.LatestVersionNumber ?? 0, tags: tagRecord(found.Tags),
    };
  }

  /**
   * With a null profile the new version carries an empty IamInstanceProfile over the source's;
   * EC2's handling of that is not verified here, so undo should prefer restoring the previous default version.
   */
  async createLaunchTemplateVersion(
    launchTemplateId: string, sourceVersion: number, profile: ProfileSpecifier | null, description: string,
  ): Promise<number> {
    const command = new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: launchTemplateId,
      SourceVersion: String(sourceVersion),
      VersionDescription: description,
      LaunchTemplateData: { IamInstanceProfile: profile ? toSdkProfile(profile) : {} },
    });
    const out = await mapErrors(this.client.send(command));
    const created = out.LaunchTemplateVersion?.VersionNumber;
    if (created === undefined) throw new Error(`CreateLaunchTemplateVersion on ${launchTemplateId} returned no version number`);
    return created;
  }

  async setDefaultLaunchTemplateVersion(launchTemplateId: string, version: number): Promise<void> {
    await mapErrors(this.client.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: launchTemplateId, DefaultVersion: String(version) })));
  }

  async deleteLaunchTemplateVersion(launchTemplateId: string, version: number): Promise<void> {
    const command = new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: [String(version)] });
    const out = await mapErrors(this.client.send(command));
    // A version that could not be deleted comes back in a successful response, not as an error.
    const failed = out.UnsuccessfullyDeletedLaunchTemplateVersions?.[0];
    if (!failed) return;
    const code = failed.ResponseError?.Code ?? 'unexpectedError';
    const text = `${code}: ${failed.ResponseError?.Message ?? `version ${version} of ${launchTemplateId} was not deleted`}`;
    if (code === 'launchTemplateVersionDoesNotExist' || code === 'launchTemplateIdDoesNotExist') throw new NotFoundError(text);
    throw new AwsCallError(text, code);
  }
}

function toInstanceInfo(instance: Instance, instanceId: string): InstanceInfo {
  const tags = tagRecord(instance.Tags);
  const templateId = tags['aws:ec2launchtemplate:id'];
  return {
    id: instance.InstanceId ?? instanceId,
    state: (instance.State?.Name ?? 'pending') as InstanceState,
    instanceProfileArn: instance.IamInstanceProfile?.Arn ?? null,
    launchTemplate: templateId ? { id: templateId, version: tags['aws:ec2launchtemplate:version'] ?? '$Default' } : null,
    autoScalingGroup: tags['aws:autoscaling:groupName'] ?? null,
    tags,
    launchTime: instance.LaunchTime?.toISOString(),
  };
}

function toSdkProfile(profile: ProfileSpecifier): { Name: string } | { Arn: string } {
  return 'arn' in profile ? { Arn: profile.arn } : { Name: profile.name };
}

function toAssociation(a: IamInstanceProfileAssociation): ProfileAssociation {
  return {
    associationId: a.AssociationId ?? '',
    instanceId: a.InstanceId ?? '',
    instanceProfileArn: a.IamInstanceProfile?.Arn ?? '',
    state: (a.State ?? 'associating') as AssociationState,
    ...(a.Timestamp ? { associatedAt: a.Timestamp.toISOString() } : {}),
  };
}
