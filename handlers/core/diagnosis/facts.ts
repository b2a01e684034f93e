/** What diagnosis reads from the account, as plain data: `decide` is a pure function of these facts. */
import type {
  AttachedPolicy,
  InstanceInfo,
  InstanceProfileInfo,
  LaunchTemplateVersionInfo,
  PolicyDocument,
  ProfileAssociation,
  RoleInfo,
  SimulationResult,
} from '../ports.ts';
import type { ChangedResourceType, Denial } from '../events/model.ts';
import type { DocumentVerdict } from '../policy/coverage.ts';
import type { Incident } from '../incident.ts';
import type { EventHistoryFacts } from './event-history.ts';
import type { DriftLaunchSource } from './drift-launch.ts';

export interface LaunchTemplateFacts {
  /** The version the instance (or group) launches, resolved to a number. */
  version: LaunchTemplateVersionInfo;
  /** How it was referenced ("3", "$Default", "$Latest"). */
  reference: string;
  defaultVersion: number | null;
}

export interface AutoScalingGroupFacts {
  name: string;
  launchTemplate: { id: string; version: string } | null;
  template: LaunchTemplateFacts | null;
  tags: Record<string, string>;
}

export interface InstanceFacts {
  id: string;
  /** null: DescribeInstances does not know it (terminated long ago, wrong id, or another account). */
  info: InstanceInfo | null;
  association: ProfileAssociation | null;
  profile: InstanceProfileInfo | null;
  /** The profile named by the association does not exist (deleted after association). */
  profileMissing: boolean;
  launchTemplate: LaunchTemplateFacts | null;
  autoScalingGroup: AutoScalingGroupFacts | null;
  /**
   * For an instance without a working association: the profile its own launch data or the configuration suggests
   * (null: none; absent: not looked for), and every place looked at. Resolved per instance, never from another one.
   */
  expected?: ExpectedProfile | null;
  expectedSearch?: string[];
}

/** A profile the diagnosis read (an instance's current one or an expected one). */
export interface ProfileFacts {
  name: string;
  roles: string[];
  tags: Record<string, string>;
}

/** A role a plan might hand out: its tags (authority) and whether it is privileged. */
export interface HandoutRoleFacts {
  name: string;
  tags: Record<string, string>;
  /** policy/privileged.ts: the statement that makes it privileged, or why that cannot be ruled out; null: it is not. */
  privileged: string | null;
}

export interface RoleFacts {
  info: RoleInfo;
  inlinePolicies: Record<string, PolicyDocument>;
  attachedPolicies: AttachedPolicy[];
}

/**
 * The role chain of one profile that instances of the incident hold: the role it holds (or, for an empty profile, the
 * role it should hold again) and where that came from. One per distinct profile, never only the first instance's.
 */
export interface ProfileChain {
  profile: string;
  /** The instances of the incident that hold it. */
  instanceIds: string[];
  /** The profile holds no role. */
  empty: boolean;
  role: RoleInfo | null;
  roleSource: Facts['roleSource'];
  /** The role the profile names does not exist. */
  roleMissing: string | null;
}

export type ExpectedProfileSource = 'launch-template' | 'auto-scaling-group' | 'tag' | 'baseline';

export interface ExpectedProfile {
  name: string;
  source: ExpectedProfileSource;
  /** Where exactly, for the evidence: "lt-0123 version 3", "tag iam-autoheal:profile", … */
  detail: string;
  /** The profile exists in the account, and the role it holds. */
  exists: boolean;
  roles: string[];
}

export interface DecodedMessage {
  status: 'absent' | 'decoded' | 'truncated' | 'not-decodable';
  /** From the decoded JSON: allowed, explicitDeny and the matched statements, as STS reports them. */
  allowed?: boolean;
  explicitDeny?: boolean;
  matchedStatements?: unknown[];
  raw?: Record<string, unknown>;
}

