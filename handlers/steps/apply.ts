/**
 * Apply step: one planned action per invocation, dispatched over the remediation registry. The state
 * machine loops over the plan, so each change is its own retried, audited step.
 *
 * Crash-safe: the state the change replaces is read before the write and recorded in the intent. A retry
 * after a crash resumes from this execution's last record of the same action: after a result record it
 * returns that result (no second write); after an intent (or a failed result) it changes from the recorded
 * state, so a write the crashed attempt made is recorded as `done` with the original `before`, not redone.
 */
import type { AuditRecord } from '../core/audit-record.ts';
import { intentRecord, resultRecord } from '../core/audit.ts';
import type { PlannedAction } from '../core/incident.ts';
import { sameJson } from '../core/policy/statements.ts';
import { remediationFor, type ApplyOutcome, type Before } from '../core/remediations/index.ts';
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

/** This execution's last record, when it is about the same action (same type, target and parameters). */
function sameActionRecord(record: AuditRecord | null, action: PlannedAction): AuditRecord | null {
  if (!record || (record.phase !== 'intent' && record.phase !== 'result')) return null;
  const { reason: _reason, detail: _detail, ...params } = record.params ?? {};
  return record.action === action.type && record.target === action.target && sameJson(params, action.params) ? record : null;
}

function advance(progress: ApplyProgress, action: PlannedAction, outcome: { result: AuditRecord['result']; detail: string; writes: ApplyOutcome['writes'] }, total: number): ApplyProgress {
  const next = progress.next + 1;
  return {
    next,
    done: next >= total,
    results: [...progress.results, { type: action.type, target: action.target, result: outcome.result as ApplyProgress['results'][number]['result'], detail: outcome.detail }],
    writes: { iam: progress.writes.iam + outcome.writes.iam, ec2: progress.writes.ec2 + outcome.writes.ec2 },
  };
}

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
    const previous = sameActionRecord(await deps.audit.lastOfExecution(incident.key, execution.name), action);
    if (previous?.phase === 'result' && previous.result !== 'failed') {
      // The attempt that wrote this result crashed before returning it: its change is done and recorded.
      const writes = previous.result === 'done' && remediation.writes !== 'none' ? { iam: 0, ec2: 0, [remediation.writes]: 1 } as ApplyOutcome['writes'] : { iam: 0, ec2: 0 };
      deps.logger.info({ action: action.type, target: action.target, step: previous.step }, 'action already recorded by an earlier attempt');
      return advance(progress, action, { result: previous.result, detail: String(previous.params?.['detail'] ?? ''), writes }, actions.length);
    }
    const chargedAt = deps.clock.now();
    if (remediation.writes !== 'none') {
      // Charged before the change (a retried attempt is charged again): a runaway stops early, never late.
      const limits = deps.config.limits;
      const limit = remediation.writes === 'iam' ? limits.iamChangesPerAccountPerHour : limits.ec2ChangesPerAccountPerHour;
      if (!(await deps.budget.consume(incident.accountId, remediation.writes, 1, limit, chargedAt))) {
        // A person approved this plan past the budget: the change is still charged, so later plans see the budget spent.
        if (!input.approval?.overBudget) {
          throw new ChangeBudgetExhaustedError(`${remediation.writes} change budget of ${limit}/hour exhausted for ${incident.accountId}`);
        }
        await deps.budget.consume(incident.accountId, remediation.writes, 1, Number.MAX_SAFE_INTEGER, chargedAt);
        deps.logger.warn({ action: action.type, target: action.target, approvedBy: input.approval.by }, `past the ${limit}/hour ${remediation.writes} change budget, as approved`);
      }
    }
    const current = await remediation.readBefore(ports, action);
    // An intent (or a failed result) of this action: an earlier attempt may have written; its recorded state is the original.
    const recorded = previous ? ((previous.before ?? current) as Before | null) : current;
    if (previous?.phase !== 'intent') {
      await appendAudit(deps, incident.key, (seq) => intentRecord(ctx, seq, action, deps.clock.now(), recorded));
    }
    let outcome: ApplyOutcome;
    try {
      outcome = await remediation.apply(ports, action, recorded && current ? { recorded, current } : undefined);
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      // The recorded state goes with the failure: a write that happened although its call failed can still be undone.
      await appendAudit(deps, incident.key, (seq) =>
        resultRecord(ctx, seq, action, deps.clock.now(), { result: 'failed', before: recorded, after: null, error }),
      );
      deps.logger.warn({ action: action.type, target: action.target, error }, 'action failed');
      throw err;
    }
    await appendAudit(deps, incident.key, (seq) =>
      resultRecord(ctx, seq, action, deps.clock.now(), { result: outcome.result, before: outcome.before, after: outcome.after, detail: outcome.detail }),
    );
    // Nothing written (an instance gone, a state already reached): the charge is given back, so a scale-in does not spend the hour's budget.
    if (remediation.writes !== 'none' && outcome.writes[remediation.writes] === 0) {
      // A refund that fails only leaves the budget stricter: never a reason to fail a step whose change is recorded.
      await deps.budget.release(incident.accountId, remediation.writes, 1, chargedAt).catch((err: unknown) =>
        deps.logger.warn({ action: action.type, target: action.target, error: err instanceof Error ? err.message : String(err) }, 'change budget not given back'));
    }
    deps.logger.info({ action: action.type, target: action.target, result: outcome.result }, 'action applied');
    return advance(progress, action, outcome, actions.length);
  } finally {
    await deps.lock.release(lockKey, execution.name);
  }
}
