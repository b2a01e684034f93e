/**
 * How operator runs (`iam-autoheal remediate`) name their executions: the audit trail's actor then says a record
 * came from a run against the real account, which `undo --file` restores with the operator's credentials.
 * Kept apart from the runner so that `undo` and `audit` load none of it.
 */

/** The state machine name in the execution ARNs of operator runs. */
export const OPERATOR_STATE_MACHINE = 'iam-autoheal-operator';

/** Whether an audit record's actor is an execution of `remediate`. */
export function isOperatorActor(actor: string): boolean {
  return actor.includes(`:execution:${OPERATOR_STATE_MACHINE}:`);
}

/** A unique name per run: a second run on the same incident never resumes the first one's audit records. */
export function operatorExecutionName(key: string, at: Date): string {
  return `op-${at.toISOString().replace(/[-:.]/g, '')}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 80);
}