export interface RecentChange {
  /** Who made it: `iam-autoheal` (our own audit trail or role), `aws` (an AWS service), else the principal's name. */
  by?: string;
  /** CloudTrail event name or our own action type. */
  what: string;
  resourceType: string;
  resource: string | null;
  at: string;
  secondsAgo: number;
  breaking: boolean;
  /** `event` from the intake's change events, `audit` from our own audit trail. */
  origin: 'event' | 'audit';
  detail?: Record<string, string | null>;
}

export interface Facts {
  incident: Pick<Incident, 'key' | 'kind' | 'accountId' | 'region' | 'eventCount' | 'firstSeen' | 'lastSeen' | 'instanceIds' | 'actions'>;
  now: string;
  /** The denied call and the session that made it (null for launch incidents). */
  denied: {
    action: string | null;
    resource: string | null;
    eventSource: string | null;
    roleName: string | null;
    roleArn: string | null;
    instanceId: string | null;
    ec2RoleDelivery: string | null;
    denial: Denial | null;
  };
  /** The launch the incident comes from, when it does. */
  launch: { instanceProfile: string | null; launchTemplate: { id: string | null; version: string | null } | null; viaAutoScaling: boolean } | null;
  /** Primary instance first. */
  instances: InstanceFacts[];
  /** The role in the primary instance's profile now (or, with no profile, the role of the denied session). */
  role: RoleFacts | null;
  /** Where `role` came from: the instance's profile, the denied session, or (for an empty profile) a candidate. */
  roleSource: 'profile' | 'denied-session' | 'removed-from-profile' | 'profile-name' | null;
  /** The denied session's role no longer exists. */
  roleMissing: string | null;
  /** One role chain per distinct profile the incident's instances hold, the primary instance's first (absent: not read). */
  chains?: ProfileChain[];
  /** Managed policies the operator declared for the role but that are not attached: ARN → document (null: unreadable). */
  declaredPolicies: Record<string, PolicyDocument | null>;
  /** The simulation of the first denied call (the trigger's). */
  simulation: SimulationResult | null;
  /** Every distinct denied action simulated, the trigger's first (absent: only `simulation`). */
  simulations?: SimulationResult[];
  /**
   * The simulator could not be used (refused, not implemented, throttled past the retries): why, and each denied call
   * judged from the role's own documents instead (diagnosis/without-simulator.ts). Absent: simulated, or not asked.
   */
  withoutSimulation?: { why: string; verdicts: DocumentVerdict[] };
  /** What was left out to keep the reads bounded: distinct denied actions not simulated, instances not read. */
  leftOut?: { actions: number; instances: number };
  /** Every existing profile read, by name (current and expected ones): what a plan may hand out. */
  profiles: Record<string, ProfileFacts>;
  /** The roles those profiles hold, and the candidate role of an empty profile, by name. */
  handoutRoles: Record<string, HandoutRoleFacts>;
  decoded: DecodedMessage;
  recentChanges: RecentChange[];
  /** What CloudTrail's event history was asked and said (null or absent: not read). */
  eventHistory?: EventHistoryFacts | null;
  propagationWindowSeconds: number;
  throttling: { count: number; apis: string[] };
  /** Reads that failed for reasons other than throttling (our own access denied, …). */
  readErrors: string[];
  /** A drift incident's own facts (diagnosis/drift-facts.ts); absent for other kinds. */
  drift?: DriftFacts;
}

export interface DriftFacts {
  /** Who made the change (recent-changes.ts changedBy), and what it changed (role, profile, instance, template, group). */
  by: string;
  resource: string;
  resourceType: ChangedResourceType | null;
  /** How the instances in use were found: "2 instances use profile web, which holds web-role". */
  inUse: string;
  /** The default version of a changed launch template: what launches not pinned to a version use. */
  launching: LaunchTemplateFacts | null;
  /** With no in-scope instance using the changed template or group: what it launches (diagnosis/drift-launch.ts). */
  launchSources?: DriftLaunchSource[];
  /** Our repairs of this resource after a change by the same principal, within `drift.flappingWindowSeconds`. */
  repairedBefore: Array<{ at: string; action: string; target: string }>;
}
