/** The stores the local runner and the CLI use in place of DynamoDB. */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonLinesAuditStore } from '../../handlers/adapters/local/audit-store.ts';
import { MemoryChangeBudget, MemoryLock } from '../../handlers/adapters/local/budget-and-lock.ts';
import type { AuditRecord } from '../../handlers/core/audit-record.ts';
import { ROOT } from '../cli/run-cli.ts';

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
    await writer.append('a', (seq) => record('a', `000${seq}-intent`, '2026-01-01T00:00:01Z'));
    await writer.append('a', (seq) => record('a', `000${seq}-result`, '2026-01-01T00:00:02Z'));
    await writer.append('b', (seq) => record('b', `000${seq}-decision`, '2026-01-01T00:05:00Z'));
    const reader = new JsonLinesAuditStore(path);
    expect((await reader.listIncident('a')).map((r) => r.step)).toEqual(['0001-intent', '0002-result']);
    expect((await reader.lastOfExecution('a', 'e'))?.step).toBe('0002-result');
    expect((await reader.listIncidents()).map((i) => [i.incidentKey, i.steps])).toEqual([['b', 1], ['a', 2]]);
    expect(await reader.listIncidents(1)).toHaveLength(1);
  });

  it('reads a missing file as an empty trail, and names the line that is not a record', async () => {
    const path = file();
    expect(await new JsonLinesAuditStore(path).listIncidents()).toEqual([]);
    await new JsonLinesAuditStore(path).append('a', () => record('a', '0001-intent', '2026-01-01T00:00:01Z'));
    appendFileSync(path, '{oops\n');
    await expect(new JsonLinesAuditStore(path).listIncident('a')).rejects.toThrow(/line 2 is not a JSON audit record/);
  });

  const step = (seq: number) => `${String(seq).padStart(4, '0')}-decision`;

  it('N appends in parallel through two stores on one file leave N records, numbered 1…N, without re-reading the trail', async () => {
    const path = file();
    const stores = [new JsonLinesAuditStore(path), new JsonLinesAuditStore(path)];
    const N = 50;
    await Promise.all(Array.from({ length: N }, (_, i) => stores[i % 2]!.append('a', (seq) => record('a', step(seq), `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`))));
    const steps = (await new JsonLinesAuditStore(path).listIncident('a')).map((r) => r.step);
    expect(steps).toEqual(Array.from({ length: N }, (_, i) => step(i + 1)));
  });

  it('appends of several processes at once never share a sequence number', () => {
    const path = file();
    const script = `import { JsonLinesAuditStore } from ${JSON.stringify(join(ROOT, 'handlers/adapters/local/audit-store.ts'))};
      const store = new JsonLinesAuditStore(process.argv[1]);
      for (let i = 0; i < 40; i++) await store.append('a', (seq) => ({ incidentKey: 'a', executionName: 'p' + process.pid, step: String(seq).padStart(4, '0') + '-decision', phase: 'decision', cause: null, account: '1', region: 'r', target: 't', action: 'decision', before: null, after: null, result: 'info', error: null, actor: 'x', timestamp: new Date().toISOString() }));`;
    const children = Array.from({ length: 3 }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path], { stdio: 'inherit' }));
    return Promise.all(children.map((c) => new Promise<void>((resolve, reject) => c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))))))).then(async () => {
      const records = await new JsonLinesAuditStore(path).listIncident('a');
      expect(records).toHaveLength(120);
      expect(new Set(records.map((r) => r.step)).size).toBe(120);
      expect(new Set(records.map((r) => r.executionName)).size).toBe(3);
    });
  }, 30_000);
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
