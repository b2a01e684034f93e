/**
 * The small interfaces the core talks to. Real AWS adapters (handlers/adapters/aws) and the
 * simulated account (handlers/adapters/simulated) both implement them, so tests and the demo
 * drive the same core code that runs in Lambda. No SDK types cross this boundary.
 */

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Array<Record<string, unknown>> | Record<string, unknown>;
}

export interface RoleInfo {
  name: string;
  path: string;
  arn: string;
  roleId?: string;
  trustPolicy: PolicyDocument;
  permissionsBoundaryArn: string | null;
  tags: Record<string, string>;
  createDate?: string;
}

export interface AttachedPolicy {
  arn: string;
  name: string;
}

export interface InstanceProfileInfo {
  name: string;
  path: string;
  arn: string;
  /** Role names (IAM allows at most one). */
  roles: string[];
  /** The profile's own tags (GetInstanceProfile returns them; only IAM administrators can set them). */
  tags?: Record<string, string>;
}

export interface SimulationRequest {
  roleArn: string;
  actions: string[];
  resources?: string[];
  /** Context keys from the event, e.g. aws:SourceIp, ec2:SourceInstanceARN. */
  context?: Array<{ key: string; values: string[]; type: 'string' | 'stringList' | 'ip' | 'boolean' | 'numeric' | 'date' }>;
}

export type SimulationDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface SimulationResult {
  action: string;
  resource: string;
  decision: SimulationDecision;
  /** Source ids of the statements that decided (policy name/ARN), as IAM reports them. */
  matchedStatements: Array<{ sourcePolicyId: string; sourcePolicyType?: string }>;
  /** Where the decision came from when not identity policies (boundary, organizations). */
  permissionsBoundaryAllowed?: boolean;
  organizationsAllowed?: boolean;
  missingContextValues?: string[];
}

export interface IamPort {
  getRole(roleName: string): Promise<RoleInfo | null>;
  /** Inline policies: name → document. */
  listInlinePolicies(roleName: string): Promise<Record<string, PolicyDocument>>;
  listAttachedPolicies(roleName: string): Promise<AttachedPolicy[]>;
  /** Default version document of a managed policy (null when the policy does not exist). */
  getManagedPolicyDocument(policyArn: string): Promise<PolicyDocument | null>;
  getInstanceProfile(profileName: string): Promise<InstanceProfileInfo | null>;
  listInstanceProfilesForRole(roleName: string): Promise<InstanceProfileInfo[]>;
  /** Every instance profile of the account, all pages: the sweep looks for roles that lost EC2 trust. */
  listInstanceProfiles(): Promise<InstanceProfileInfo[]>;
  simulatePrincipalPolicy(request: SimulationRequest): Promise<SimulationResult[]>;

  updateAssumeRolePolicy(roleName: string, document: PolicyDocument): Promise<void>;
  attachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  detachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  putRolePolicy(roleName: string, policyName: string, document: PolicyDocument): Promise<void>;
  deleteRolePolicy(roleName: string, policyName: string): Promise<void>;
  addRoleToInstanceProfile(profileName: string, roleName: string): Promise<void>;
  removeRoleFromInstanceProfile(profileName: string, roleName: string): Promise<void>;
}

export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface InstanceInfo {
  id: string;
  state: InstanceState;
  /** ARN of the associated profile, as DescribeInstances reports it (null: none). */
  instanceProfileArn: string | null;
  launchTemplate: { id: string; version: string } | null;
  /** From the aws:autoscaling:groupName tag. */
  autoScalingGroup: string | null;
  tags: Record<string, string>;
  launchTime?: string;
}

export type AssociationState = 'associating' | 'associated' | 'disassociating' | 'disassociated';

export interface ProfileAssociation {
  associationId: string;
  instanceId: string;
  instanceProfileArn: string;
  state: AssociationState;
  /** When the association was made, where known (simulated account; audit trail otherwise). */
  associatedAt?: string;
}

/** A profile as EC2 APIs take it: by name or by ARN. */
export type ProfileSpecifier = { name: string } | { arn: string };

export interface LaunchTemplateVersionInfo {
  launchTemplateId: string;
  launchTemplateName: string;
  versionNumber: number;
  defaultVersion: boolean;
  /** Profile in the version's data: name or ARN, null when the version has none. */
  iamInstanceProfile: ProfileSpecifier | null;
  /** The template's own tags (not the version's): IAM conditions template writes on them. */
  tags?: Record<string, string>;
}

/** A launch template as DescribeLaunchTemplates lists it. */
export interface LaunchTemplateInfo {
  id: string;
  name: string;
  defaultVersion: number;
  latestVersion: number;
  tags: Record<string, string>;
}

