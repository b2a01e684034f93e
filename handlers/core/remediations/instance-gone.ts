/**
 * Instances terminate during a fix all the time (scale-in, Spot interruptions). EC2 then refuses the association
 * call: `IncorrectInstanceState` ("not in the 'running' or 'stopped' states") while the instance is shutting down or
 * terminated, `InvalidInstanceID.NotFound` once EC2 has forgotten it (about an hour after termination). Neither says
 * which: the instance is read again, and only a gone one makes the action `skipped` — a terminated instance needs no
 * profile. A pending or stopping instance is not gone; its error goes on to the state machine's retry.
 */
import { AwsCallError, NotFoundError, TransientAwsError, type Ec2Port } from '../ports.ts';
import { INSTANCE_ACTIONS, type ActionType } from '../incident.ts';
import type { ApplyOutcome } from './types.ts';

/** The EC2 answers an instance that no longer exists can cause on associate/replace (by port error and code). */
const GONE_CODES = new Set(['IncorrectInstanceState', 'IncorrectState']);

function mayMeanGone(err: unknown): boolean {
  if (err instanceof NotFoundError) return true;
  return (err instanceof TransientAwsError || err instanceof AwsCallError) && GONE_CODES.has(err.code);
}

/** How the instance is gone (its state, or unknown to EC2); null while it exists and is not shutting down or terminated. */
export async function goneState(ec2: Ec2Port, instanceId: string): Promise<string | null> {
  const instance = await ec2.describeInstance(instanceId);
  if (!instance) return 'unknown to EC2';
  return instance.state === 'terminated' || instance.state === 'shutting-down' ? instance.state : null;
}

/** The `skipped` outcome of an action on an instance that is gone: no write, nothing to undo. */
export function goneOutcome(instanceId: string, state: string): ApplyOutcome {
  return {
    result: 'skipped',
    before: null,
    after: { instanceId, state },
    detail: `instance ${instanceId} no longer exists (${state})`,
    writes: { iam: 0, ec2: 0 },
  };
}

/**
 * After a failed association call: `skipped` when the failure is the instance being gone, else the original error
 * (a failed read of the instance does not hide it).
 */
export async function skippedIfGone(ec2: Ec2Port, instanceId: string, err: unknown): Promise<ApplyOutcome> {
  if (!mayMeanGone(err)) throw err;
  const state = await goneState(ec2, instanceId).catch(() => null);
  if (state === null) throw err;
  return goneOutcome(instanceId, state);
}

/** True for the result an action on a gone instance ends with (CONTRACTS.md "Action results"). */
export function isGoneResult(result: { type: string; result: string }): boolean {
  return result.result === 'skipped' && INSTANCE_ACTIONS.has(result.type as ActionType);
}

/** "; 3 instances were terminated before their change (skipped, nothing written)" — empty when none was. */
export function goneNote(results: ReadonlyArray<{ type: string; result: string }>): string {
  const gone = results.filter(isGoneResult).length;
  if (gone === 0) return '';
  return `; ${gone} instance${gone === 1 ? ' was' : 's were'} terminated before ${gone === 1 ? 'its' : 'their'} change (skipped, nothing written)`;
}
