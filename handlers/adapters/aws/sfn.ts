/** WorkflowPort on Step Functions: idempotent starts by execution name, task token callbacks for approvals. */
import { DescribeExecutionCommand, SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowPort } from '../../core/ports.ts';
import { awsClient, regionOfArn } from './clients.ts';
import { awsErrorOf, mapErrors, toPortError } from './errors.ts';

// Step Functions answers a start of the same name and input as an open execution with that execution (success,
// no error): its startDate then predates our request. Beyond this much clock difference, it is not ours.
const CLOCK_SKEW_MS = 1000;

// SendTaskFailure limits: error ≤ 256 characters, cause ≤ 32,768.
const ERROR_MAX = 256;
const CAUSE_MAX = 32_768;

export class StepFunctionsWorkflow implements WorkflowPort {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(options: { stateMachineArn: string; client?: SFNClient }) {
    this.stateMachineArn = options.stateMachineArn;
    this.client = options.client ?? awsClient(SFNClient, regionOfArn(options.stateMachineArn));
  }

  async startExecution(name: string, input: unknown): Promise<{ executionArn: string; alreadyStarted: boolean }> {
    try {
      const command = new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) });
      const sentAt = Date.now();
      const out = await this.client.send(command);
      const existing = out.startDate !== undefined && out.startDate.getTime() < sentAt - CLOCK_SKEW_MS;
      return { executionArn: out.executionArn ?? executionArnOf(this.stateMachineArn, name), alreadyStarted: existing };
    } catch (err) {
      // Same name, other input while open, or any input once closed: its execution already exists, which is what we wanted.
      if (awsErrorOf(err)?.code === 'ExecutionAlreadyExists') {
        return { executionArn: executionArnOf(this.stateMachineArn, name), alreadyStarted: true };
      }
      throw toPortError(err);
    }
  }

  async describeExecution(name: string): Promise<{ running: boolean; input: unknown } | null> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, name) }));
      // PENDING_REDRIVE: a failed execution being redriven runs again.
      return { running: out.status === 'RUNNING' || out.status === 'PENDING_REDRIVE', input: parseInput(out.input) };
    } catch (err) {
      if (awsErrorOf(err)?.code === 'ExecutionDoesNotExist') return null;
      throw toPortError(err);
    }
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    await mapErrors(this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    const input = { taskToken, error: error.slice(0, ERROR_MAX), cause: cause.slice(0, CAUSE_MAX) };
    await mapErrors(this.client.send(new SendTaskFailureCommand(input)));
  }
}

/** An execution's input, parsed; null when absent or not JSON (it is then treated as covering nothing). */
function parseInput(input: string | undefined): unknown {
  if (!input) return null;
  try {
    return JSON.parse(input);
  } catch {
    return null;
  }
}

/** arn:…:stateMachine:M → arn:…:execution:M:name, as Step Functions names executions. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
