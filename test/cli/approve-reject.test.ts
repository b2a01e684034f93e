/**
 * `iam-autoheal approve|reject` against a deployment, AWS mocked (aws-sdk-client-mock): the caller is who STS says,
 * the token comes from the state table, one conditional answer, the audit trail and the thread reply; bad input is one
 * line and exit 2 (spawned, as a user runs it).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { answerFromTerminal } from '../../handlers/cli/answer.ts';
import { cli } from './run-cli.ts';

const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);
const CALLER = 'arn:aws:sts::111122223333:assumed-role/oncall/alice';
const STATE_MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:iam-autoheal-remediate';
const options = { table: 'audit', stateTable: 'state', stateMachine: STATE_MACHINE };
const INCIDENT = 'deny-app-s3-0123456789';
const future = new Date(Date.now() + 3600_000).toISOString();
const approval = (extra: Record<string, unknown> = {}) => marshall({
  pk: `approval#${INCIDENT}`, sk: 'ap-0123456789', approvalId: 'ap-0123456789', incidentKey: INCIDENT, executionName: 'exec-1', taskToken: 'TOKEN-1',
  requestedAt: new Date().toISOString(), expiresAt: future, expiresAtMs: Date.parse(future), cause: 'missing-permission', account: '111122223333', region: 'eu-west-1', ...extra,
}, { removeUndefinedValues: true });

beforeEach(() => {
  for (const m of [ddb, sfn, sns, sts]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: CALLER, UserId: 'AROAEXAMPLE:alice' });
  ddb.on(QueryCommand, { TableName: 'state' }).resolves({ Items: [approval()] });
  ddb.on(GetItemCommand, { TableName: 'state' }).resolves({ Item: approval() });
  ddb.on(UpdateItemCommand).resolves({});
  ddb.on(QueryCommand, { TableName: 'audit' }).resolves({ Items: [] });
  ddb.on(PutItemCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => { vi.restoreAllMocks(); process.exitCode = undefined; });

describe('iam-autoheal approve / reject against a deployment', () => {
  it('approve: finds the open request, sends its token to the workflow as the STS caller, audits it, forgets the token', async () => {
    const result = await answerFromTerminal('approve', INCIDENT, options);
    expect(result).toMatchObject({ ok: true, approvalId: 'ap-0123456789', message: `approved by ${CALLER}` });
    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(sent.taskToken).toBe('TOKEN-1');
    expect(JSON.parse(sent.output!)).toMatchObject({ approved: true, by: CALLER, approvalId: 'ap-0123456789' });
    const audit = unmarshall(ddb.commandCalls(PutItemCommand).find((c) => c.args[0].input.TableName === 'audit')!.args[0].input.Item!);
    expect(audit).toMatchObject({ actor: CALLER, phase: 'decision', after: { answer: { decision: 'approve', by: CALLER, authenticatedBy: 'sts GetCallerIdentity' } } });
    const updates = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.UpdateExpression);
    expect(updates).toEqual(['SET #answer = :answer', 'REMOVE taskToken']);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('reject with a reason, replying in the thread when --topic-arn is given', async () => {
    const result = await answerFromTerminal('reject', INCIDENT, { ...options, reason: 'change freeze', topicArn: 'arn:aws:sns:eu-west-1:111122223333:iam-autoheal' });
    expect(result).toMatchObject({ ok: true, message: `rejected by ${CALLER}: change freeze` });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toMatchObject({ approved: false, reason: 'change freeze' });
    const reply = JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!);
    expect(JSON.parse(reply.default).metadata.threadId).toBe(INCIDENT);
  });

  it('a request answered already: refused naming who answered first, nothing sent, exit 1', async () => {
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    ddb.on(GetItemCommand, { TableName: 'state' }).resolves({ Item: approval({ taskToken: undefined, answer: { decision: 'approve', by: 'AROAEXAMPLE:AWSChatbot', at: '2026-12-05T10:00:00.000Z' } }) });
    const result = await answerFromTerminal('reject', INCIDENT, { ...options, approval: 'ap-0123456789' });
    expect(result).toMatchObject({ ok: false, refusal: 'answered' });
    expect(result.message).toContain('already approved by AROAEXAMPLE:AWSChatbot');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(process.exitCode).toBe(1);
  });

  it('no open request: one clear error', async () => {
    ddb.on(QueryCommand, { TableName: 'state' }).resolves({ Items: [] });
    await expect(answerFromTerminal('approve', INCIDENT, options)).rejects.toThrow(`incident ${INCIDENT}: no approval request is waiting for an answer`);
  });
});

describe('approve / reject input errors (as a user runs them)', () => {
  it('--help answers; a missing table or a bad state machine ARN is one line on stderr and exit 2', () => {
    const help = cli('approve', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--state-table');
    expect(cli('reject', '--help').stdout).toContain('--reason');
    const missing = cli('approve', INCIDENT, '--state-table', 'state', '--state-machine', STATE_MACHINE);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringContaining('--table <name>')]);
    const badArn = cli('reject', INCIDENT, '--table', 'a', '--state-table', 's', '--state-machine', 'arn:aws:sns:x');
    expect(badArn.code).toBe(2);
    expect(badArn.stderr).toMatch(/--state-machine arn:aws:sns:x/);
  });
});
