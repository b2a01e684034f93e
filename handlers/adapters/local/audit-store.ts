/** AuditStore without AWS: in memory (tests) or as JSON lines in a file (`simulate --audit`, `audit`, `undo`). */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditRecord, AuditStore } from '../../core/audit-record.ts';

function byStep(a: AuditRecord, b: AuditRecord): number {
  return a.step.localeCompare(b.step) || a.timestamp.localeCompare(b.timestamp);
}

function summarize(records: AuditRecord[], limit?: number): Array<{ incidentKey: string; last: AuditRecord; steps: number }> {
  const byIncident = new Map<string, AuditRecord[]>();
  for (const r of records) {
    const list = byIncident.get(r.incidentKey);
    if (list) list.push(r);
    else byIncident.set(r.incidentKey, [r]);
  }
  const rows = [...byIncident].map(([incidentKey, list]) => {
    const sorted = [...list].sort(byStep);
    return { incidentKey, last: sorted[sorted.length - 1]!, steps: sorted.length };
  });
  rows.sort((a, b) => b.last.timestamp.localeCompare(a.last.timestamp) || a.incidentKey.localeCompare(b.incidentKey));
  return limit === undefined ? rows : rows.slice(0, limit);
}

export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];

  async append(record: AuditRecord): Promise<void> {
    this.records.push(structuredClone(record));
  }

  async listIncident(incidentKey: string): Promise<AuditRecord[]> {
    return this.records.filter((r) => r.incidentKey === incidentKey).sort(byStep);
  }

  async listIncidents(limit?: number): Promise<Array<{ incidentKey: string; last: AuditRecord; steps: number }>> {
    return summarize(this.records, limit);
  }
}

export class AuditFileError extends Error {
  override readonly name = 'AuditFileError' as const;
}

/** One JSON record per line, appended synchronously so that an intent is on disk before its change is made. */
export class JsonLinesAuditStore implements AuditStore {
  constructor(readonly path: string) {}

  async append(record: AuditRecord): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }

  async listIncident(incidentKey: string): Promise<AuditRecord[]> {
    return this.readAll().filter((r) => r.incidentKey === incidentKey).sort(byStep);
  }

  async listIncidents(limit?: number): Promise<Array<{ incidentKey: string; last: AuditRecord; steps: number }>> {
    return summarize(this.readAll(), limit);
  }

  private readAll(): AuditRecord[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => {
        try {
          return JSON.parse(line) as AuditRecord;
        } catch {
          throw new AuditFileError(`${this.path}: line ${i + 1} is not a JSON audit record`);
        }
      });
  }
}
