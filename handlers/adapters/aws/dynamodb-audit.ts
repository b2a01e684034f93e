/**
 * AuditStore on DynamoDB. Table: pk = incidentKey, sk = the record's sequence number, ten digits (strings), so
 * that one number holds one record whatever its phase. GSI "byTime" (projection ALL): gsi1pk = "incident",
 * gsi1sk = "<timestamp>#<incidentKey>", so the newest records come first.
 */
import {
  ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, QueryCommand, paginateQuery, type AttributeValue, type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditRecord, AuditStore } from '../../core/audit-record.ts';
import { sequenceOf } from '../../core/audit.ts';
import { awsClient } from './clients.ts';
import { awsErrorOf, toPortError } from './errors.ts';

export const AUDIT_BY_TIME_INDEX = 'byTime';
const INCIDENT_PARTITION = 'incident';
const DEFAULT_INCIDENT_LIMIT = 20;
// Concurrent appends to one incident are a handful (a resumed approval, a follow-up, an undo): each lost race moves on.
const APPEND_ATTEMPTS = 25;

/** Sort key of a sequence number: ten digits, so that string order is number order. */
export function sortKeyOf(sequence: number): string {
  return String(sequence).padStart(10, '0');
}

/** The audit table named is not there (wrong name or region): said with the table's name. */
export class AuditTableNotFoundError extends Error {
  override readonly name = 'AuditTableNotFound' as const;
}

export class AuditAppendError extends Error {
  override readonly name = 'AuditAppendError' as const;
}

type AuditItem = AuditRecord & { pk: string; sk: string; gsi1pk: string; gsi1sk: string };

export class DynamoAuditStore implements AuditStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly region: string | undefined;

  constructor(options: { tableName: string; region?: string; client?: DynamoDBClient }) {
    this.tableName = options.tableName;
    this.region = options.region;
    this.client = options.client ?? awsClient(DynamoDBClient, options.region);
  }

  /**
   * Reads the incident's last sequence number (one item), then puts the record at the next one only if no
   * item holds it; a number taken meanwhile is retried with the next free one. A put that reached the table
   * although its answer was lost comes back as "taken by this very record", and counts as written.
   */
  async append(incidentKey: string, build: (sequence: number) => AuditRecord): Promise<AuditRecord> {
    let sequence = (await this.lastSequence(incidentKey)) + 1;
    for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
      const record = build(sequence);
      const item: AuditItem = {
        ...record,
        pk: incidentKey,
        sk: sortKeyOf(sequenceOf(record.step)),
        gsi1pk: INCIDENT_PARTITION,
        gsi1sk: `${record.timestamp}#${incidentKey}`,
      };
      const Item = marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true });
      try {
        await this.client.send(new PutItemCommand({
          TableName: this.tableName,
          Item,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }));
        return record;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw this.tableError(err);
        if (err.Item && sameRecord(toRecord(err.Item), record)) return record;
        sequence = Math.max(sequence + 1, (await this.lastSequence(incidentKey)) + 1);
      }
    }
    throw new AuditAppendError(`${this.tableName}: no free sequence number for incident ${incidentKey} after ${APPEND_ATTEMPTS} attempts`);
  }

  async lastOfExecution(incidentKey: string, executionName: string): Promise<AuditRecord | null> {
    // Newest first, filtered by the execution: normally its record is the newest of the incident (one page, one item).
    const pages = this.query({
      ...this.incidentQuery(incidentKey),
      ScanIndexForward: false,
      FilterExpression: 'executionName = :execution',
      ExpressionAttributeValues: { ':pk': { S: incidentKey }, ':execution': { S: executionName } },
      Limit: 25,
    });
    for await (const page of pages) {
      const first = page.Items?.[0];
      if (first) return toRecord(first);
    }
    return null;
  }

  private async lastSequence(incidentKey: string): Promise<number> {
    const out = await this.client.send(new QueryCommand({
      ...this.incidentQuery(incidentKey),
      ScanIndexForward: false,
      Limit: 1,
      ProjectionExpression: 'sk',
    })).catch((err: unknown) => {
      throw this.tableError(err);
    });
    const sk = out.Items?.[0]?.['sk']?.S;
    return sk ? Number.parseInt(sk, 10) || 0 : 0;
  }

  async listIncident(incidentKey: string): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    for await (const page of this.query(this.incidentQuery(incidentKey))) records.push(...(page.Items ?? []).map(toRecord));
    return records;
  }

  async listIncidents(limit = DEFAULT_INCIDENT_LIMIT): Promise<Array<{ incidentKey: string; last: AuditRecord; steps: number }>> {
    const newest = new Map<string, AuditRecord>();
    const pages = this.query({
      TableName: this.tableName,
      IndexName: AUDIT_BY_TIME_INDEX,
      KeyConditionExpression: 'gsi1pk = :incident',
      ExpressionAttributeValues: { ':incident': { S: INCIDENT_PARTITION } },
      ScanIndexForward: false,
    });
    // Newest first: the first record seen of an incident is its last one.
    scan: for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const record = toRecord(item);
        if (!newest.has(record.incidentKey)) newest.set(record.incidentKey, record);
        if (newest.size >= limit) break scan;
      }
    }
    const incidents = [];
    for (const [incidentKey, last] of newest) incidents.push({ incidentKey, last, steps: await this.countSteps(incidentKey) });
    return incidents;
  }

  private async countSteps(incidentKey: string): Promise<number> {
    let steps = 0;
    for await (const page of this.query({ ...this.incidentQuery(incidentKey), Select: 'COUNT' })) steps += page.Count ?? 0;
    return steps;
  }

  private incidentQuery(incidentKey: string): QueryCommandInput {
    return {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: incidentKey } },
      ScanIndexForward: true,
      ConsistentRead: true,
    };
  }

  private async *query(input: QueryCommandInput) {
    try {
      yield* paginateQuery({ client: this.client }, input);
    } catch (err) {
      throw this.tableError(err);
    }
  }

  private tableError(err: unknown): unknown {
    if (awsErrorOf(err)?.code === 'ResourceNotFound') {
      return new AuditTableNotFoundError(`DynamoDB table ${this.tableName} does not exist (or is not in region ${this.region ?? 'of the default credential chain'}): name the audit table of the deployment (its stack output)`);
    }
    return toPortError(err);
  }
}

/** The same append (a retried put whose first answer was lost), not another writer's record. */
function sameRecord(a: AuditRecord, b: AuditRecord): boolean {
  return a.step === b.step && a.executionName === b.executionName && a.timestamp === b.timestamp && a.action === b.action && a.target === b.target && a.actor === b.actor;
}

function toRecord(item: Record<string, AttributeValue> | Record<string, unknown>): AuditRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...record } = unmarshall(item as Parameters<typeof unmarshall>[0]) as AuditItem;
  return record;
}
