import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoApprovalStore } from '../../../handlers/adapters/aws/dynamodb-approvals.ts';
import type { StoredApproval } from '../../../handlers/core/ports.ts';
import { ThrottlingError } from '../../../handlers/core/ports.ts';
import { awsError } from './fake-aws.ts';

const ddbMock = mockClient(DynamoDBClient);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
beforeEach(() => ddbMock.reset());

const approval: StoredApproval = {
  approvalId: 'ap-0123456789', incidentKey: 'inc-1', executionName: 'exec-1', taskToken: 'TOKEN', requestedAt: '2026-12-05T10:00:00.000Z',
  expiresAt: '2026-12-06T10:00:00.000Z', cause: 'missing-permission', account: '111122223333', region: 'eu-west-1', answer: null,
};
const answer = { decision: 'approve' as const, by: 'arn:aws:sts::111122223333:assumed-role/oncall/alice', at: '2026-12-05T10:05:00.000Z' };

describe('DynamoApprovalStore (state table)', () => {
  const store = new DynamoApprovalStore({ tableName: 'state' });

  it('puts a request under approval#<incident>/<id>, expiring with the request (ttl), once', async () => {
    ddbMock.on(PutItemCommand).resolves({});
    await store.put(approval);
    const input = ddbMock.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(input.Item!)).toMatchObject({ pk: 'approval#inc-1', sk: 'ap-0123456789', taskToken: 'TOKEN', ttl: Date.parse(approval.expiresAt) / 1000, expiresAtMs: Date.parse(approval.expiresAt) });
    // A retried step puts it again: the first one stands, no error.
    ddbMock.on(PutItemCommand).rejects(conditionFailed());
    await expect(store.put(approval)).resolves.toBeUndefined();
  });

  it('claims an answer with one conditional write: exists, unanswered, not expired at the answer time', async () => {
    ddbMock.on(UpdateItemCommand).resolves({});
    expect(await store.claim('inc-1', 'ap-0123456789', answer)).toEqual({ recorded: true });
    const input = ddbMock.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(#answer) AND #expiresAtMs > :now');
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({ ':answer': answer, ':now': Date.parse(answer.at) });
  });

  it('a refused claim answers the request as it is (who answered first), read consistently', async () => {
    ddbMock.on(UpdateItemCommand).rejects(conditionFailed());
    const first = { ...answer, by: 'AROAEXAMPLE:bob' };
    ddbMock.on(GetItemCommand).resolves({ Item: marshall({ ...approval, taskToken: undefined, answer: first, pk: 'approval#inc-1', sk: 'ap-0123456789' }, { removeUndefinedValues: true }) });
    const claim = await store.claim('inc-1', 'ap-0123456789', answer);
    expect(claim).toEqual({ recorded: false, current: { ...approval, taskToken: null, answer: first } });
    expect(ddbMock.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
    ddbMock.on(GetItemCommand).resolves({});
    expect(await store.claim('inc-1', 'ap-zzzzzzzzzz', answer)).toEqual({ recorded: false, current: null });
  });

  it('releases only its own answer, forgets the token, lists an incident\'s requests; throttling is a port error', async () => {
    ddbMock.on(UpdateItemCommand).resolves({});
    await store.release('inc-1', 'ap-0123456789', answer);
    await store.forgetToken('inc-1', 'ap-0123456789');
    const [release, forget] = ddbMock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(release!.ConditionExpression).toBe('#answer.#by = :by AND #answer.#at = :at');
    expect(forget!.UpdateExpression).toBe('REMOVE taskToken');
    ddbMock.on(QueryCommand).resolves({ Items: [marshall({ ...approval, pk: 'approval#inc-1', sk: 'ap-0123456789' })] });
    expect(await store.listIncident('inc-1')).toEqual([approval]);
    ddbMock.on(UpdateItemCommand).rejects(awsError('ProvisionedThroughputExceededException', 'slow down'));
    await expect(store.claim('inc-1', 'ap-0123456789', answer)).rejects.toBeInstanceOf(ThrottlingError);
  });
});
