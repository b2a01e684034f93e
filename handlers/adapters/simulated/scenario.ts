/**
 * The scenario format of CONTRACTS.md ("Scenario files"): an account, its physics, a configuration,
 * approvals and events. Validated once here; the simulated account trusts the typed result.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseConfig, type Config } from '../../core/config.ts';
import type { PolicyDocument } from '../../core/ports.ts';
import { checkAccount } from './scenario-checks.ts';

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError' as const;
}

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date-time (ISO-8601 expected)');
const arn = z.string().startsWith('arn:', 'an ARN starting with "arn:" expected');

/** A policy document: Statement required, other keys kept as written. */
export const policyDocumentSchema = z
  .object({
    Version: z.string().optional(),
    Id: z.string().optional(),
    Statement: z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]),
  })
  .loose() as unknown as z.ZodType<PolicyDocument, PolicyDocument>;

/** An inline policy: its document, or `{ document, updatedAt }` when the scenario says when it changed. */
const inlinePolicySchema = z.union([policyDocumentSchema, z.object({ document: policyDocumentSchema, updatedAt: isoTime }).strict()], {
  error: 'a policy document (with a Statement), or { document, updatedAt } expected',
});
/** An attached managed policy: its ARN, or `{ arn, updatedAt }`. */
const attachedPolicySchema = z.union([arn, z.object({ arn, updatedAt: isoTime.optional() }).strict()], { error: 'a policy ARN, or { arn, updatedAt } expected' });

const roleSchema = z
  .object({
    name: z.string().min(1),
    path: z.string().default('/'),
    roleId: z.string().optional(),
    createDate: isoTime.optional(),
    trustPolicy: policyDocumentSchema,
    inlinePolicies: z.record(z.string(), inlinePolicySchema).default({}),
    managedPolicies: z.array(attachedPolicySchema).default([]),
    permissionsBoundary: arn.nullable().default(null),
    tags: z.record(z.string(), z.string()).default({}),
    /** Last change of the role; evaluation is affected only through previousTrustPolicy (or the updatedAt of a policy entry). */
    updatedAt: isoTime.optional(),
    /** The trust policy before updatedAt: until the change propagates, EC2 still sees this one. */
    previousTrustPolicy: policyDocumentSchema.optional(),
  })
  .strict()
  .refine((role) => !role.previousTrustPolicy || role.updatedAt, { message: 'previousTrustPolicy needs updatedAt (when the trust changed)', path: ['previousTrustPolicy'] });

const instanceProfileSchema = z
  .object({
    name: z.string().min(1),
    path: z.string().default('/'),
    roles: z.array(z.string()).max(1, 'an instance profile holds at most one role').default([]),
    tags: z.record(z.string(), z.string()).default({}),
    updatedAt: isoTime.optional(),
  })
  .strict();

/** A profile as a launch template or instance names it: name, ARN, `{name}`, `{arn}` or null. */
const profileRefSchema = z.union([z.string().min(1), z.object({ name: z.string().min(1) }).strict(), z.object({ arn }).strict()]).nullable();

const launchTemplateSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    defaultVersion: z.number().int().positive(),
    versions: z
      .array(
        z
          .object({
            number: z.number().int().positive(),
            iamInstanceProfile: profileRefSchema.default(null),
            description: z.string().optional(),
            updatedAt: isoTime.optional(),
          })
          .strict(),
      )
      .min(1, 'a launch template has at least one version'),
    tags: z.record(z.string(), z.string()).default({}),
    updatedAt: isoTime.optional(),
  })
  .strict();

const templateRefSchema = z
  .object({ id: z.string().min(1), version: z.union([z.string(), z.number().int().positive()]).transform(String).default('$Default') })
  .strict();

const autoScalingGroupSchema = z
  .object({
    name: z.string().min(1),
    launchTemplate: templateRefSchema.nullable().default(null),
    tags: z.record(z.string(), z.string()).default({}),
    updatedAt: isoTime.optional(),
  })
  .strict();

