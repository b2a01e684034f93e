/** The contract every remediation declares (one file each; see index.ts for the registry). */
import type { AccountPorts } from '../ports.ts';
import type { Cause } from '../causes.ts';
import type { ActionType, PlannedAction } from '../incident.ts';

/** A permission the remediation needs; the CDK app generates Lambda policies from these. */
export interface RequiredPermission {
  actions: string[];
  /** ARN patterns with ${Partition} / ${Account} / ${Region} placeholders. */
  resources: string[];
  /** True where IAM supports conditioning the write on the opt-in tag (ec2 instances, roles). */
  taggable?: boolean;
}

/** Exactly what was there before a change, so that undo can restore it. */
export interface Before {
  kind: string;
  [k: string]: unknown;
}

/**
 * The state a change starts from. `recorded` is what the intent record holds: on a first attempt the same as
 * `current`; on a retry after a crash, the state read before the first attempt (the write may have happened since).
 */
export interface ChangeState {
  recorded: Before;
  current: Before;
}

export interface UndoOptions {
  /** What the change left (the result record's `after`); unknown when only the intent was recorded. */
  after?: unknown;
  /** Restore `before` even when the resource was changed since (by a person or another incident). */
  force?: boolean;
}

export interface ApplyOutcome {
  /**
   * `already-done` when nothing had to change (every apply is idempotent); `skipped` when the target no longer exists
   * (an instance terminated before its change: instance-gone.ts), nothing written.
   */
  result: 'done' | 'already-done' | 'proposed' | 'skipped';
  before: Before | null;
  after: unknown;
  detail: string;
  writes: { iam: number; ec2: number };
}

export interface Remediation {
  type: ActionType;
  /** The causes whose plans use it. */
  causes: Cause[];
  /** One line: what it does. */
  description: string;
  permissions: RequiredPermission[];
  /** Resource states it applies to, e.g. instance running|stopped. */
  appliesTo: string[];
  /** IAM or EC2 write (for budgets); none for proposals and waits. */
  writes: 'iam' | 'ec2' | 'none';
  /**
   * Set on a change the service never makes (it may not be granted what the change needs): the guard always leaves it
   * for a person, with this reason and instruction (an empty string: this action is the service's to make).
   */
  leftForPerson?(action: PlannedAction): string;
  /** Reads the exact state the change replaces, before any write: it goes into the intent record. Null: writes nothing. */
  readBefore(ports: AccountPorts, action: PlannedAction): Promise<Before | null>;
  /** True when `state` (as `readBefore` reads it) already is what the action makes. */
  reached(action: PlannedAction, state: Before): boolean;
  /**
   * Makes the change from `state` (read by `readBefore`; read here when not given). A target reached since the
   * recorded state (an attempt that crashed after its write) is `done` with the recorded `before`, not written again.
   */
  apply(ports: AccountPorts, action: PlannedAction, state?: ChangeState): Promise<ApplyOutcome>;
  /**
   * Restores `before` while the resource is still what the change left (`options.after`, or the action's target when
   * unknown) or already `before`; otherwise throws UndoConflictError saying what differs (unless `force`). Idempotent.
   */
  undo(ports: AccountPorts, action: PlannedAction, before: Before, options?: UndoOptions): Promise<string>;
}

/** The part of a remediation that writes nothing (proposals, waits): no state to read before, never reached. */
export const writesNothing: Pick<Remediation, 'permissions' | 'writes' | 'readBefore' | 'reached'> = {
  permissions: [],
  writes: 'none',
  async readBefore() {
    return null;
  },
  reached() {
    return false;
  },
};
