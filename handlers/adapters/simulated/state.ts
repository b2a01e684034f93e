/**
 * The simulated account's state: IAM objects as histories (eventual consistency), EC2 objects as
 * records with their association history. Built from a scenario; `snapshot` gives it back in the
 * scenario's account shape.
 */
import { createHash } from 'node:crypto';
import type { InstanceState, PolicyDocument, ProfileSpecifier } from '../../core/ports.ts';
import { History } from './history.ts';
import { inlineDocumentOf, profileSpecifierOf, type ScenarioAccount, type ScenarioAccountInput } from './scenario.ts';

export interface RoleRecord {
  name: string;
  path: string;
  arn: string;
  roleId: string;
  createDate?: string;
  tags: Record<string, string>;
  trust: History<PolicyDocument>;
  boundary: History<string | null>;
  inline: Map<string, History<PolicyDocument>>;
  /** Attached managed policies: present (true) or detached (undefined), in attach order. */
  attached: Map<string, History<true>>;
}

export interface ProfileRecord {
  name: string;
  path: string;
  arn: string;
  roles: History<string[]>;
  tags: Record<string, string>;
}

export interface AssociationRecord {
  id: string;
  instanceId: string;
  profileName: string;
  profileArn: string;
  createdAt: number;
  /** Replaced or disassociated at; null while it is the instance's association. */
  endedAt: number | null;
  /** A replaced association's credentials serve until its successor's arrive; a disassociated one's stop. */
  endedBy?: 'replace' | 'disassociate';
  /** Made before the scenario started, with no associatedAt: its credentials are already delivered. */
  preexisting: boolean;
  /** Declared by the scenario (made before it started). */
  initial?: boolean;
}

export interface InstanceRecord {
  id: string;
  initialState: InstanceState;
  launchTime: number | null;
  /** When the instance starts shutting down (scale-in, Spot interruption); null: it is not terminated meanwhile. */
  terminatesAt: number | null;
  launchTemplate: { id: string; version: string } | null;
  autoScalingGroup: string | null;
  tags: Record<string, string>;
  associations: AssociationRecord[];
  credentialsRole: string | null | undefined;
  updatedAt?: string;
}

export interface TemplateVersionRecord {
  number: number;
  profile: ProfileSpecifier | null;
  description?: string;
  updatedAt: number | null;
}

export interface TemplateRecord {
  id: string;
  name: string;
  defaultVersion: number;
  versions: Map<number, TemplateVersionRecord>;
  tags: Record<string, string>;
  updatedAt: number | null;
}

export interface GroupRecord {
  name: string;
  launchTemplate: { id: string; version: string } | null;
  tags: Record<string, string>;
  updatedAt: number | null;
}

/** Pending instances are running this long after launch (or after the scenario starts). */
export const PENDING_SECONDS = 15;
/** An instance told to terminate is shutting-down this long, then terminated (its association ends with it). */
export const SHUTTING_DOWN_SECONDS = 30;
/** EC2 still describes a terminated instance for about an hour; then it answers InvalidInstanceID.NotFound. */
export const TERMINATED_VISIBLE_SECONDS = 3600;

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));
const iso = (t: number | null | undefined): string | undefined => (t === null || t === undefined || !Number.isFinite(t) ? undefined : new Date(t).toISOString());

export class AccountState {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly roles = new Map<string, RoleRecord>();
  readonly policies = new Map<string, { document: PolicyDocument; updatedAt?: string }>();
  readonly profiles = new Map<string, ProfileRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly associations = new Map<string, AssociationRecord>();
  readonly templates = new Map<string, TemplateRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly serviceControlPolicies: PolicyDocument[] | undefined;
  readonly resourcePolicies: Record<string, PolicyDocument> | undefined;
  readonly encodedMessages: Record<string, Record<string, unknown>> | undefined;
  /** Times of every IAM change, sorted: how many have propagated identifies what evaluation sees. */
  private readonly iamChangeTimes: number[] = [];
  private associationCounter = 0;

