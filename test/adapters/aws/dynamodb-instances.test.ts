import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoInstanceLists } from '../../../handlers/adapters/aws/dynamodb-instances.ts';
import { ThrottlingError } from '../../../handlers/core/ports.ts';
import { awsError } from './fake-aws.ts';

const ddbMock = mockClient(DynamoDBClient);
beforeEach(() => ddbMock.reset());

describe('DynamoInstanceLists', () => {
  const lists = new DynamoInstanceLists({ tableName: 'state' });
  const ids = Array.from({ length: 250 }, (_, i) => `i-${String(i).padStart(17, '0')}`);

  it('stores a list as ordered pages under instances#<list>, each only where none is stored, expiring with the list', async () => {
    ddbMock.on(PutItemCommand).resolves({});
    await lists.put('exec-1', ids, 100, new Date('2026-12-14T00:00:00Z'));
    const puts = ddbMock.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(3);
    expect(puts.every((p) => p.TableName === 'state' && p.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
    const items = puts.map((p) => unmarshall(p.Item ?? {}));
    expect(items.map((i) => [i['pk'], i['sk'], (i['ids'] as string[]).length])).toEqual([
      ['instances#exec-1', 'page#00000', 100], ['instances#exec-1', 'page#00001', 100], ['instances#exec-1', 'page#00002', 50],
    ]);
    expect(items[2]!['ids']).toEqual(ids.slice(200));
    expect(items[0]!['ttl']).toBe(Date.parse('2026-12-14T00:00:00Z') / 1000);
  });

  it('leaves a list stored by an earlier start as it is, and raises throttling for the retry', async () => {
    ddbMock.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(lists.put('exec-1', ids, 100, new Date())).resolves.toBeUndefined();
    ddbMock.on(PutItemCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(lists.put('exec-1', ids, 100, new Date())).rejects.toBeInstanceOf(ThrottlingError);
  });

  it('reads one page by index (consistent read), null when it is not stored', async () => {
    ddbMock.on(GetItemCommand, { Key: marshall({ pk: 'instances#exec-1', sk: 'page#00001' }) }).resolves({ Item: marshall({ pk: 'instances#exec-1', sk: 'page#00001', ids: ids.slice(100, 200) }) });
    ddbMock.on(GetItemCommand, { Key: marshall({ pk: 'instances#exec-1', sk: 'page#00007' }) }).resolves({});
    expect(await lists.page('exec-1', 1)).toEqual(ids.slice(100, 200));
    expect(await lists.page('exec-1', 7)).toBeNull();
    expect(ddbMock.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });
});
