/** The Step Functions workflow port of intake and sweep (they start executions). */
import { StepFunctionsWorkflow } from '../adapters/aws/sfn.ts';
import { required } from './variables.ts';

export function workflowPort(): StepFunctionsWorkflow {
  return new StepFunctionsWorkflow({ stateMachineArn: required('STATE_MACHINE_ARN') });
}