export interface Ec2Port {
  describeInstance(instanceId: string): Promise<InstanceInfo | null>;
  /** Instances in one of `states`, only those with the tag when given: the scheduled sweep's inventory (CloudTrail delivery is best effort). */
  listInstances(filter: { states: InstanceState[]; tag?: { key: string; value: string } | null }, onPage?: (instancesSoFar: number) => void): Promise<InstanceInfo[]>;
  describeProfileAssociations(instanceId: string): Promise<ProfileAssociation[]>;
  /** Many instances in a few calls; ids EC2 does not know are left out, not an error. */
  describeInstances(instanceIds: string[]): Promise<InstanceInfo[]>;
  /** Current (associating/associated) associations of many instances in a few calls. */
  describeProfileAssociationsOfInstances(instanceIds: string[]): Promise<ProfileAssociation[]>;
  associateProfile(instanceId: string, profile: ProfileSpecifier): Promise<ProfileAssociation>;
  /** Swaps the profile in place: new association id, fresh credentials, no gap. */
  replaceProfileAssociation(associationId: string, profile: ProfileSpecifier): Promise<ProfileAssociation>;
  /** Only used by undo of an association we made. */
  disassociateProfile(associationId: string): Promise<void>;
  /** version: a number, "$Default" or "$Latest". */
  describeLaunchTemplateVersion(launchTemplateId: string, version: string): Promise<LaunchTemplateVersionInfo | null>;
  /** The template of that name (DescribeLaunchTemplates): a change record may name a template by name only. Null when none has it. */
  describeLaunchTemplateByName(name: string): Promise<LaunchTemplateInfo | null>;
  /** New version from `sourceVersion` with only the profile changed; returns its number. */
  createLaunchTemplateVersion(launchTemplateId: string, sourceVersion: number, profile: ProfileSpecifier | null, description: string): Promise<number>;
  setDefaultLaunchTemplateVersion(launchTemplateId: string, version: number): Promise<void>;
  /** Only used by undo of a version we created. NotFound when it is gone; EC2 refuses to delete the default version. */
  deleteLaunchTemplateVersion(launchTemplateId: string, version: number): Promise<void>;
}

export interface AutoScalingGroupInfo {
  name: string;
  launchTemplate: { id: string; version: string } | null;
  instanceIds: string[];
  /** The group's own tags: IAM conditions UpdateAutoScalingGroup on them. */
  tags?: Record<string, string>;
}

export interface AutoScalingPort {
  describeGroup(name: string): Promise<AutoScalingGroupInfo | null>;
  /** Every group of the region, all pages, only those with the tag when given (DescribeAutoScalingGroups); `onPage` hears the count so far. */
  listGroups(filter: { tag?: { key: string; value: string } | null }, onPage?: (groupsSoFar: number) => void): Promise<AutoScalingGroupInfo[]>;
  setGroupLaunchTemplate(name: string, launchTemplate: { id: string; version: string }): Promise<void>;
}

export interface StsPort {
  /** Decoded JSON of an EC2 encoded authorization message; null when it cannot be decoded (truncated, not allowed). */
  decodeAuthorizationMessage(encoded: string): Promise<Record<string, unknown> | null>;
  /** Whose credentials these are (GetCallerIdentity): the account, and the ARN that names the partition. */
  callerIdentity(): Promise<{ accountId: string; arn: string }>;
}

/** One attribute of a LookupEvents request: CloudTrail takes at most one per request. */
export type EventLookupAttribute =
  | { key: 'ResourceName' | 'ResourceType' | 'EventName' | 'EventSource' | 'Username' | 'EventId' | 'AccessKeyId'; value: string }
  | { key: 'ReadOnly'; value: 'true' | 'false' };

export interface EventLookup {
  attribute: EventLookupAttribute;
  /** Window of the event history to search (CloudTrail keeps 90 days of management events). */
  startTime: Date;
  endTime: Date;
  /** Pages of at most 50 events to read before stopping (LookupEvents is limited to 2 requests/s per account and region). */
  maxPages: number;
  /**
   * Search the partition's global region (us-east-1 in `aws`), where CloudTrail keeps the events of global services
   * such as IAM and STS; otherwise the account port's own region (EC2, Auto Scaling).
   */
  global?: boolean;
}

