/**
 * AuditStore on DynamoDB. Table: pk = incidentKey, sk = step (strings). GSI "byTime" (projection
 * ALL): gsi1pk = "incident", gsi1sk = "<timestamp>#<incidentKey>", so the newest records come first.
 */
import { DynamoDBClient, PutItemCommand, paginateQuery, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditRecord, AuditStore } from '../../core/audit-record.ts';
import { awsClient } from './clients.ts';
import { mapErrors, toPortError } from './errors.ts';

export const AUDIT_BY_TIME_INDEX = 'byTime';
const INCIDENT_PARTITION = 'incident';
const DEFAULT_INCIDENT_LIMIT = 20;

type AuditItem = AuditRecord & { pk: string; sk: string; gsi1pk: string; gsi1sk: string };

export class DynamoAuditStore implements AuditStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: { tableName: string; region?: string; client?: DynamoDBClient }) {
    this.tableName = options.tableName;
    this.client = options.client ?? awsClient(DynamoDBClient, options.region);
  }

  async append(record: AuditRecord): Promise<void> {
    const item: AuditItem = {
      ...record,
      pk: record.incidentKey,
      sk: record.step,
      gsi1pk: INCIDENT_PARTITION,
      gsi1sk: `${record.timestamp}#${record.incidentKey}`,
    };
    // A retried step writes the same item again, which is harmless.
    const Item = marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true });
    await mapErrors(this.client.send(new PutItemCommand({ TableName: this.tableName, Item })));
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
      throw toPortError(err);
    }
  }
}

function toRecord(item: Record<string, unknown>): AuditRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...record } = unmarshall(item as Parameters<typeof unmarshall>[0]) as AuditItem;
  return record;
}
