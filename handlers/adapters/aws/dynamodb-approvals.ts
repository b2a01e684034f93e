/**
 * ApprovalStorePort on the DynamoDB state table: pk "approval#<incident>", sk "<approvalId>", the task token, the
 * request's times, `expiresAtMs` (checked by the conditional answer) and `ttl` = the expiry (epoch seconds: DynamoDB
 * deletes the item, and the token with it, some time after). The answer is one conditional UpdateItem.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, paginateQuery } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ApprovalStorePort, RecordedAnswer, StoredApproval } from '../../core/ports.ts';
import { awsClient, collectPages } from './clients.ts';
import { awsErrorOf, mapErrors, toPortError } from './errors.ts';

const isConditionFailure = (err: unknown) => awsErrorOf(err)?.code === 'ConditionalCheckFailed';
const pkOf = (incidentKey: string) => `approval#${incidentKey}`;

type ApprovalItem = Omit<StoredApproval, 'answer'> & { pk: string; sk: string; expiresAtMs: number; ttl: number; answer?: RecordedAnswer };

function fromItem(item: Record<string, unknown>): StoredApproval {
  const i = item as ApprovalItem;
  return {
    approvalId: i.approvalId, incidentKey: i.incidentKey, executionName: i.executionName, taskToken: i.taskToken ?? null,
    requestedAt: i.requestedAt, expiresAt: i.expiresAt, cause: i.cause ?? null, account: i.account, region: i.region, answer: i.answer ?? null,
  };
}

export class DynamoApprovalStore implements ApprovalStorePort {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: { tableName: string; region?: string; client?: DynamoDBClient }) {
    this.tableName = options.tableName;
    this.client = options.client ?? awsClient(DynamoDBClient, options.region);
  }

  private key(incidentKey: string, approvalId: string) {
    return marshall({ pk: pkOf(incidentKey), sk: approvalId });
  }

  async put(approval: StoredApproval): Promise<void> {
    const expiresAtMs = Date.parse(approval.expiresAt);
    const { answer: _none, ...rest } = approval;
    const item: ApprovalItem = { ...rest, pk: pkOf(approval.incidentKey), sk: approval.approvalId, expiresAtMs, ttl: Math.ceil(expiresAtMs / 1000) };
    try {
      await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: marshall(item, { removeUndefinedValues: true }), ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (err) {
      // A retried step puts the same request again: the first one stands.
      if (!isConditionFailure(err)) throw toPortError(err);
    }
  }

  async get(incidentKey: string, approvalId: string): Promise<StoredApproval | null> {
    const out = await mapErrors(this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key(incidentKey, approvalId), ConsistentRead: true })));
    return out.Item ? fromItem(unmarshall(out.Item)) : null;
  }

  async listIncident(incidentKey: string): Promise<StoredApproval[]> {
    const pages = paginateQuery({ client: this.client }, {
      TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: marshall({ ':pk': pkOf(incidentKey) }), ConsistentRead: true,
    });
    try {
      const items = await collectPages(pages, (page) => page.Items);
      return items.map((item) => fromItem(unmarshall(item))).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    } catch (err) {
      throw toPortError(err);
    }
  }

  async claim(incidentKey: string, approvalId: string, answer: RecordedAnswer): Promise<{ recorded: true } | { recorded: false; current: StoredApproval | null }> {
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(incidentKey, approvalId),
        UpdateExpression: 'SET #answer = :answer',
        // Exists, unanswered, not expired (TTL deletes late, so the expiry is checked here): one answer, ever.
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#answer) AND #expiresAtMs > :now',
        ExpressionAttributeNames: { '#answer': 'answer', '#expiresAtMs': 'expiresAtMs' },
        ExpressionAttributeValues: marshall({ ':answer': answer, ':now': Date.parse(answer.at) }, { removeUndefinedValues: true }),
      }));
      return { recorded: true };
    } catch (err) {
      if (!isConditionFailure(err)) throw toPortError(err);
      return { recorded: false, current: await this.get(incidentKey, approvalId) };
    }
  }

  async release(incidentKey: string, approvalId: string, answer: RecordedAnswer): Promise<void> {
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(incidentKey, approvalId),
        UpdateExpression: 'REMOVE #answer',
        ConditionExpression: '#answer.#by = :by AND #answer.#at = :at',
        ExpressionAttributeNames: { '#answer': 'answer', '#by': 'by', '#at': 'at' },
        ExpressionAttributeValues: marshall({ ':by': answer.by, ':at': answer.at }),
      }));
    } catch (err) {
      // Another answer is recorded (or the item is gone): nothing of ours to remove.
      if (!isConditionFailure(err)) throw toPortError(err);
    }
  }

  async forgetToken(incidentKey: string, approvalId: string): Promise<void> {
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName, Key: this.key(incidentKey, approvalId), UpdateExpression: 'REMOVE taskToken', ConditionExpression: 'attribute_exists(pk)',
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw toPortError(err);
    }
  }
}
