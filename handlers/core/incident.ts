/** Incidents, diagnoses and plans: the data that flows between the workflow's steps. */
import type { Cause, Mode } from './causes.ts';
import type { Classification } from './events/model.ts';

/** What the intake hands to one workflow execution: one root cause seen through many events. */
export interface Incident {
  key: string;
  accountId: string;
  region: string;
  kind: 'access-denied' | 'launch' | 'sweep' | 'drift';
  /** First event of the incident (the one diagnosed), normalized. */
  trigger: Classification;
  /** Every instance seen in the incident's events (denials and launches), deduplicated. */
  instanceIds: string[];
  /** Every distinct action denied in the incident's events. */
  actions: string[];
  /** Each distinct denied action with the resource it was first denied on, in order of first denial (bounded). */
  deniedCalls?: Array<{ action: string; resource: string | null }>;
  eventCount: number;
  firstSeen: string;
  lastSeen: string;
  /** Change events seen moments before (used to recognise propagation). */
  recentChanges: Classification[];
  /**
   * More instances than one batch: `instanceIds` is empty and the list is kept in the state table (InstanceListPort)
   * under `list`, in `batches` pages of `batchSize`; the workflow runs one child execution per page.
   */
  fleet?: FleetRef;
  /** In a child execution of a fleet: the page of the list it handles. */
  batch?: { index: number };
  /**
   * In a child execution of a fleet: a person's approval given in an earlier batch of the same incident (null: none).
   * It lets a later batch apply the same change to its own instances without asking again (core/approval.ts).
   */
  fleetApproval?: CarriedApproval | null;
}

/** A person's approval as the later batches of a fleet incident carry it: who, when, and what it covers. */
export interface CarriedApproval {
  by: string;
  at: string;
  approvalId: string;
  /** The approved changes, each with its instance left out (approvalShapeOf): a later batch's changes must be among them. */
  covers: string[];
  /** Approved while the plan was past the hourly change budget: Apply may go past it (charged all the same). */
  overBudget: boolean;
}

export interface FleetRef {
  list: string;
  count: number;
  batchSize: number;
  batches: number;
}

export interface Evidence {
  /** Short, human label: "association", "trust policy", "simulation", "recent change", … */
  kind: string;
  summary: string;
  data?: unknown;
}

export type ActionType =
  | 'associate-profile'
  | 'replace-association'
  | 'merge-trust'
  | 'attach-policy'
  | 'put-inline-policy'
  | 'add-role-to-profile'
  | 'create-launch-template-version'
  | 'set-default-launch-template-version'
  | 'update-auto-scaling-group'
  | 'propose-policy'
  | 'wait'
  | 'notify';

/** The changes made to one instance each (its target is the instance id): a fleet repeats them per instance. */
export const INSTANCE_ACTIONS: ReadonlySet<ActionType> = new Set<ActionType>(['associate-profile', 'replace-association']);

/** One step of a plan: a remediation to apply to one target with its parameters. */
export interface PlannedAction {
  type: ActionType;
  /** Instance id, role name, profile name, launch template id or ASG name. */
  target: string;
  params: Record<string, unknown>;
  /** Why this step: shown to the user. */
  reason: string;
}

export interface Diagnosis {
  cause: Cause;
  /** One sentence a human reads first. */
  summary: string;
  evidence: Evidence[];
  plan: PlannedAction[];
  /** Who to talk to for escalated causes (SCP → organization admins, …). */
  owner?: string;
  /** Nothing is wrong (e.g. a launch whose instances all have a working profile): the guard answers nothing-to-do. */
  healthy?: boolean;
  /**
   * Other causes the plan also repairs (instances of one incident holding different broken profiles): the guard applies
   * the strictest mode of `cause` and these.
   */
  alsoCauses?: Cause[];
  /**
   * Why the cause is less certain than usual (e.g. decided from the role's documents without the policy simulator): the
   * guard asks a person even where the cause's mode is auto.
   */
  reducedConfidence?: string;
  /** Context the guard needs: role, instance, whether EC2 delivered the credentials, … */
  subject: {
    accountId: string;
    region: string;
    roleName: string | null;
    roleArn: string | null;
    instanceIds: string[];
    action: string | null;
    resource: string | null;
    ec2Delivered: boolean;
    /** Tags of the role and the primary instance, merged (for display; the guard's scope check uses `optIn`). */
    tags: Record<string, string>;
    /**
     * Where the opt-in tag (config scope.tag, as "key=value") is, as IAM checks it at apply time: role writes
     * need it on the role, profile associations on the instance, template writes on the launch template, group
     * updates on the Auto Scaling group (each resource's own tags). Absent without a scope tag.
     */
    optIn?: { tag: string; roles: string[]; instanceIds: string[]; launchTemplateIds: string[]; autoScalingGroups: string[] };
    /**
     * Every profile (and the role it holds or would hold) that the plan hands to instances, with what the guard
     * needs to authorize it (policy/authority.ts). An action that hands out a profile or role not listed here is
     * refused.
     */
    handouts?: Handout[];
  };
}

/** A profile and role the plan would hand to instances: who suggested it, who can authorize it, whether it is privileged. */
export interface Handout {
  profile: string;
  /** The role the profile holds, or the one the plan puts into it (null: none known). */
  role: string | null;
  /** Where the diagnosis got it from (launch template, group, instance tag, denied session, …): hints, never authority. */
  suggestedBy: string[];
  /** Instances whose current association is this profile: EC2 checked iam:PassRole when it was made. */
  associatedWith: string[];
  /** Tags of the role and of the profile (only IAM administrators can set them). */
  roleTags: Record<string, string>;
  profileTags: Record<string, string>;
  /** Why the role is privileged (the policy and statement), or why that cannot be ruled out; null: it is not. */
  privileged: string | null;
}

export type GuardVerdict = 'apply' | 'await-approval' | 'observe' | 'escalate' | 'nothing-to-do';

export interface GuardDecision {
  verdict: GuardVerdict;
  mode: Mode | null;
  /** Shown to the user as is. */
  reason: string;
  /** The plan actions allowed through (never-grant items removed and listed in `refused`). */
  allowed: PlannedAction[];
  refused: Array<{ action: PlannedAction; reason: string }>;
  /**
   * Actions left for a person while the rest is applied (CONTRACTS.md `partially-fixed`): out of scope (the resource
   * lacks the opt-in tag), with the exact change proposed. Never written by the service.
   */
  deferred: Array<{ action: PlannedAction; reason: string }>;
  /** Asked for approval because the plan is past the account's hourly change budget. */
  overBudget?: boolean;
}

export type IncidentStatus =
  | 'fixed'
  /** A drift incident fixed and verified before any instance of it was denied (CONTRACTS.md). */
  | 'prevented'
  /** The in-scope part of the plan applied and verified; the rest (`deferred`) proposed for a person (CONTRACTS.md). */
  | 'partially-fixed'
  | 'verified-no-change'
  | 'observed'
  | 'awaiting-approval'
  | 'rejected'
  | 'escalated'
  | 'failed';

export interface ActionResult {
  type: ActionType;
  target: string;
  result: 'done' | 'already-done' | 'skipped' | 'failed' | 'proposed' | 'undone' | 'deferred';
  detail?: string;
}