const instanceSchema = z
  .object({
    id: z.string().regex(/^i-[0-9a-fA-F]+$/, 'an instance id like i-0abc… expected'),
    state: z.enum(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']).default('running'),
    instanceProfile: profileRefSchema.default(null),
    launchTemplate: templateRefSchema.nullable().default(null),
    autoScalingGroup: z.string().nullable().default(null),
    tags: z.record(z.string(), z.string()).default({}),
    launchTime: isoTime.optional(),
    /**
     * The instance is terminated at this time (a scale-in, a Spot interruption): shutting-down, then terminated 30 s
     * later, its association ended; EC2 forgets it an hour after that (InvalidInstanceID.NotFound).
     */
    terminatesAt: isoTime.optional(),
    associatedAt: isoTime.optional(),
    /** The association's id (a snapshot keeps it, so that an undo after `simulate` meets the ids the audit recorded). */
    associationId: z.string().regex(/^iip-assoc-[0-9a-f]+$/, 'an association id like iip-assoc-0… expected').optional(),
    /** Role whose credentials the instance holds at the start (default: its profile's role then). */
    credentialsRole: z.string().nullable().optional(),
    updatedAt: isoTime.optional(),
  })
  .strict();

export const accountSchema = z
  .object({
    accountId: z.string().regex(/^\d{12}$/, 'account ids are 12 digits'),
    region: z.string().min(1),
    roles: z.array(roleSchema).default([]),
    policies: z.array(z.object({ arn, document: policyDocumentSchema, updatedAt: isoTime.optional() }).strict()).default([]),
    instanceProfiles: z.array(instanceProfileSchema).default([]),
    launchTemplates: z.array(launchTemplateSchema).default([]),
    autoScalingGroups: z.array(autoScalingGroupSchema).default([]),
    instances: z.array(instanceSchema).default([]),
    /**
     * CloudTrail records in the account's event history that were never delivered to the service (changes made
     * before it ran, or while it was down): what `cloudtrail:LookupEvents` answers besides `events` and the writes made.
     */
    eventHistory: z.array(z.record(z.string(), z.unknown())).default([]),
    /** Policies of the account's organization; FullAWSAccess is implied, as in AWS Organizations. */
    serviceControlPolicies: z.array(policyDocumentSchema).optional(),
    /** Resource-based policies by resource ARN (an S3 bucket ARN also covers its objects). */
    resourcePolicies: z.record(z.string(), policyDocumentSchema).optional(),
    /** What sts:DecodeAuthorizationMessage answers for an encoded EC2 message. */
    encodedAuthorizationMessages: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  })
  .strict()
  .superRefine(checkAccount);

/** SDK operation names the simulated account answers (what `physics.faults[].api` may name). */
export const SIMULATED_APIS = [
  'GetRole', 'ListRolePolicies', 'ListAttachedRolePolicies', 'GetPolicyVersion', 'GetInstanceProfile', 'ListInstanceProfilesForRole',
  'SimulatePrincipalPolicy', 'UpdateAssumeRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy',
  'AddRoleToInstanceProfile', 'RemoveRoleFromInstanceProfile',
  'DescribeInstances', 'DescribeIamInstanceProfileAssociations', 'AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation',
  'DisassociateIamInstanceProfile', 'DescribeLaunchTemplateVersions', 'DescribeLaunchTemplates', 'CreateLaunchTemplateVersion', 'ModifyLaunchTemplate',
  'DeleteLaunchTemplateVersions',
  'DescribeAutoScalingGroups', 'UpdateAutoScalingGroup', 'DecodeAuthorizationMessage', 'LookupEvents',
] as const;
export type SimulatedApi = (typeof SIMULATED_APIS)[number];

export const API_FAMILIES = ['iam-read', 'iam-write', 'ec2-read', 'ec2-write', 'sts', 'cloudtrail'] as const;
export type ApiFamily = (typeof API_FAMILIES)[number];

export const physicsSchema = z
  .object({
    propagationSeconds: z.number().nonnegative().default(5),
    iamWritesPerSecond: z.number().positive().default(5),
    startTime: isoTime.optional(),
    faults: z
      .array(
        z
          .object({
            api: z.string().refine((api) => (SIMULATED_APIS as readonly string[]).includes(api), {
              error: (issue) => `unknown API "${String(issue.input)}" (an SDK operation name such as AssociateIamInstanceProfile, GetRole, SimulatePrincipalPolicy)`,
            }),
            error: z.string().min(1),
            times: z.number().int().positive().default(1),
            message: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    /** Calls per second per API family (iam-write defaults to iamWritesPerSecond). */
    apiRates: z.partialRecord(z.enum(API_FAMILIES), z.number().positive()).optional(),
    /** Virtual seconds from an API call to its event in the CloudTrail event history (LookupEvents). */
    eventHistorySeconds: z.number().nonnegative().default(300),
    /** Virtual seconds from associate/replace to the "associated" state. */
    associationSeconds: z.number().nonnegative().default(2),
    /** Instances fetch fresh credentials of their profile's role this often. */
    credentialRefreshSeconds: z.number().positive().default(3600),
  })
  .strict();

/** A person's change to the simulated account: a port call recorded by CloudTrail as theirs. */
const personChangeSchema = z.object({
  by: z.string().min(1).default('console-user'),
  call: z.string().regex(/^(iam|ec2|autoScaling)\.[A-Za-z]+$/, 'a port call such as iam.attachRolePolicy'),
  args: z.array(z.unknown()).default([]),
}).strict();
export type PersonChange = z.output<typeof personChangeSchema>;

/**
 * One scripted answer, given through the same answer path as the Slack buttons and the CLI: `by` is the identity the
 * platform would have authenticated (an STS caller ARN, an SQS SenderId), `afterSeconds` counts from the approval
 * request (approve, reject) or from the end of the incident's execution (undo, details).
 */
export const scenarioAnswerSchema = z
  .object({
    action: z.enum(['approve', 'reject', 'undo', 'details']),
    by: z.string().min(1).max(512).default('arn:aws:sts::111122223333:assumed-role/oncall/scenario-approver'),
    afterSeconds: z.number().nonnegative().default(0),
    reason: z.string().max(500).optional(),
    /** Answer this approval id instead of the one requested (an unknown or stale id). */
    approvalId: z.string().optional(),
    /**
     * Changes a person makes while the request waits, just before this answer: a port call of the account, e.g.
     * `{ "by": "jo", "call": "iam.attachRolePolicy", "args": ["web", "arn:aws:iam::aws:policy/AdministratorAccess"] }`.
     */
    meanwhile: z.array(personChangeSchema).optional(),
  })
  .strict();
export type ScenarioAnswer = z.output<typeof scenarioAnswerSchema>;

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    account: accountSchema,
    physics: physicsSchema.default(physicsSchema.parse({})),
    config: z.unknown().optional(),
    /** "approve" / "reject": one answer at once by the scenario approver; "none": nobody answers; or the answers in order. */
    approvals: z.union([z.enum(['approve', 'reject', 'none']), z.array(scenarioAnswerSchema)]).default('none'),
    /** CloudTrail records, EventBridge events or log files; the event model validates them. */
    events: z.array(z.unknown()).default([]),
    /**
     * When each event reaches the queue, in seconds after the simulated start (one number per event; default: all at
     * 0). Events of one offset share an intake window; windows run in order, each after the incidents of the one before.
     */
    delivery: z.array(z.number().min(0).max(7 * 86_400, 'at most a week')).optional(),
    /** A person's changes to the account `afterSeconds` after the simulated start, made before the delivery window of that offset is taken. */
    changes: z.array(personChangeSchema.extend({ afterSeconds: z.number().min(0).max(7 * 86_400, 'at most a week') }).strict()).default([]),
    /** Free-form expectations for tests. */
    expected: z.unknown().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.delivery && s.delivery.length !== s.events.length) {
      ctx.addIssue({ code: 'custom', path: ['delivery'], message: `one offset per event expected (${s.events.length} event(s), ${s.delivery.length} offset(s))` });
    }
  });

export type ScenarioAccount = z.output<typeof accountSchema>;
export type ScenarioAccountInput = z.input<typeof accountSchema>;
export type ScenarioRole = ScenarioAccount['roles'][number];
export type ScenarioInstance = ScenarioAccount['instances'][number];
export type ScenarioLaunchTemplate = ScenarioAccount['launchTemplates'][number];
export type ScenarioProfileRef = z.output<typeof profileRefSchema>;
export type Physics = z.output<typeof physicsSchema>;
export type Fault = Physics['faults'][number];
export type Scenario = Omit<z.output<typeof scenarioSchema>, 'config'> & { config: Config };

/** Validates a scenario document; throws ScenarioError "<source>: <field path>: <problem>". */
export function parseScenario(json: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ScenarioError(`${source}: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  let config: Config;
  try {
    config = parseConfig(result.data.config ?? {}, `${source}: config`);
  } catch (err) {
    throw new ScenarioError((err as Error).message);
  }
  return { ...result.data, config };
}

/** Reads and validates a scenario file; every failure is a ScenarioError naming the file. */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScenarioError(`${path}: cannot read the file${code ? ` (${code})` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${path}: invalid JSON: ${(err as Error).message}`);
  }
  return parseScenario(json, path);
}

/** physics.startTime, else the time of the first event that has one, else a fixed date. */
export function scenarioStartTime(scenario: Pick<Scenario, 'physics' | 'events'>): Date {
  if (scenario.physics.startTime) return new Date(scenario.physics.startTime);
  for (const event of scenario.events) {
    const time = eventTimeOf(event);
    if (time) return time;
  }
  return new Date('2026-01-01T00:00:00Z');
}

/** The time of a CloudTrail record, an EventBridge event or the first record of a log file. */
export function eventTimeOf(event: unknown): Date | null {
  if (typeof event !== 'object' || event === null) return null;
  const e = event as { eventTime?: unknown; time?: unknown; detail?: { eventTime?: unknown }; Records?: unknown[] };
  const candidates = [e.eventTime, e.detail?.eventTime, e.time, Array.isArray(e.Records) ? (e.Records[0] as { eventTime?: unknown } | undefined)?.eventTime : undefined];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const ms = Date.parse(candidate);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  return null;
}

/** Name or ARN of a profile reference, normalized to what EC2 APIs take. */
export function profileSpecifierOf(ref: ScenarioProfileRef): { name: string } | { arn: string } | null {
  if (ref === null) return null;
  if (typeof ref === 'string') return ref.startsWith('arn:') ? { arn: ref } : { name: ref };
  return ref;
}

/** The document of an inline policy entry, whichever form the scenario used. */
export function inlineDocumentOf(entry: ScenarioRole['inlinePolicies'][string]): { document: PolicyDocument; updatedAt?: string } {
  return 'document' in entry && !('Statement' in entry) ? (entry as { document: PolicyDocument; updatedAt?: string }) : { document: entry as PolicyDocument };
}

function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(document)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
