import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand,
  type AttributeValue, type PutItemCommandInput, type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditRecord } from '../../../handlers/core/audit-record.ts';
import { DynamoAuditStore } from '../../../handlers/adapters/aws/dynamodb-audit.ts';
import { DynamoChangeBudget, DynamoLock } from '../../../handlers/adapters/aws/dynamodb-state.ts';
import { ThrottlingError } from '../../../handlers/core/ports.ts';
import { awsError, pagedResponses } from './fake-aws.ts';

const ddbMock = mockClient(DynamoDBClient);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => ddbMock.reset());

function record(incidentKey: string, step: string, timestamp: string, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    incidentKey, executionName: `exec-${incidentKey}`, step, phase: 'intent', cause: 'no-instance-profile', account: '111122223333',
    region: 'us-east-1', target: 'i-0abc', action: 'associate-profile', before: null, after: { profile: 'web' }, result: 'pending',
    error: null, actor: 'arn:aws:states:us-east-1:111122223333:execution:m:e', timestamp, ...extra,
  };
}
const item = (r: AuditRecord) => marshall({ ...r, pk: r.incidentKey, sk: r.step, gsi1pk: 'incident', gsi1sk: `${r.timestamp}#${r.incidentKey}` }, { removeUndefinedValues: true });

describe('DynamoAuditStore', () => {
  const store = new DynamoAuditStore({ tableName: 'audit' });

  it('writes every record field plus the table and byTime index keys, only where no record holds that sequence number', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [{ sk: { S: '0000000002' } }] });
    ddbMock.on(PutItemCommand).resolves({});
    const r = record('inc-1', '0003-intent', '2026-11-29T11:00:00.000Z', { before: { Statement: [{ Effect: 'Allow' }] }, params: { profile: 'web' } });
    const written = await store.append('inc-1', (seq) => ({ ...r, step: `${String(seq).padStart(4, '0')}-intent` }));
    expect(written).toEqual(r);
    // The last sequence number is one item of a descending query, not the whole trail.
    expect(ddbMock.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ ScanIndexForward: false, Limit: 1, ConsistentRead: true });
    const input = ddbMock.commandCalls(PutItemCommand)[0].args[0].input;
    expect(input.TableName).toBe('audit');
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(input.Item ?? {})).toEqual({
      ...r, pk: 'inc-1', sk: '0000000003', gsi1pk: 'incident', gsi1sk: '2026-11-29T11:00:00.000Z#inc-1',
    });
  });

  /** A table that answers as DynamoDB does: conditional puts, newest-first queries; every call yields, so appends interleave. */
  function conditionalTable() {
    const items = new Map<string, Record<string, AttributeValue>>();
    const later = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    ddbMock.on(QueryCommand).callsFake(async (input: QueryCommandInput) => {
      await later();
      const pk = input.ExpressionAttributeValues?.[':pk']?.S;
      const rows = [...items.values()].filter((i) => i['pk']?.S === pk).sort((a, b) => a['sk']!.S!.localeCompare(b['sk']!.S!));
      if (input.ScanIndexForward === false) rows.reverse();
      const from = input.ExclusiveStartKey ? rows.findIndex((i) => i['sk']!.S === input.ExclusiveStartKey!['sk']!.S) + 1 : 0;
      const page = rows.slice(from, from + (input.Limit ?? rows.length));
      const execution = input.ExpressionAttributeValues?.[':execution']?.S;
      const more = from + page.length < rows.length;
      return {
        Items: execution ? page.filter((i) => i['executionName']?.S === execution) : page,
        ...(more ? { LastEvaluatedKey: { pk: page.at(-1)!['pk']!, sk: page.at(-1)!['sk']! } } : {}),
      };
    });
    ddbMock.on(PutItemCommand).callsFake(async (input: PutItemCommandInput) => {
      await later();
      const key = `${input.Item!['pk']!.S}#${input.Item!['sk']!.S}`;
      const old = items.get(key);
      if (old && input.ConditionExpression === 'attribute_not_exists(pk)') {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 }, Item: input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? old : undefined });
      }
      items.set(key, input.Item!);
      return {};
    });
    return items;
  }

  it('N appends in parallel to one incident leave N records with N distinct sequence numbers', async () => {
    const items = conditionalTable();
    const N = 40;
    const writers = [new DynamoAuditStore({ tableName: 'audit' }), new DynamoAuditStore({ tableName: 'audit' })];
    const written = await Promise.all(Array.from({ length: N }, (_, i) =>
      writers[i % 2]!.append('inc-1', (seq) => record('inc-1', `${String(seq).padStart(4, '0')}-decision`, '2026-11-29T11:00:00.000Z', { executionName: `exec-${i}` }))));
    expect(items.size).toBe(N);
    // Writers did meet each other's numbers (more puts than records) and moved on instead of overwriting.
    expect(ddbMock.commandCalls(PutItemCommand).length).toBeGreaterThan(N);
    expect(new Set(written.map((r) => r.step)).size).toBe(N);
    expect([...items.values()].map((i) => unmarshall(i)['executionName']).sort()).toEqual(Array.from({ length: N }, (_, i) => `exec-${i}`).sort());
    const listed = await store.listIncident('inc-1');
    expect(listed.map((r) => Number.parseInt(r.step, 10))).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect((await store.lastOfExecution('inc-1', 'exec-7'))?.executionName).toBe('exec-7');
  });

  it('a put that reached the table although its answer was lost is not written twice', async () => {
    const items = conditionalTable();
    const r = record('inc-1', '0001-intent', '2026-11-29T11:00:00.000Z');
    let lostOnce = false;
    ddbMock.on(PutItemCommand).callsFake(async (input: PutItemCommandInput) => {
      const key = `${input.Item!['pk']!.S}#${input.Item!['sk']!.S}`;
      const old = items.get(key);
      if (old) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: old });
      items.set(key, input.Item!);
      if (!lostOnce) {
        lostOnce = true;
        // The SDK retries a request whose answer timed out: the retry meets the item its first try wrote.
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: input.Item });
      }
      return {};
    });
    expect(await store.append('inc-1', (seq) => ({ ...r, step: `${String(seq).padStart(4, '0')}-intent` }))).toEqual(r);
    expect(items.size).toBe(1);
  });

  it("lists one incident's records oldest first across pages, without the key attributes", async () => {
    const a = record('inc-1', '0001-intent', '2026-11-29T11:00:00.000Z');
    const b = record('inc-1', '0002-result', '2026-11-29T11:00:01.000Z', { phase: 'result', result: 'done' });
    const pages = pagedResponses<object, object>([{ Items: [item(a)], LastEvaluatedKey: marshall({ pk: 'inc-1', sk: '0001-intent' }) }, { Items: [item(b)] }]);
    ddbMock.on(QueryCommand).callsFake(pages.respond);
    expect(await store.listIncident('inc-1')).toEqual([a, b]);
    expect(pages.inputs[0]).toEqual({
      TableName: 'audit', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'inc-1' } },
      ScanIndexForward: true, ConsistentRead: true,
    });
    expect(pages.inputs[1]).toMatchObject({ ExclusiveStartKey: marshall({ pk: 'inc-1', sk: '0001-intent' }) });
  });

  it('lists incidents newest first with their last record and step count, from the byTime index', async () => {
    const new2 = record('inc-2', '0002-result', '2026-11-29T12:00:01.000Z', { result: 'done' });
    const new1 = record('inc-2', '0001-intent', '2026-11-29T12:00:00.000Z');
    const old = record('inc-1', '0003-result', '2026-11-29T11:00:00.000Z');
    ddbMock.on(QueryCommand, { IndexName: 'byTime' }).resolves({ Items: [item(new2), item(new1), item(old)] });
    ddbMock.on(QueryCommand, { Select: 'COUNT', ExpressionAttributeValues: { ':pk': { S: 'inc-2' } } }).resolves({ Count: 2 });
    ddbMock.on(QueryCommand, { Select: 'COUNT', ExpressionAttributeValues: { ':pk': { S: 'inc-1' } } }).resolves({ Count: 3 });
    expect(await store.listIncidents()).toEqual([
      { incidentKey: 'inc-2', last: new2, steps: 2 },
      { incidentKey: 'inc-1', last: old, steps: 3 },
    ]);
    expect(ddbMock.commandCalls(QueryCommand)[0].args[0].input).toEqual({
      TableName: 'audit', IndexName: 'byTime', KeyConditionExpression: 'gsi1pk = :incident',
      ExpressionAttributeValues: { ':incident': { S: 'incident' } }, ScanIndexForward: false,
    });
  });

  it('a table that is not there is named in the error (audit --table with a wrong name or region)', async () => {
    ddbMock.on(QueryCommand).rejects(awsError('ResourceNotFoundException', 'Requested resource not found'));
    const missing = new DynamoAuditStore({ tableName: 'iam-autoheal-audit-typo', region: 'eu-west-1' });
    await expect(missing.listIncidents()).rejects.toMatchObject({ name: 'AuditTableNotFound', message: expect.stringMatching(/table iam-autoheal-audit-typo .*eu-west-1/) });
    await expect(missing.listIncident('k')).rejects.toMatchObject({ name: 'AuditTableNotFound' });
    await expect(missing.append('k', (seq) => record('k', `000${seq}-intent`, '2026-11-29T11:00:00.000Z'))).rejects.toMatchObject({ name: 'AuditTableNotFound' });
  });

  it('stops at the requested number of incidents and maps DynamoDB throttling', async () => {
    ddbMock.on(QueryCommand, { IndexName: 'byTime' }).resolves({
      Items: [item(record('inc-3', '0001-intent', '2026-11-29T13:00:00.000Z')), item(record('inc-2', '0001-intent', '2026-11-29T12:00:00.000Z'))],
    });
    ddbMock.on(QueryCommand, { Select: 'COUNT' }).resolves({ Count: 1 });
    expect((await store.listIncidents(1)).map((i) => i.incidentKey)).toEqual(['inc-3']);
    ddbMock.on(QueryCommand).rejects(awsError('ProvisionedThroughputExceededException', 'throughput exceeded'));
    await expect(store.listIncident('inc-1')).rejects.toBeInstanceOf(ThrottlingError);
  });
});

