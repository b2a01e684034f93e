/** The configuration document (CONTRACTS.md), validated once; downstream code trusts `Config`. */
// Namespace import: lets esbuild drop zod's locales (446 KB → 95 KB per Lambda bundle).
import * as z from 'zod';
import { DEFAULT_MODES, FIXABLE_CAUSES, type FixableCause, type Mode } from './causes.ts';
import { HISTORY_EVENTS_PER_VERIFY_ROUND, MAX_VERIFY_ROUNDS, STEP_FUNCTIONS_LIMITS, verifyRounds } from './propagation.ts';

const modeSchema = z.enum(['observe', 'approve', 'auto']);

/**
 * Upper bounds of the hourly change budgets. IAM: a few incidents' worth of role changes (each fix is one to
 * three writes); EC2: a scale-out of several thousand instances, one association each.
 */
export const MAX_LIMITS = { iamChangesPerAccountPerHour: 200, ec2ChangesPerAccountPerHour: 10_000 } as const;

const statementSchema = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: z.union([z.string(), z.array(z.string())]).optional(),
    NotAction: z.union([z.string(), z.array(z.string())]).optional(),
    Resource: z.union([z.string(), z.array(z.string())]).optional(),
    NotResource: z.union([z.string(), z.array(z.string())]).optional(),
    Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  })
  .loose();

export const expectedPermissionSchema = z.object({
  /** Role name glob (`*` wildcard), matched against the role name. */
  role: z.string().min(1),
  policyArns: z.array(z.string().startsWith('arn:')).default([]),
  statements: z.array(statementSchema).default([]),
});

export const configSchema = z
  .object({
    modes: z
      .record(z.string(), modeSchema)
      .default({})
      .superRefine((modes, ctx) => {
        for (const key of Object.keys(modes)) {
          if (!(FIXABLE_CAUSES as readonly string[]).includes(key)) {
            ctx.addIssue({ code: 'custom', message: `unknown cause "${key}" (known: ${FIXABLE_CAUSES.join(', ')})`, path: [key] });
          }
        }
      }),
    baselineInstanceProfile: z.string().min(1).nullable().default(null),
    /**
     * Instance profile name globs (`*` wildcard) the service may hand to an instance, put a role into, or make
     * assumable by EC2: with the baseline and the opt-in tag on the role or profile, the only authority for a
     * target. Instance tags, launch template data and group settings only suggest one (docs/SECURITY.md).
     */
    allowedInstanceProfiles: z.array(z.string().min(1)).default([]),
    expectedPermissions: z.array(expectedPermissionSchema).default([]),
    scope: z
      .object({
        tag: z.object({ key: z.string().min(1), value: z.string() }).nullable().default(null),
        accounts: z.array(z.string().regex(/^\d{12}$/, 'account ids are 12 digits')).default([]),
        regions: z.array(z.string().min(1)).default([]),
      })
      .default({ tag: null, accounts: [], regions: [] }),
    limits: z
      .object({
        iamChangesPerAccountPerHour: z.number().int().nonnegative().max(MAX_LIMITS.iamChangesPerAccountPerHour, `at most ${MAX_LIMITS.iamChangesPerAccountPerHour}: a budget is what stops a bug or an attack from becoming thousands of IAM writes`).default(20),
        ec2ChangesPerAccountPerHour: z.number().int().nonnegative().max(MAX_LIMITS.ec2ChangesPerAccountPerHour, `at most ${MAX_LIMITS.ec2ChangesPerAccountPerHour}: a budget is what stops a bug or an attack from becoming thousands of EC2 writes`).default(1000),
      })
      .default({ iamChangesPerAccountPerHour: 20, ec2ChangesPerAccountPerHour: 1000 }),
    /**
     * Propagation: Verify waits firstWaitSeconds, then ×1.5 each time up to maxWaitSeconds, and gives up after
     * budgetSeconds in all; a change at most windowSeconds old counts as "changed moments ago" in diagnosis.
     */
    propagation: z
      .object({
        firstWaitSeconds: z.number().positive().default(2),
        maxWaitSeconds: z.number().positive().default(10),
        budgetSeconds: z.number().positive().default(300),
        windowSeconds: z.number().positive().default(30),
      })
      .default({ firstWaitSeconds: 2, maxWaitSeconds: 10, budgetSeconds: 300, windowSeconds: 30 }),
    /**
     * Drift incidents (CONTRACTS.md kind `drift`): a change record that leaves an in-use instance role broken is
     * repaired before any instance fails. `ignorePrincipals`: who is trusted to make such changes (role or user
     * names, role ARNs, `role/session`, `*` wildcard); `flappingWindowSeconds`: a resource repaired and broken again
     * by the same principal within it is escalated, not repaired again.
     */
    drift: z
      .object({
        enabled: z.boolean().default(true),
        ignorePrincipals: z.array(z.string().min(1, 'an empty principal would trust nobody by mistake')).default([]),
        flappingWindowSeconds: z.number().int().positive().max(86_400 * 7, 'at most a week').default(3600),
      })
      .strict()
      .default({ enabled: true, ignorePrincipals: [], flappingWindowSeconds: 3600 }),
    /** Seconds an approval request stays open before it expires. */
    approvalTimeoutSeconds: z.number().int().positive().default(86_400),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Bounds of the workflow (Step Functions quotas), checked here so that synth and every cold start refuse alike.
    const { firstWaitSeconds, maxWaitSeconds, budgetSeconds } = config.propagation;
    if (verifyRounds(config.propagation) > MAX_VERIFY_ROUNDS) {
      ctx.addIssue({
        code: 'custom', path: ['propagation', 'budgetSeconds'],
        message: `with firstWaitSeconds ${firstWaitSeconds}, maxWaitSeconds ${maxWaitSeconds} and budgetSeconds ${budgetSeconds} the Verify loop would run more than ${MAX_VERIFY_ROUNDS} rounds (${HISTORY_EVENTS_PER_VERIFY_ROUND} history events each; an execution holds at most ${STEP_FUNCTIONS_LIMITS.historyEvents.toLocaleString('en-US')}): lower budgetSeconds or raise maxWaitSeconds`,
      });
    }
    const longest = maxApprovalTimeoutSeconds(budgetSeconds);
    if (config.approvalTimeoutSeconds > longest) {
      ctx.addIssue({
        code: 'custom', path: ['approvalTimeoutSeconds'],
        message: `at most ${longest} with propagation.budgetSeconds ${budgetSeconds}: one execution must outlast ${APPROVAL_WINDOWS_PER_EXECUTION} approval windows within the Step Functions limit of a year`,
      });
    }
  });