  constructor(account: ScenarioAccount, readonly startMs: number) {
    this.accountId = account.accountId;
    this.region = account.region;
    this.partition = account.region.startsWith('cn-') ? 'aws-cn' : account.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    this.serviceControlPolicies = account.serviceControlPolicies;
    this.resourcePolicies = account.resourcePolicies;
    this.encodedMessages = account.encodedAuthorizationMessages;
    for (const p of account.policies) this.policies.set(p.arn, { document: p.document, updatedAt: p.updatedAt });
    for (const r of account.roles) this.addRole(r);
    for (const p of account.instanceProfiles) {
      const changedAt = this.noteChange(ms(p.updatedAt));
      this.profiles.set(p.name, { name: p.name, path: p.path, arn: this.arnOf('instance-profile', p.path, p.name), roles: new History([...p.roles], changedAt), tags: { ...p.tags } });
    }
    for (const t of account.launchTemplates) {
      const versions = new Map(t.versions.map((v) => [v.number, { number: v.number, profile: profileSpecifierOf(v.iamInstanceProfile), description: v.description, updatedAt: ms(v.updatedAt) ?? null }]));
      this.templates.set(t.id, { id: t.id, name: t.name, defaultVersion: t.defaultVersion, versions, tags: { ...t.tags }, updatedAt: ms(t.updatedAt) ?? null });
    }
    for (const g of account.autoScalingGroups) this.groups.set(g.name, { name: g.name, launchTemplate: g.launchTemplate, tags: { ...g.tags }, updatedAt: ms(g.updatedAt) ?? null });
    for (const i of account.instances) this.addInstance(i);
  }

  arnOf(kind: 'role' | 'instance-profile', path: string, name: string): string {
    return `arn:${this.partition}:iam::${this.accountId}:${kind}${path}${name}`;
  }

  /** The profile a name or ARN designates, as IAM knows it now (null: none such). */
  profileBySpecifier(spec: ProfileSpecifier): ProfileRecord | null {
    if ('name' in spec) return this.profiles.get(spec.name) ?? null;
    const profile = this.profiles.get(spec.arn.split('/').pop()!);
    return profile && profile.arn === spec.arn ? profile : null;
  }

  newAssociationId(given?: string): string {
    if (given) {
      // Ids of a snapshot are kept; new ones follow the highest.
      this.associationCounter = Math.max(this.associationCounter, Number.parseInt(given.slice('iip-assoc-'.length), 16) || 0);
      return given;
    }
    this.associationCounter += 1;
    return `iip-assoc-${this.associationCounter.toString(16).padStart(17, '0')}`;
  }

  /** The instance's current association (not replaced or disassociated), if any. */
  activeAssociation(instance: InstanceRecord, nowMs: number): AssociationRecord | null {
    if (this.terminatedBy(instance, nowMs)) return null;
    const last = instance.associations[instance.associations.length - 1];
    return last && last.endedAt === null ? last : null;
  }

  instanceStateAt(instance: InstanceRecord, nowMs: number): InstanceState {
    if (instance.terminatesAt !== null && nowMs >= instance.terminatesAt) return this.terminatedBy(instance, nowMs) ? 'terminated' : 'shutting-down';
    if (instance.initialState !== 'pending') return instance.initialState;
    return nowMs >= (instance.launchTime ?? this.startMs) + PENDING_SECONDS * 1000 ? 'running' : 'pending';
  }

  /** Whether EC2 still knows the instance: a terminated one is forgotten about an hour after (InvalidInstanceID.NotFound). */
  describable(instance: InstanceRecord, nowMs: number): boolean {
    return !this.terminatedBy(instance, nowMs - TERMINATED_VISIBLE_SECONDS * 1000);
  }

