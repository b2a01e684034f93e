/**
 * Apply step: one planned action per invocation, dispatched over the remediation registry. The state
 * machine loops over the plan, so each change is its own retried, audited step.
 */
import { intentRecord, resultRecord } from '../core/audit.ts';
import { remediationFor } from '../core/remediations/index.ts';
import { appendAudit, auditContext } from './audit-trail.ts';
import type { ApplyInput, ApplyProgress, StepDeps } from './types.ts';

/** Another execution is changing the same role: the state machine retries later. */
export class ChangeLockBusyError extends Error {
  override readonly name = 'ChangeLockBusy' as const;
}
/** The account's hourly change budget is spent: no further automatic change this hour. */
export class ChangeBudgetExhaustedError extends Error {
  override readonly name = 'ChangeBudgetExhausted' as const;
}
export class PlanIndexError extends Error {
  override readonly name = 'PlanIndexError' as const;
}

// Longer than one Apply invocation can take; a crashed holder does not block the role for long.
const LOCK_TTL_SECONDS = 120;

export async function applyStep(deps: StepDeps, input: ApplyInput): Promise<ApplyProgress> {
  const { incident, diagnosis, actions, progress, execution } = input;
  const action = actions[progress.next];
  if (!action) throw new PlanIndexError(`no action at index ${progress.next} (plan has ${actions.length})`);
  const remediation = remediationFor(action.type);
  const ports = await deps.portsFor(incident.accountId, incident.region);
  const ctx = auditContext(incident, execution, diagnosis.cause);
  const lockKey = `${incident.accountId}:${diagnosis.subject.roleName ?? action.target}`;

  if (!(await deps.lock.acquire(lockKey, execution.name, LOCK_TTL_SECONDS, deps.clock.now()))) {
    throw new ChangeLockBusyError(`another remediation is changing ${lockKey}`);
  }
  try {
    if (remediation.writes !== 'none') {
      // Charged before the change (a retried attempt is charged again): a runaway stops early, never late.
      const limits = deps.config.limits;
      const limit = remediation.writes === 'iam' ? limits.iamChangesPerAccountPerHour : limits.ec2ChangesPerAccountPerHour;
      if (!(await deps.budget.consume(incident.accountId, remediation.writes, 1, limit, deps.clock.now()))) {
        throw new ChangeBudgetExhaustedError(`${remediation.writes} change budget of ${limit}/hour exhausted for ${incident.accountId}`);
      }
    }
    await appendAudit(deps, incident.key, (seq) => intentRecord(ctx, seq, action, deps.clock.now()));
    let outcome;
    try {
      outcome = await remediation.apply(ports, action);
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await appendAudit(deps, incident.key, (seq) =>
        resultRecord(ctx, seq, action, deps.clock.now(), { result: 'failed', before: null, after: null, error }),
      );
      deps.logger.warn({ action: action.type, target: action.target, error }, 'action failed');
      throw err;
    }
    await appendAudit(deps, incident.key, (seq) =>
      resultRecord(ctx, seq, action, deps.clock.now(), { result: outcome.result, before: outcome.before, after: outcome.after }),
    );
    deps.logger.info({ action: action.type, target: action.target, result: outcome.result }, 'action applied');
    const next = progress.next + 1;
    return {
      next,
      done: next >= actions.length,
      results: [...progress.results, { type: action.type, target: action.target, result: outcome.result, detail: outcome.detail }],
      writes: { iam: progress.writes.iam + outcome.writes.iam, ec2: progress.writes.ec2 + outcome.writes.ec2 },
    };
  } finally {
    await deps.lock.release(lockKey, execution.name);
  }
}