/** Approval windows one execution outlasts: each batch after the first goes through Guard again and may wait for its own. */
export const APPROVAL_WINDOWS_PER_EXECUTION = 8;

/** Beside the waits: the steps, their retries and backoff, with room to spare. */
export const EXECUTION_MARGIN_SECONDS = 3600;

/**
 * The workflow's top-level TimeoutSeconds: long enough that no approval window (nor the Verify budget after it) is
 * cut short, for up to APPROVAL_WINDOWS_PER_EXECUTION batches; the configuration's bounds keep it within a year.
 */
export function executionTimeoutSeconds(config: Pick<Config, 'approvalTimeoutSeconds' | 'propagation'>): number {
  return APPROVAL_WINDOWS_PER_EXECUTION * (config.approvalTimeoutSeconds + Math.ceil(config.propagation.budgetSeconds)) + EXECUTION_MARGIN_SECONDS;
}

function maxApprovalTimeoutSeconds(budgetSeconds: number): number {
  return Math.floor((STEP_FUNCTIONS_LIMITS.executionSeconds - EXECUTION_MARGIN_SECONDS) / APPROVAL_WINDOWS_PER_EXECUTION) - Math.ceil(budgetSeconds);
}

export type ConfigInput = z.input<typeof configSchema>;
export type ExpectedPermission = z.output<typeof expectedPermissionSchema>;
export type PolicyStatement = z.output<typeof statementSchema>;

export interface Config extends Omit<z.output<typeof configSchema>, 'modes'> {
  modes: Record<FixableCause, Mode>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError' as const;
}

/** Validates a configuration document and fills in the defaults; throws ConfigError naming the field. */
export function parseConfig(input: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : '(document)';
    throw new ConfigError(`${source}: ${field}: ${issue.message}`);
  }
  return { ...result.data, modes: { ...DEFAULT_MODES, ...(result.data.modes as Partial<Record<FixableCause, Mode>>) } };
}
