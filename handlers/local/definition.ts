/** The real ASL file, with the CDK app's `${…}` substitutions replaced by local names. */
import { readFileSync } from 'node:fs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

export const DEFINITION_PATH = new URL('../../statemachines/remediate.asl.json', import.meta.url);

/** The Lambda step each `${XFunctionArn}` stands for. */
export const STEPS = ['Diagnose', 'Guard', 'RequestApproval', 'Apply', 'Verify', 'Record', 'Notify'] as const;
export type StepName = (typeof STEPS)[number];

export const LOCAL_EVENT_BUS = 'iam-autoheal-local';

/** The partition the local runner stands in for: service integration ARNs read `arn:aws:states:::…`. */
export const LOCAL_PARTITION = 'aws';

export function localFunctionArn(step: StepName, region: string, accountId: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:iam-autoheal-${step.toLowerCase()}`;
}

/** The state machine the local runner stands in for (a fleet's child executions are started on it). */
export function localStateMachineArn(region: string, accountId: string): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:iam-autoheal-remediate`;
}

export function loadLocalDefinition(region: string, accountId: string): StateMachineDefinition {
  let text = readFileSync(DEFINITION_PATH, 'utf8');
  for (const step of STEPS) text = text.replaceAll(`\${${step}FunctionArn}`, localFunctionArn(step, region, accountId));
  text = text.replaceAll('${EventBusName}', LOCAL_EVENT_BUS).replaceAll('${Partition}', LOCAL_PARTITION)
    .replaceAll('${StateMachineArn}', localStateMachineArn(region, accountId));
  return JSON.parse(text) as StateMachineDefinition;
}

export interface TaskStateInfo {
  name: string;
  resource: string;
  /** The step a lambda:invoke task calls; null for service integrations (events:putEvents, states:startExecution.sync:2). */
  step: StepName | null;
  retry: Array<{ ErrorEquals: string[]; IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number; MaxAttempts?: number }>;
}

/** Every Task state of the definition, with the step its FunctionName names. */
export function taskStates(definition: StateMachineDefinition, region: string, accountId: string): TaskStateInfo[] {
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name, state]) => {
      const task = state as { Resource: string; Parameters?: { FunctionName?: string }; Retry?: TaskStateInfo['retry'] };
      const fn = task.Parameters?.FunctionName;
      const invokesLambda = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.test(task.Resource);
      const step = invokesLambda ? (STEPS.find((s) => fn === localFunctionArn(s, region, accountId)) ?? null) : null;
      return { name, resource: task.Resource, step, retry: task.Retry ?? [] };
    });
}