describe('DynamoChangeBudget', () => {
  const budget = new DynamoChangeBudget({ tableName: 'state' });
  const at = new Date('2026-11-29T11:42:10Z');

  it('adds to the hourly counter atomically, under the limit', async () => {
    ddbMock.on(UpdateItemCommand).resolves({});
    expect(await budget.consume('111122223333', 'iam', 2, 20, at)).toBe(true);
    expect(ddbMock.commandCalls(UpdateItemCommand)[0].args[0].input).toEqual({
      TableName: 'state',
      Key: { pk: { S: 'budget#111122223333' }, sk: { S: 'iam#2026-11-29T11' } },
      UpdateExpression: 'ADD #count :count SET #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(#count) OR #count <= :remaining',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':count': { N: '2' }, ':remaining': { N: '18' }, ':ttl': { N: String(Date.parse('2026-11-29T11:00:00Z') / 1000 + 25 * 3600) } },
    });
  });

  it('refuses, recording nothing, when the change would pass the limit', async () => {
    ddbMock.on(UpdateItemCommand).rejects(conditionFailed());
    expect(await budget.consume('111122223333', 'iam', 1, 20, at)).toBe(false);
    expect(await budget.consume('111122223333', 'ec2', 5, 4, at)).toBe(false);
    expect(ddbMock.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('gives back a charge that wrote nothing, in the hour it was charged, never below zero', async () => {
    ddbMock.on(UpdateItemCommand).resolvesOnce({}).rejects(conditionFailed());
    await budget.release('111122223333', 'ec2', 1, at);
    expect(ddbMock.commandCalls(UpdateItemCommand)[0].args[0].input).toEqual({
      TableName: 'state',
      Key: { pk: { S: 'budget#111122223333' }, sk: { S: 'ec2#2026-11-29T11' } },
      UpdateExpression: 'ADD #count :minus',
      ConditionExpression: '#count >= :count',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':minus': { N: '-1' }, ':count': { N: '1' } },
    });
    // A counter already at zero (or gone): nothing to give back, no error.
    await expect(budget.release('111122223333', 'ec2', 1, at)).resolves.toBeUndefined();
  });

  it('reads the counter of the hour, zero when none', async () => {
    ddbMock.on(GetItemCommand, { Key: { pk: { S: 'budget#111122223333' }, sk: { S: 'ec2#2026-11-29T11' } } }).resolves({ Item: { count: { N: '7' } } });
    ddbMock.on(GetItemCommand, { Key: { pk: { S: 'budget#444455556666' }, sk: { S: 'ec2#2026-11-29T11' } } }).resolves({});
    expect(await budget.used('111122223333', 'ec2', at)).toBe(7);
    expect(await budget.used('444455556666', 'ec2', at)).toBe(0);
  });
});

describe('DynamoLock', () => {
  const lock = new DynamoLock({ tableName: 'state' });
  const at = new Date('2026-11-29T11:00:00Z');
  const now = at.getTime() / 1000;

  it('takes a free or expired lock with a conditional put', async () => {
    ddbMock.on(PutItemCommand).resolves({});
    expect(await lock.acquire('111122223333/app', 'exec-1', 300, at)).toBe(true);
    expect(ddbMock.commandCalls(PutItemCommand)[0].args[0].input).toEqual({
      TableName: 'state',
      Item: { pk: { S: 'lock#111122223333/app' }, sk: { S: 'lock' }, owner: { S: 'exec-1' }, expiresAt: { N: String(now + 300) }, ttl: { N: String(now + 300) } },
      ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner OR #expiresAt <= :now',
      ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':owner': { S: 'exec-1' }, ':now': { N: String(now) } },
    });
  });

  it('does not take a lock held by another owner', async () => {
    ddbMock.on(PutItemCommand).rejects(conditionFailed());
    expect(await lock.acquire('111122223333/app', 'exec-2', 300, at)).toBe(false);
  });

  it('releases only its own lock, quietly when it is no longer held', async () => {
    ddbMock.on(DeleteItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed()).rejects(awsError('InternalServerError', 'boom'));
    await lock.release('111122223333/app', 'exec-1');
    await lock.release('111122223333/app', 'exec-1');
    await expect(lock.release('111122223333/app', 'exec-1')).rejects.toMatchObject({ name: 'AwsCallError', code: 'InternalServerError' });
    expect(ddbMock.commandCalls(DeleteItemCommand)[0].args[0].input).toEqual({
      TableName: 'state', Key: { pk: { S: 'lock#111122223333/app' }, sk: { S: 'lock' } },
      ConditionExpression: '#owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': { S: 'exec-1' } },
    });
  });
});