  /** The instance's termination (`terminatesAt`) has completed by `nowMs`. */
  private terminatedBy(instance: InstanceRecord, nowMs: number): boolean {
    return instance.terminatesAt !== null && nowMs >= instance.terminatesAt + SHUTTING_DOWN_SECONDS * 1000;
  }

  /** Records an IAM change at `at` (for evaluation caching); returns `at`. */
  noteChange<T extends number | undefined>(at: T): T {
    if (at === undefined) return at;
    let i = this.iamChangeTimes.length;
    while (i > 0 && this.iamChangeTimes[i - 1]! > at) i--;
    this.iamChangeTimes.splice(i, 0, at);
    return at;
  }

  /** How many IAM changes had happened by `ms`: equal numbers mean evaluation sees the same state. */
  changesBy(ms: number): number {
    let lo = 0;
    let hi = this.iamChangeTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.iamChangeTimes[mid]! <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The current state in the scenario's account shape (what `simulate --json` reports). */
  snapshot(nowMs: number): ScenarioAccountInput {
    const roles = [...this.roles.values()].map((r) => ({
      name: r.name,
      path: r.path,
      roleId: r.roleId,
      ...(r.createDate ? { createDate: r.createDate } : {}),
      trustPolicy: r.trust.latest()!,
      inlinePolicies: Object.fromEntries(
        [...r.inline].filter(([, h]) => h.latest() !== undefined).map(([name, h]) => [name, h.latestAt() === null ? h.latest()! : { document: h.latest()!, updatedAt: iso(h.latestAt())! }]),
      ),
      managedPolicies: [...r.attached].filter(([, h]) => h.latest()).map(([arn, h]) => (h.latestAt() === null ? arn : { arn, updatedAt: iso(h.latestAt()) })),
      permissionsBoundary: r.boundary.latest() ?? null,
      tags: r.tags,
      ...(r.trust.latestAt() !== null ? { updatedAt: iso(r.trust.latestAt()) } : {}),
      ...(changedTrust(r) ? { previousTrustPolicy: r.trust.previous() } : {}),
    }));
    const instances = [...this.instances.values()].map((i) => {
      const association = this.activeAssociation(i, nowMs);
      return {
        id: i.id,
        state: this.instanceStateAt(i, nowMs),
        ...(i.terminatesAt !== null ? { terminatesAt: iso(i.terminatesAt) } : {}),
        instanceProfile: association?.profileName ?? null,
        launchTemplate: i.launchTemplate,
        autoScalingGroup: i.autoScalingGroup,
        tags: i.tags,
        ...(i.launchTime !== null ? { launchTime: iso(i.launchTime) } : {}),
        ...(association && !association.preexisting ? { associatedAt: iso(association.createdAt) } : {}),
        ...(association ? { associationId: association.id } : {}),
        ...(i.credentialsRole !== undefined && association?.initial ? { credentialsRole: i.credentialsRole } : {}),
        ...(i.updatedAt ? { updatedAt: i.updatedAt } : {}),
      };
    });
    return {
      accountId: this.accountId,
      region: this.region,
      roles,
      policies: [...this.policies].map(([arn, p]) => ({ arn, document: p.document, ...(p.updatedAt ? { updatedAt: p.updatedAt } : {}) })),
      instanceProfiles: [...this.profiles.values()].map((p) => ({ name: p.name, path: p.path, roles: p.roles.latest() ?? [], ...(Object.keys(p.tags).length ? { tags: { ...p.tags } } : {}), ...(p.roles.latestAt() !== null ? { updatedAt: iso(p.roles.latestAt()) } : {}) })),
      launchTemplates: [...this.templates.values()].map((t) => ({
        id: t.id,
        name: t.name,
        defaultVersion: t.defaultVersion,
        versions: [...t.versions.values()].map((v) => ({
          number: v.number,
          iamInstanceProfile: v.profile === null ? null : 'name' in v.profile ? v.profile.name : v.profile.arn,
          ...(v.description !== undefined ? { description: v.description } : {}),
          ...(v.updatedAt !== null ? { updatedAt: iso(v.updatedAt) } : {}),
        })),
        tags: { ...t.tags },
        ...(t.updatedAt !== null ? { updatedAt: iso(t.updatedAt) } : {}),
      })),
      autoScalingGroups: [...this.groups.values()].map((g) => ({ name: g.name, launchTemplate: g.launchTemplate, tags: { ...g.tags }, ...(g.updatedAt !== null ? { updatedAt: iso(g.updatedAt) } : {}) })),
      instances,
      ...(this.serviceControlPolicies ? { serviceControlPolicies: this.serviceControlPolicies } : {}),
      ...(this.resourcePolicies ? { resourcePolicies: this.resourcePolicies } : {}),
      ...(this.encodedMessages ? { encodedAuthorizationMessages: this.encodedMessages } : {}),
    };
  }

  private addRole(r: ScenarioAccount['roles'][number]): void {
    const changedAt = this.noteChange(ms(r.updatedAt));
    const inline = new Map(
      Object.entries(r.inlinePolicies).map(([name, entry]) => {
        const { document, updatedAt } = inlineDocumentOf(entry);
        return [name, new History(document, this.noteChange(ms(updatedAt)))] as const;
      }),
    );
    const attached = new Map(
      r.managedPolicies.map((entry) => {
        const { arn, updatedAt } = typeof entry === 'string' ? { arn: entry, updatedAt: undefined } : entry;
        return [arn, new History<true>(true, this.noteChange(ms(updatedAt)))] as const;
      }),
    );
    this.roles.set(r.name, {
      name: r.name,
      path: r.path,
      arn: this.arnOf('role', r.path, r.name),
      roleId: r.roleId ?? roleIdFor(this.accountId, r.name),
      createDate: r.createDate,
      tags: r.tags,
      // A role's updatedAt alone says nothing of what changed: the trust stays as it is unless previousTrustPolicy says otherwise.
      trust: new History(r.trustPolicy, changedAt, r.previousTrustPolicy ?? r.trustPolicy),
      boundary: new History(r.permissionsBoundary),
      inline,
      attached,
    });
  }

  private addInstance(i: ScenarioAccount['instances'][number]): void {
    const record: InstanceRecord = {
      id: i.id,
      initialState: i.state,
      launchTime: ms(i.launchTime) ?? null,
      terminatesAt: ms(i.terminatesAt) ?? null,
      launchTemplate: i.launchTemplate,
      autoScalingGroup: i.autoScalingGroup,
      tags: i.tags,
      associations: [],
      credentialsRole: i.credentialsRole,
      updatedAt: i.updatedAt,
    };
    const spec = profileSpecifierOf(i.instanceProfile);
    const profile = spec && this.profileBySpecifier('arn' in spec ? { name: spec.arn.split('/').pop()! } : spec);
    if (profile) {
      const associatedAt = ms(i.associatedAt);
      const association: AssociationRecord = {
        id: this.newAssociationId(i.associationId),
        instanceId: i.id,
        profileName: profile.name,
        profileArn: profile.arn,
        createdAt: associatedAt ?? this.startMs,
        endedAt: null,
        preexisting: associatedAt === undefined,
        initial: true,
      };
      record.associations.push(association);
      this.associations.set(association.id, association);
    }
    this.instances.set(i.id, record);
  }
}

/** The trust was replaced by a different document (by a write, or as the scenario declared). */
function changedTrust(role: RoleRecord): boolean {
  const previous = role.trust.previous();
  return previous !== undefined && JSON.stringify(previous) !== JSON.stringify(role.trust.latest());
}

/** A stable AROA… id, so the same scenario always shows the same principal ids. */
function roleIdFor(accountId: string, name: string): string {
  const digest = createHash('sha256').update(`${accountId}:${name}`).digest('hex').toUpperCase();
  return `AROA${digest.replace(/[^A-Z2-7]/g, '').padEnd(17, 'Q').slice(0, 17)}`;
}
