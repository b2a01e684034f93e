/** The stores the local runner and the CLI use in place of DynamoDB. */
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonLinesAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { MemoryChangeBudget, MemoryLock } from '../../handlers/adapters/local/budget-and-lock.ts';
import type { AuditRecord } from '../../handlers/core/audit-record.ts';

function record(incidentKey: string, step: string, timestamp: string): AuditRecord {
  return {
    incidentKey, executionName: 'e', step, phase: 'decision', cause: null, account: '111122223333', region: 'eu-west-1',
    target: 't', action: 'decision', before: null, after: null, result: 'info', error: null, actor: 'a', timestamp,
  };
}

describe('JsonLinesAuditStore', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'autoheal-audit-')), 'nested', 'audit.jsonl');

  it('keeps records across store instances, per incident in step order, incidents newest first', async () => {
    const path = file();
    const writer = new JsonLinesAuditStore(path);
    await writer.append(record('a', '0002-result', '2026-01-01T00:00:02Z'));
    await writer.append(record('a', '0001-intent', '2026-01-01T00:00:01Z'));
    await writer.append(record('b', '0001-decision', '2026-01-01T00:05:00Z'));
    const reader = new JsonLinesAuditStore(path);
    expect((await reader.listIncident('a')).map((r) => r.step)).toEqual(['0001-intent', '0002-result']);
    expect((await reader.listIncidents()).map((i) => [i.incidentKey, i.steps])).toEqual([['b', 1], ['a', 2]]);
    expect(await reader.listIncidents(1)).toHaveLength(1);
  });

  it('reads a missing file as an empty trail, and names the line that is not a record', async () => {
    const path = file();
    expect(await new JsonLinesAuditStore(path).listIncidents()).toEqual([]);
    await new JsonLinesAuditStore(path).append(record('a', '0001-intent', '2026-01-01T00:00:01Z'));
    appendFileSync(path, '{oops\n');
    await expect(new JsonLinesAuditStore(path).listIncident('a')).rejects.toThrow(/line 2 is not a JSON audit record/);
  });
});

describe('MemoryChangeBudget', () => {
  it('refuses a change past the hourly limit and starts afresh the next hour', async () => {
    const budget = new MemoryChangeBudget();
    const at = new Date('2026-01-01T10:59:00Z');
    expect(await budget.consume('111122223333', 'iam', 2, 2, at)).toBe(true);
    expect(await budget.consume('111122223333', 'iam', 1, 2, at)).toBe(false);
    expect(await budget.used('111122223333', 'iam', at)).toBe(2);
    expect(await budget.used('111122223333', 'ec2', at)).toBe(0);
    expect(await budget.consume('111122223333', 'iam', 1, 2, new Date('2026-01-01T11:00:00Z'))).toBe(true);
  });
});

describe('MemoryLock', () => {
  it('holds a role for one owner until released or expired', async () => {
    const lock = new MemoryLock();
    const at = new Date('2026-01-01T10:00:00Z');
    expect(await lock.acquire('role', 'x', 60, at)).toBe(true);
    expect(await lock.acquire('role', 'y', 60, at)).toBe(false);
    await lock.release('role', 'y');
    expect(lock.holder('role')).toBe('x');
    expect(await lock.acquire('role', 'y', 60, new Date(at.getTime() + 61_000))).toBe(true);
    await lock.release('role', 'y');
    expect(lock.holder('role')).toBeNull();
  });
});