/** Where CloudTrail keeps the events of global services (IAM, STS): the partition's first region. */
export function globalEventsRegion(region: string): string {
  if (region.startsWith('cn-')) return 'cn-north-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}

/** One event of the CloudTrail event history, newest first as LookupEvents returns them. */
export interface HistoryEvent {
  eventId: string;
  eventName: string;
  eventSource: string | null;
  eventTime: string;
  username: string | null;
  resources: Array<{ type: string | null; name: string | null }>;
  /** The full CloudTrail record (LookupEvents' `CloudTrailEvent` JSON string, parsed); null when unreadable. */
  record: Record<string, unknown> | null;
}

export interface EventHistoryPage {
  events: HistoryEvent[];
  /** Pages read; `truncated`: CloudTrail had more (NextToken) than `maxPages` allowed. */
  pages: number;
  truncated: boolean;
}

/** CloudTrail's event history (`cloudtrail:LookupEvents`): what changed before the service was told. */
export interface CloudTrailPort {
  lookupEvents(lookup: EventLookup): Promise<EventHistoryPage>;
}

export interface NotifierPort {
  /**
   * `body` goes to every subscriber (the Chatbot custom-notification JSON); `email`, when given, replaces
   * it for email subscriptions (SNS MessageStructure "json": {"default": body, "email": email}).
   */
  publish(message: { subject: string; body: string; email?: string; attributes?: Record<string, string> }): Promise<{ messageId: string }>;
}

export interface WorkflowPort {
  /** Starts an execution; `alreadyStarted` when one of that name exists (a duplicate is not an error). */
  startExecution(name: string, input: unknown): Promise<{ executionArn: string; alreadyStarted: boolean }>;
  /** The execution of that name: whether it still runs, and its input; null when there is none. */
  describeExecution(name: string): Promise<{ running: boolean; input: unknown } | null>;
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
}

export interface EventsPort {
  putOutcome(detailType: string, detail: unknown): Promise<void>;
}

export interface Clock {
  now(): Date;
  /** Waits (a throttled read's backoff): real time in a Lambda, virtual time in the simulated account; absent: no wait. */
  sleep?(ms: number): Promise<void>;
}

/** Everything the core may touch in one account/region. */
export interface AccountPorts {
  accountId: string;
  region: string;
  iam: IamPort;
  ec2: Ec2Port;
  autoScaling: AutoScalingPort;
  sts: StsPort;
  /** The event history; absent where no CloudTrail client is wired (the diagnosis then says so). */
  cloudTrail?: CloudTrailPort;
  clock: Clock;
}

// The errors every port raises: handlers/core/aws-errors.ts.
export { AwsCallError, isAwsAnswer, NotFoundError, ThrottlingError, TransientAwsError } from './aws-errors.ts';

export type ChangeKind = 'iam' | 'ec2';

/** Per-account hourly change budget (DynamoDB counters in AWS, memory in the simulation). */
export interface ChangeBudgetPort {
  /** Changes of that kind recorded for the account in the hour that contains `at`. */
  used(accountId: string, kind: ChangeKind, at: Date): Promise<number>;
  /** Atomically records `count` changes; returns false (and records nothing) if that would pass `limit`. */
  consume(accountId: string, kind: ChangeKind, count: number, limit: number, at: Date): Promise<boolean>;
  /**
   * Gives back `count` changes charged at `at` (the same hour) that wrote nothing (an action skipped or already done);
   * never below zero.
   */
  release(accountId: string, kind: ChangeKind, count: number, at: Date): Promise<void>;
}

/** One change at a time per role: a lease with an owner and an expiry. */
export interface LockPort {
  acquire(key: string, owner: string, ttlSeconds: number, at: Date): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
}

/** An approval request as the workflow stores it: the task token stays here, never in a message. */
export interface StoredApproval {
  approvalId: string;
  incidentKey: string;
  executionName: string;
  /** The Step Functions task token; removed once the workflow has its answer. */
  taskToken: string | null;
  requestedAt: string;
  expiresAt: string;
  cause: string | null;
  account: string;
  region: string;
  /** The first (and only) answer, once given. */
  answer: RecordedAnswer | null;
}

export interface RecordedAnswer {
  decision: 'approve' | 'reject';
  /** Who, as the platform authenticated it (SQS SenderId, STS caller ARN, the simulated caller). */
  by: string;
  at: string;
  reason?: string;
}

/** Approval requests (DynamoDB state table in AWS, memory locally); each expires with its request (TTL). */
export interface ApprovalStorePort {
  /** Stores a new request; putting the same id again (a retried step) leaves the first one. */
  put(approval: StoredApproval): Promise<void>;
  get(incidentKey: string, approvalId: string): Promise<StoredApproval | null>;
  /** Every request of an incident still stored, oldest first. */
  listIncident(incidentKey: string): Promise<StoredApproval[]>;
  /**
   * Records `answer` only if the request exists, has no answer and has not expired at `answer.at` (one conditional write):
   * `recorded`, or the request as it is (null: not stored).
   */
  claim(incidentKey: string, approvalId: string, answer: RecordedAnswer): Promise<{ recorded: true } | { recorded: false; current: StoredApproval | null }>;
  /** Removes `answer` if it is still the recorded one: its delivery to the workflow failed, so it may be answered again. */
  release(incidentKey: string, approvalId: string, answer: RecordedAnswer): Promise<void>;
  /** Drops the task token once the workflow has the answer. */
  forgetToken(incidentKey: string, approvalId: string): Promise<void>;
}

/**
 * Instance lists too long for the workflow's state (a fleet's scale-out): pages in the state table under
 * pk "instances#<list>", read back one page (one batch of the workflow) at a time.
 */
export interface InstanceListPort {
  /**
   * Stores `ids` as pages of `pageSize` under `list`, each expiring at `expiresAt`. A list already stored under
   * that name stays as it is (a re-delivered batch starts the same execution, which reads the first list).
   */
  put(list: string, ids: string[], pageSize: number, expiresAt: Date): Promise<void>;
  /** Page `index` (0-based) of the list; null when the list or the page is not stored. */
  page(list: string, index: number): Promise<string[] | null>;
}
