/**
 * InstanceListPort on the DynamoDB state table: pk "instances#<list>", sk "page#<nnnnn>", `ids` (a list of strings,
 * in order), `ttl` (epoch seconds). A page of 200 ids is about 5 KB, far below DynamoDB's 400 KB item limit.
 * Each page is a conditional put: a list already stored under the name is never rewritten under a running execution.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { InstanceListPort } from '../../core/ports.ts';
import { awsClient } from './clients.ts';
import { awsErrorOf, mapErrors, toPortError } from './errors.ts';

const isConditionFailure = (err: unknown) => awsErrorOf(err)?.code === 'ConditionalCheckFailed';
export const instanceListKey = (list: string, index: number) => ({ pk: `instances#${list}`, sk: `page#${String(index).padStart(5, '0')}` });

export class DynamoInstanceLists implements InstanceListPort {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: { tableName: string; region?: string; client?: DynamoDBClient }) {
    this.tableName = options.tableName;
    this.client = options.client ?? awsClient(DynamoDBClient, options.region);
  }

  async put(list: string, ids: string[], pageSize: number, expiresAt: Date): Promise<void> {
    const ttl = Math.ceil(expiresAt.getTime() / 1000);
    for (let start = 0, index = 0; start < ids.length; start += pageSize, index++) {
      const item = { ...instanceListKey(list, index), ids: ids.slice(start, start + pageSize), ttl };
      try {
        await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: marshall(item), ConditionExpression: 'attribute_not_exists(pk)' }));
      } catch (err) {
        // Stored already (a retried or re-delivered start): the first list stands, page by page.
        if (!isConditionFailure(err)) throw toPortError(err);
      }
    }
  }

  async page(list: string, index: number): Promise<string[] | null> {
    const out = await mapErrors(this.client.send(new GetItemCommand({ TableName: this.tableName, Key: marshall(instanceListKey(list, index)), ConsistentRead: true })));
    if (!out.Item) return null;
    const ids = unmarshall(out.Item)['ids'];
    return Array.isArray(ids) ? ids.map(String) : null;
  }
}
