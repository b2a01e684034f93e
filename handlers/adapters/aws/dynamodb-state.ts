/**
 * ChangeBudgetPort and LockPort on one DynamoDB "state" table: pk, sk (strings), `ttl` (number,
 * the table's TTL attribute). Budget: pk "budget#<account>", sk "<kind>#<UTC hour>", attribute
 * `count`. Lock: pk "lock#<key>", sk "lock", attributes `owner`, `expiresAt` (epoch seconds).
 */
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { ChangeBudgetPort, ChangeKind, LockPort } from '../../core/ports.ts';
import { awsClient } from './clients.ts';
import { awsErrorOf, mapErrors, toPortError } from './errors.ts';

// Counters outlive their hour by a day so that operators can still read them.
const BUDGET_RETENTION_SECONDS = 25 * 3600;

interface StateTableOptions {
  tableName: string;
  region?: string;
  client?: DynamoDBClient;
}

function isConditionFailure(err: unknown): boolean {
  return awsErrorOf(err)?.code === 'ConditionalCheckFailed';
}

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** The table and its client (one per region, shared), common to the budget and the lock. */
abstract class StateTable {
  protected readonly client: DynamoDBClient;
  protected readonly tableName: string;

  constructor(options: StateTableOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? awsClient(DynamoDBClient, options.region);
  }
}

export class DynamoChangeBudget extends StateTable implements ChangeBudgetPort {
  async used(accountId: string, kind: ChangeKind, at: Date): Promise<number> {
    const input = { TableName: this.tableName, Key: budgetKey(accountId, kind, at), ConsistentRead: true };
    const out = await mapErrors(this.client.send(new GetItemCommand(input)));
    return Number(out.Item?.count?.N ?? 0);
  }

  async consume(accountId: string, kind: ChangeKind, count: number, limit: number, at: Date): Promise<boolean> {
    if (count > limit) return false;
    if (count <= 0) return true;
    const hourStart = new Date(at);
    hourStart.setUTCMinutes(0, 0, 0);
    const input = {
      TableName: this.tableName,
      Key: budgetKey(accountId, kind, at),
      // ADD is atomic; the condition makes the check and the increment one step.
      UpdateExpression: 'ADD #count :count SET #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(#count) OR #count <= :remaining',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: marshall({
        ':count': count,
        ':remaining': limit - count,
        ':ttl': epochSeconds(hourStart) + BUDGET_RETENTION_SECONDS,
      }),
    };
    try {
      await this.client.send(new UpdateItemCommand(input));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw toPortError(err);
    }
  }

  async release(accountId: string, kind: ChangeKind, count: number, at: Date): Promise<void> {
    if (count <= 0) return;
    const input = {
      TableName: this.tableName,
      Key: budgetKey(accountId, kind, at),
      // Never below zero: a counter already reset (a new hour's item, or expired) is left as it is.
      UpdateExpression: 'ADD #count :minus',
      ConditionExpression: '#count >= :count',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: marshall({ ':minus': -count, ':count': count }),
    };
    try {
      await this.client.send(new UpdateItemCommand(input));
    } catch (err) {
      if (!isConditionFailure(err)) throw toPortError(err);
    }
  }
}

function budgetKey(accountId: string, kind: ChangeKind, at: Date) {
  return marshall({ pk: `budget#${accountId}`, sk: `${kind}#${at.toISOString().slice(0, 13)}` });
}

export class DynamoLock extends StateTable implements LockPort {
  async acquire(key: string, owner: string, ttlSeconds: number, at: Date): Promise<boolean> {
    const now = epochSeconds(at);
    const expiresAt = now + ttlSeconds;
    const input = {
      TableName: this.tableName,
      Item: marshall({ pk: lockPk(key), sk: 'lock', owner, expiresAt, ttl: expiresAt }),
      // Free, already ours (re-entrant), or expired: DynamoDB TTL deletes late, so expiry is checked here.
      ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner OR #expiresAt <= :now',
      ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: marshall({ ':owner': owner, ':now': now }),
    };
    try {
      await this.client.send(new PutItemCommand(input));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw toPortError(err);
    }
  }

  async release(key: string, owner: string): Promise<void> {
    const input = {
      TableName: this.tableName,
      Key: marshall({ pk: lockPk(key), sk: 'lock' }),
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: marshall({ ':owner': owner }),
    };
    try {
      await this.client.send(new DeleteItemCommand(input));
    } catch (err) {
      // Gone or taken over after expiry: either way it is no longer ours to release.
      if (!isConditionFailure(err)) throw toPortError(err);
    }
  }
}

const lockPk = (key: string) => `lock#${key}`;
