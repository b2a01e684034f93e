/** The workflow's Lambda steps: entry `handlers/<name>.ts`, sizing, and how the ASL refers to them. */
import { Duration } from 'aws-cdk-lib';
import type { MemberAccess } from '../handlers/core/member-role.ts';

export interface StepSettings {
  /** Construct id. */
  id: string;
  timeout: Duration;
  memorySize: number;
  /** The ASL's `${Name}` for the function ARN, for steps the workflow invokes. */
  substitution?: string;
  /**
   * Calls IAM/EC2/Auto Scaling of the watched account: `read` (diagnose, verify, sweep) or `write` (apply), and so
   * which member role it assumes in a hub; null for steps that never touch an account.
   */
  memberAccess: MemberAccess | null;
}

export const STEP_NAMES = ['intake', 'diagnose', 'guard', 'apply', 'verify', 'record', 'notify', 'request-approval', 'answer', 'sweep'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const STEPS: Record<StepName, StepSettings> = {
  intake: { id: 'Intake', timeout: Duration.seconds(30), memorySize: 256, memberAccess: null },
  diagnose: { id: 'Diagnose', timeout: Duration.seconds(60), memorySize: 512, substitution: 'DiagnoseFunctionArn', memberAccess: 'read' },
  guard: { id: 'Guard', timeout: Duration.seconds(30), memorySize: 256, substitution: 'GuardFunctionArn', memberAccess: null },
  apply: { id: 'Apply', timeout: Duration.seconds(60), memorySize: 256, substitution: 'ApplyFunctionArn', memberAccess: 'write' },
  verify: { id: 'Verify', timeout: Duration.seconds(60), memorySize: 512, substitution: 'VerifyFunctionArn', memberAccess: 'read' },
  record: { id: 'Record', timeout: Duration.seconds(30), memorySize: 256, substitution: 'RecordFunctionArn', memberAccess: null },
  notify: { id: 'Notify', timeout: Duration.seconds(30), memorySize: 256, substitution: 'NotifyFunctionArn', memberAccess: null },
  'request-approval': { id: 'RequestApproval', timeout: Duration.seconds(30), memorySize: 256, substitution: 'RequestApprovalFunctionArn', memberAccess: null },
  // The answer function (Slack buttons through the answer queue): approve, reject, details; undo writes like apply.
  answer: { id: 'Answer', timeout: Duration.minutes(2), memorySize: 256, memberAccess: 'write' },
  sweep: { id: 'Sweep', timeout: Duration.minutes(5), memorySize: 512, memberAccess: 'read' },
};

/** Steps that act on accounts (through a member role in a hub). */
export const MEMBER_ROLE_USERS = STEP_NAMES.filter((step) => STEPS[step].memberAccess !== null);

/** Steps whose roles a member's role of `access` trusts: the read role the readers, the write role apply alone. */
export function memberRoleUsers(access: MemberAccess): StepName[] {
  return STEP_NAMES.filter((step) => STEPS[step].memberAccess === access);
}

