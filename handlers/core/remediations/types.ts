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

export interface ApplyOutcome {
  /** `already-done` when nothing had to change (every apply is idempotent). */
  result: 'done' | 'already-done' | 'proposed';
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
  apply(ports: AccountPorts, action: PlannedAction): Promise<ApplyOutcome>;
  /** Restores `before`; idempotent. */
  undo(ports: AccountPorts, action: PlannedAction, before: Before): Promise<string>;
}
