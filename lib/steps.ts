/** The workflow's Lambda steps: entry `handlers/<name>.ts`, sizing, and how the ASL refers to them. */
import { Duration } from 'aws-cdk-lib';

export interface StepSettings {
  /** Construct id. */
  id: string;
  timeout: Duration;
  memorySize: number;
  /** The ASL's `${Name}` for the function ARN, for steps the workflow invokes. */
  substitution?: string;
  /** Calls IAM/EC2/Auto Scaling of the watched account (through the member role in a hub). */
  actsInMembers: boolean;
}

export const STEP_NAMES = ['intake', 'diagnose', 'guard', 'apply', 'verify', 'record', 'notify', 'request-approval', 'sweep'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const STEPS: Record<StepName, StepSettings> = {
  intake: { id: 'Intake', timeout: Duration.seconds(30), memorySize: 256, actsInMembers: false },
  diagnose: { id: 'Diagnose', timeout: Duration.seconds(60), memorySize: 512, substitution: 'DiagnoseFunctionArn', actsInMembers: true },
  guard: { id: 'Guard', timeout: Duration.seconds(30), memorySize: 256, substitution: 'GuardFunctionArn', actsInMembers: false },
  apply: { id: 'Apply', timeout: Duration.seconds(60), memorySize: 256, substitution: 'ApplyFunctionArn', actsInMembers: true },
  verify: { id: 'Verify', timeout: Duration.seconds(60), memorySize: 512, substitution: 'VerifyFunctionArn', actsInMembers: true },
  record: { id: 'Record', timeout: Duration.seconds(30), memorySize: 256, substitution: 'RecordFunctionArn', actsInMembers: false },
  notify: { id: 'Notify', timeout: Duration.seconds(30), memorySize: 256, substitution: 'NotifyFunctionArn', actsInMembers: false },
  'request-approval': { id: 'RequestApproval', timeout: Duration.seconds(30), memorySize: 256, substitution: 'RequestApprovalFunctionArn', actsInMembers: false },
  sweep: { id: 'Sweep', timeout: Duration.minutes(5), memorySize: 512, actsInMembers: true },
};

/** Steps whose roles a member account's remediation role trusts. */
export const MEMBER_ROLE_USERS = STEP_NAMES.filter((step) => STEPS[step].actsInMembers);

