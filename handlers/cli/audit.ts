/** `iam-autoheal audit [--file F | --table T] [--incident KEY] [--json]`: incidents and their steps. */
import type { Command } from 'commander';
import { JsonLinesAuditStore } from '../adapters/local/audit-store.ts';
import type { AuditRecord, AuditStore } from '../core/audit-record.ts';
import { InputError } from './errors.ts';
import { asInputErrors } from './input.ts';
import { table } from './render.ts';

/** Where `simulate --audit` and the local runner write by default. */
export const DEFAULT_AUDIT_FILE = '.audit/audit.jsonl';

export interface AuditSourceOptions {
  file?: string;
  table?: string;
  region?: string;
}

/** The local JSON-lines trail by default; the DynamoDB table of a deployment with --table. */
export async function auditStoreFor(options: AuditSourceOptions): Promise<{ store: AuditStore; label: string }> {
  if (options.table && options.file) throw new InputError('--file and --table: give one audit trail, not both');
  if (options.table) {
    const { DynamoAuditStore } = await import('../adapters/aws/index.ts');
    return { store: new DynamoAuditStore({ tableName: options.table, region: options.region }), label: `DynamoDB table ${options.table}` };
  }
  const file = options.file ?? DEFAULT_AUDIT_FILE;
  return { store: new JsonLinesAuditStore(file), label: file };
}

function describeRecord(r: AuditRecord): string {
  if (r.phase === 'decision') return String((r.params ?? {})['summary'] ?? '');
  if (r.phase === 'notification') return String((r.after as { subject?: string } | null)?.subject ?? '');
  if (r.error) return r.error;
  if (r.phase.startsWith('undo')) return String((r.params ?? {})['detail'] ?? `undo of ${(r.params ?? {})['undoes'] ?? '?'}`);
  return String((r.params ?? {})['reason'] ?? '');
}

interface AuditOptions extends AuditSourceOptions {
  incident?: string;
  json?: boolean;
  limit?: string;
}

export async function audit(options: AuditOptions): Promise<void> {
  const { store, label } = await auditStoreFor(options);
  const limit = options.limit === undefined ? undefined : Number.parseInt(options.limit, 10);
  if (limit !== undefined && !(limit > 0)) throw new InputError(`--limit ${options.limit}: a positive number expected`);
  if (options.incident) {
    const records = await asInputErrors(() => store.listIncident(options.incident!));
    if (records.length === 0) throw new InputError(`${label}: no audit record of incident ${options.incident}`);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ incident: options.incident, records }, null, 2)}\n`);
      return;
    }
    const rows = records.map((r) => [r.step, r.timestamp, r.action, r.target, r.result, describeRecord(r)]);
    process.stdout.write(`incident ${options.incident} (${label}), cause ${records[0]!.cause ?? '-'}, execution ${records[0]!.executionName}\n${table([['STEP', 'TIME', 'ACTION', 'TARGET', 'RESULT', 'WHY / DETAIL'], ...rows])}\n`);
    return;
  }
  const incidents = await asInputErrors(() => store.listIncidents(limit));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ source: label, incidents }, null, 2)}\n`);
    return;
  }
  if (incidents.length === 0) {
    process.stdout.write(`no incident in ${label}\n`);
    return;
  }
  const rows = incidents.map(({ incidentKey, last, steps }) => [incidentKey, last.cause ?? '-', String(steps), last.timestamp, `${last.phase} ${last.action} ${last.result}`]);
  process.stdout.write(`${table([['INCIDENT', 'CAUSE', 'STEPS', 'LAST', 'LAST STEP'], ...rows])}\n`);
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('List the incidents of the audit trail, or the steps of one incident.')
    .option('--file <file>', `local JSON-lines audit trail (default ${DEFAULT_AUDIT_FILE})`)
    .option('--table <name>', 'DynamoDB audit table of a deployment (default credential chain)')
    .option('--region <region>', 'region of the DynamoDB table')
    .option('--incident <key>', 'show every step of this incident')
    .option('--limit <n>', 'at most this many incidents, newest first')
    .option('--json', 'print one JSON document')
    .action((options: AuditOptions) => audit(options));
}
