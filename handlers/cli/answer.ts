/**
 * `iam-autoheal approve <incident>` and `iam-autoheal reject <incident> [--reason …]`: answer an approval request of a
 * deployment through the same answer path as the Slack buttons (handlers/core/answer.ts) — its state table (the
 * approval and its task token), its state machine (SendTaskSuccess), its audit table — with the default credential
 * chain. Who answers is the caller STS GetCallerIdentity names, never a name typed here.
 */
import type { Command } from 'commander';
import { answerIncident, type AnswerAction, type AnswerCaller, type AnswerResult } from '../core/answer.ts';
import { isApprovalId } from '../core/approval.ts';
import type { ApprovalStorePort, NotifierPort, StoredApproval } from '../core/ports.ts';
import { InputError } from './errors.ts';
import { asInputErrors } from './input.ts';

export interface AnswerCommandOptions {
  table?: string;
  stateTable?: string;
  stateMachine?: string;
  topicArn?: string;
  approval?: string;
  reason?: string;
  json?: boolean;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** Checks the options before any AWS call: each problem is one line naming the option. */
export function checkAnswerOptions(incident: string, options: AnswerCommandOptions): { region: string } {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(incident)) throw new InputError(`incident "${incident}": an incident key is letters, digits, - and _ (as \`audit\` lists it)`);
  if (!options.table) throw new InputError('--table <name>: the deployment\'s audit table is required (stack output AuditTableName)');
  if (!options.stateTable) throw new InputError('--state-table <name>: the deployment\'s state table is required (stack output StateTableName)');
  const match = STATE_MACHINE_ARN.exec(options.stateMachine ?? '');
  if (!match) throw new InputError(`--state-machine ${options.stateMachine ?? '<missing>'}: the deployment's state machine ARN is required (stack output StateMachineArn)`);
  if (options.approval !== undefined && !isApprovalId(options.approval)) throw new InputError(`--approval ${options.approval}: an approval id looks like ap-0123456789 (in the request's message)`);
  if (options.topicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(options.topicArn)) throw new InputError(`--topic-arn ${options.topicArn}: not an SNS topic ARN`);
  return { region: match[1]! };
}

/** The one open (unanswered, unexpired) request of the incident, or the one named. */
export async function openApproval(store: ApprovalStorePort, incident: string, approvalId: string | undefined, now: Date): Promise<string> {
  if (approvalId) return approvalId;
  const open = (await store.listIncident(incident)).filter((a: StoredApproval) => a.answer === null && Date.parse(a.expiresAt) > now.getTime());
  if (open.length === 0) throw new InputError(`incident ${incident}: no approval request is waiting for an answer (none, answered, or expired)`);
  if (open.length > 1) throw new InputError(`incident ${incident}: ${open.length} requests wait for an answer (${open.map((a) => a.approvalId).join(', ')}): name one with --approval`);
  return open[0]!.approvalId;
}

/** A notifier that stays quiet: without --topic-arn the reply goes to the terminal only. */
const quiet: NotifierPort = { publish: async () => ({ messageId: 'not-published' }) };

export async function answerFromTerminal(action: Extract<AnswerAction, 'approve' | 'reject'>, incident: string, options: AnswerCommandOptions): Promise<AnswerResult> {
  const { region } = checkAnswerOptions(incident, options);
  const aws = await import('../adapters/aws/index.ts');
  const { DynamoApprovalStore } = await import('../adapters/aws/dynamodb-approvals.ts');
  const { STSClient } = await import('@aws-sdk/client-sts');
  const { awsClient } = await import('../adapters/aws/clients.ts');
  const approvals = new DynamoApprovalStore({ tableName: options.stateTable!, region });
  const sts = new aws.AwsStsPort(awsClient(STSClient, region));
  const result = await asInputErrors(async () => {
    const identity = await sts.callerIdentity();
    const caller: AnswerCaller = { identity: identity.arn, authenticatedBy: 'sts GetCallerIdentity' };
    const approvalId = await openApproval(approvals, incident, options.approval, new Date());
    return answerIncident({
      approvals,
      workflow: new aws.StepFunctionsWorkflow({ stateMachineArn: options.stateMachine! }),
      audit: new aws.DynamoAuditStore({ tableName: options.table!, region }),
      notifier: options.topicArn ? new aws.SnsNotifier({ topicArn: options.topicArn }) : quiet,
      clock: aws.systemClock,
      portsFor: () => { throw new InputError('approve and reject change nothing in an account'); },
      pause: async () => {},
    }, { action, incident, approvalId, ...(options.reason ? { reason: options.reason } : {}) }, caller);
  });
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${result.ok ? '' : 'refused: '}${result.message}\n`);
  if (!result.ok) process.exitCode = 1;
  return result;
}

function register(program: Command, action: 'approve' | 'reject'): Command {
  return program
    .command(action)
    .description(`${action === 'approve' ? 'Approve' : 'Reject'} an incident's waiting approval request in a deployment, through the same answer path as the Slack buttons: one answer per request (a second is refused, naming the first), none after its expiry; recorded on the audit trail as the caller STS GetCallerIdentity names (default credential chain). Exit 1 when the answer is refused.`)
    .argument('<incident>', 'incident key, as the message and `audit` show it')
    .option('--table <name>', 'the deployment\'s DynamoDB audit table (stack output AuditTableName)')
    .option('--state-table <name>', 'the deployment\'s DynamoDB state table, where approval requests wait (stack output StateTableName)')
    .option('--state-machine <arn>', 'the deployment\'s state machine (stack output StateMachineArn); its region is used for every call')
    .option('--approval <id>', 'the approval id (ap-…) when the incident has more than one open request')
    .option('--topic-arn <arn>', 'also reply in the incident\'s Slack thread and e-mail (stack output TopicArn)')
    .option('--json', 'print the answer as one JSON document');
}

export function registerAnswers(program: Command): void {
  register(program, 'approve').action((incident: string, options: AnswerCommandOptions) => answerFromTerminal('approve', incident, options).then(() => undefined));
  register(program, 'reject')
    .option('--reason <text>', 'why (kept in the outcome and the audit trail)')
    .action((incident: string, options: AnswerCommandOptions) => answerFromTerminal('reject', incident, options).then(() => undefined));
}
