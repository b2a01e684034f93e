/** Workflow, events and notifier ports that record what they were asked to do (local runs, tests). */
import type { EventsPort, NotifierPort, WorkflowPort } from '../../core/ports.ts';

export class RecordingWorkflow implements WorkflowPort {
  readonly started: Array<{ name: string; input: unknown }> = [];
  readonly duplicates: string[] = [];
  readonly taskAnswers: Array<{ taskToken: string; output?: unknown; error?: string; cause?: string }> = [];

  constructor(private readonly stateMachineArn = 'arn:aws:states:local:000000000000:stateMachine:remediate') {}

  /**
   * As the adapter reports Step Functions: a name already used is `alreadyStarted` whether Step Functions answered
   * success (same input, execution open) or ExecutionAlreadyExists (other input, or closed).
   */
  async startExecution(name: string, input: unknown): Promise<{ executionArn: string; alreadyStarted: boolean }> {
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    if (this.started.some((s) => s.name === name)) {
      this.duplicates.push(name);
      return { executionArn, alreadyStarted: true };
    }
    this.started.push({ name, input: structuredClone(input) });
    return { executionArn, alreadyStarted: false };
  }

  /** Executions that have ended (the rest of `started` count as running). */
  readonly ended = new Set<string>();

  async describeExecution(name: string): Promise<{ running: boolean; input: unknown } | null> {
    const started = this.started.find((s) => s.name === name);
    return started ? { running: !this.ended.has(name), input: structuredClone(started.input) } : null;
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    this.taskAnswers.push({ taskToken, output });
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    this.taskAnswers.push({ taskToken, error, cause });
  }
}

export class RecordingEvents implements EventsPort {
  readonly outcomes: Array<{ detailType: string; detail: unknown }> = [];

  async putOutcome(detailType: string, detail: unknown): Promise<void> {
    this.outcomes.push({ detailType, detail: structuredClone(detail) });
  }
}

export class RecordingNotifier implements NotifierPort {
  readonly messages: Array<{ subject: string; body: string; email?: string; attributes?: Record<string, string> }> = [];

  async publish(message: { subject: string; body: string; email?: string; attributes?: Record<string, string> }): Promise<{ messageId: string }> {
    this.messages.push(structuredClone(message));
    return { messageId: `local-${this.messages.length}` };
  }
}
