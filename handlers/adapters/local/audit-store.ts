/** AuditStore without AWS: in memory (tests) or as JSON lines in a file (`simulate --audit`, `audit`, `undo`). */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditRecord, AuditStore } from '../../core/audit-record.ts';
import { compareSteps, sequenceOf } from '../../core/audit.ts';

type IncidentSummary = { incidentKey: string; last: AuditRecord; steps: number };

function summarize(records: AuditRecord[], limit?: number): IncidentSummary[] {
  const byIncident = new Map<string, AuditRecord[]>();
  for (const r of records) {
    const list = byIncident.get(r.incidentKey);
    if (list) list.push(r);
    else byIncident.set(r.incidentKey, [r]);
  }
  const rows = [...byIncident].map(([incidentKey, list]) => {
    const sorted = [...list].sort(compareSteps);
    return { incidentKey, last: sorted[sorted.length - 1]!, steps: sorted.length };
  });
  rows.sort((a, b) => b.last.timestamp.localeCompare(a.last.timestamp) || a.incidentKey.localeCompare(b.incidentKey));
  return limit === undefined ? rows : rows.slice(0, limit);
}

function lastOf(records: AuditRecord[], executionName: string): AuditRecord | null {
  return records.filter((r) => r.executionName === executionName).sort(compareSteps).at(-1) ?? null;
}

export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];
  private readonly last = new Map<string, number>();

  async append(incidentKey: string, build: (sequence: number) => AuditRecord): Promise<AuditRecord> {
    const record = structuredClone(build((this.last.get(incidentKey) ?? 0) + 1));
    this.last.set(incidentKey, sequenceOf(record.step));
    this.records.push(record);
    return structuredClone(record);
  }

  async listIncident(incidentKey: string): Promise<AuditRecord[]> {
    return this.records.filter((r) => r.incidentKey === incidentKey).sort(compareSteps);
  }

  async lastOfExecution(incidentKey: string, executionName: string): Promise<AuditRecord | null> {
    return lastOf(this.records.filter((r) => r.incidentKey === incidentKey), executionName);
  }

  async listIncidents(limit?: number): Promise<IncidentSummary[]> {
    return summarize(this.records, limit);
  }
}

export class AuditFileError extends Error {
  override readonly name = 'AuditFileError' as const;
}

// Another process holding the lock longer than this has died: its lock is taken over.
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

/**
 * One JSON record per line, appended synchronously so that an intent is on disk before its change is made.
 * Appends take an exclusive lock file and read only the lines other writers added since (never the whole
 * trail): each incident's last sequence number is kept, so that no two records share one.
 */
export class JsonLinesAuditStore implements AuditStore {
  private readBytes = 0;
  private readonly lastSequence = new Map<string, number>();

  constructor(readonly path: string) {}

  async append(incidentKey: string, build: (sequence: number) => AuditRecord): Promise<AuditRecord> {
    mkdirSync(dirname(this.path), { recursive: true });
    return this.locked(() => {
      this.catchUp();
      const record = build((this.lastSequence.get(incidentKey) ?? 0) + 1);
      const line = Buffer.from(`${JSON.stringify(record)}\n`);
      appendFileSync(this.path, line);
      this.readBytes += line.length;
      this.lastSequence.set(incidentKey, Math.max(this.lastSequence.get(incidentKey) ?? 0, sequenceOf(record.step)));
      return record;
    });
  }

  async listIncident(incidentKey: string): Promise<AuditRecord[]> {
    return this.readAll().filter((r) => r.incidentKey === incidentKey).sort(compareSteps);
  }

  async lastOfExecution(incidentKey: string, executionName: string): Promise<AuditRecord | null> {
    return lastOf(await this.listIncident(incidentKey), executionName);
  }

  async listIncidents(limit?: number): Promise<IncidentSummary[]> {
    return summarize(this.readAll(), limit);
  }

  /** Reads the lines appended since this store last looked (by anyone), to know each incident's last sequence. */
  private catchUp(): void {
    const size = existsSync(this.path) ? statSync(this.path).size : 0;
    if (size < this.readBytes) {
      // The file was replaced or truncated: start over.
      this.readBytes = 0;
      this.lastSequence.clear();
    }
    if (size === this.readBytes) return;
    const buffer = Buffer.alloc(size - this.readBytes);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.readBytes);
    } finally {
      closeSync(fd);
    }
    const text = buffer.toString('utf8');
    const complete = text.lastIndexOf('\n') + 1;
    for (const line of text.slice(0, complete).split('\n')) {
      if (line.trim() === '') continue;
      const record = this.parse(line, null);
      this.lastSequence.set(record.incidentKey, Math.max(this.lastSequence.get(record.incidentKey) ?? 0, sequenceOf(record.step)));
    }
    this.readBytes += Buffer.byteLength(text.slice(0, complete));
  }

  /** Runs `body` holding `<file>.lock` (created exclusively), so that appends of several processes never share a number. */
  private locked<T>(body: () => T): T {
    const lock = `${this.path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        closeSync(openSync(lock, 'wx'));
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = lockAge(lock);
        if (age !== null && age > STALE_LOCK_MS) {
          unlinkQuietly(lock);
          continue;
        }
        if (Date.now() > deadline) throw new AuditFileError(`${this.path}: another process holds ${lock}; remove it if no iam-autoheal command is running`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
    try {
      return body();
    } finally {
      unlinkQuietly(lock);
    }
  }

  private parse(line: string, lineNumber: number | null): AuditRecord {
    try {
      return JSON.parse(line) as AuditRecord;
    } catch {
      throw new AuditFileError(`${this.path}: ${lineNumber === null ? 'a line' : `line ${lineNumber}`} is not a JSON audit record`);
    }
  }

  private readAll(): AuditRecord[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .map((line, i) => ({ line, n: i + 1 }))
      .filter(({ line }) => line.trim() !== '')
      .map(({ line, n }) => this.parse(line, n));
  }
}

function lockAge(path: string): number | null {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
