/**
 * A slice of the fault matrix (docs/RELIABILITY.md, `npm run fault-matrix` for all of it): the trust repair's write
 * and a read of every step, under each fault, through the real ASL and handlers. No cell loses its incident, writes
 * twice or leaves the audit trail at odds with the account; undo restores whatever was written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, SimulatedAccount } from '../../handlers/adapters/simulated/index.ts';
import { MATRIX_END, MATRIX_START, renderMatrix, writeBetweenMarkers } from '../../handlers/cli/fault-matrix.ts';
import type { AuditRecord } from '../../handlers/core/audit-record.ts';
import { auditCheck, FAULT_KINDS, runFaultMatrix, type MatrixResult } from '../../handlers/local/fault-matrix.ts';
import { cli, expectInputError, ROOT } from '../cli/run-cli.ts';

const load = (name: string) => loadScenarioFile(join(ROOT, 'scenarios', `${name}.json`));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the fault matrix, on the trust repair', () => {
  let result: MatrixResult;
  const cell = (api: string, fault: string) => result.rows.find((r) => r.site.api === api)!.cells.find((c) => c.fault === fault)!;

  it('runs each fault on the write and on a read of every step, and no cell breaks an invariant', async () => {
    result = await runFaultMatrix({ scenarios: ['trust-policy-lost-ec2'], apis: ['UpdateAssumeRolePolicy', 'GetRole'], load });
    expect(result.rows.map((r) => [r.site.api, r.site.steps])).toEqual([['GetRole', ['Diagnose', 'ApplyAction', 'Verify']], ['UpdateAssumeRolePolicy', ['ApplyAction']]]);
    expect(result.rows.every((r) => r.cells.map((c) => c.fault).join() === FAULT_KINDS.join())).toBe(true);
    expect(result.cells).toBe(13);
    expect(result.rows.flatMap((r) => r.cells.filter((c) => !c.ok).map((c) => `${r.site.api} ${c.fault}: ${c.why}`))).toEqual([]);
    for (const c of result.rows.flatMap((r) => r.cells).filter((c) => c.status !== null)) {
      expect(c.lostIncident).toBe(false);
      expect(c.writes).toBeLessThanOrEqual(c.cleanWrites);
      expect(c.auditConsistent).toBe(true);
      if (c.writes > 0) expect(c.undoRestores).toBe(true);
    }
  });

  it('retries a crash or a transient error on the write to exactly the one write, which undo takes back', () => {
    for (const fault of ['throttling', 'transient', 'not-found', 'crash-before', 'crash-after', 'crash-after-result']) {
      expect(cell('UpdateAssumeRolePolicy', fault), fault).toMatchObject({ status: 'fixed', writes: 1, auditConsistent: true, undoRestores: true });
    }
  });

  it('ends a write the service may not make as failed, recorded and told, with nothing written', () => {
    expect(cell('UpdateAssumeRolePolicy', 'access-denied')).toMatchObject({ status: 'failed', writes: 0, lostIncident: false, auditConsistent: true, undoRestores: null });
    expect(cell('GetRole', 'crash-after-result')).toMatchObject({ status: null, why: 'a read writes no result record' });
  });

  it('renders the table and writes it between the markers only', () => {
    const text = renderMatrix(result, 'iam-autoheal fault-matrix --scenario trust-policy-lost-ec2');
    expect(text).toMatch(/2 calls × 7 faults = 13 cells run, 1 not applicable, \*\*0 breaking an invariant\*\*/);
    expect(text).toContain('| trust-policy-lost-ec2 | `UpdateAssumeRolePolicy` ×1 (ApplyAction; clean 1w) | fixed · 1w · audit ✓ · undo ✓ |');
    const dir = mkdtempSync(join(tmpdir(), 'fault-matrix-'));
    dirs.push(dir);
    const file = join(dir, 'doc.md');
    writeFileSync(file, `# Title\n\nbefore\n${MATRIX_START}\nold table\n${MATRIX_END}\nafter\n`);
    writeBetweenMarkers(file, text);
    const written = readFileSync(file, 'utf8');
    expect(written.startsWith(`# Title\n\nbefore\n${MATRIX_START}\n${text}\n${MATRIX_END}\nafter\n`)).toBe(true);
    writeFileSync(file, 'no markers\n');
    expect(() => writeBetweenMarkers(file, text)).toThrow(/markers .* are not both there/);
  });
});

describe('the fault matrix, on the inline-policy repair of a drift', () => {
  it('retries each fault on PutRolePolicy to exactly the one write, which undo takes back; refused, nothing is written', async () => {
    const result = await runFaultMatrix({ scenarios: ['drift-declared-statement-dropped'], apis: ['PutRolePolicy'], load });
    const cells = result.rows[0]!.cells;
    expect(result.failing).toBe(0);
    for (const c of cells.filter((c) => c.fault !== 'access-denied')) expect(c, c.fault).toMatchObject({ status: 'prevented', writes: 1, auditConsistent: true, undoRestores: true });
    expect(cells.find((c) => c.fault === 'access-denied')).toMatchObject({ status: 'failed', writes: 0, lostIncident: false, auditConsistent: true });
  });
});

describe('the audit check', () => {
  it('finds a change the trail does not record, and a recorded change the account does not show', () => {
    const scenario = load('trust-policy-lost-ec2');
    const initial = new SimulatedAccount(scenario).snapshot();
    const after = structuredClone(initial);
    const role = after.roles![0]!;
    role.trustPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const record = (phase: string, target: string) => ({ phase, action: 'merge-trust', target, result: phase === 'result' ? 'done' : 'pending' }) as unknown as AuditRecord;
    expect(auditCheck(initial, after, [])).toMatchObject({ unrecorded: [role.name], phantom: [] });
    expect(auditCheck(initial, after, [record('intent', role.name), record('result', role.name)])).toMatchObject({ unrecorded: [], phantom: [] });
    expect(auditCheck(initial, initial, [record('intent', role.name), record('result', role.name)])).toMatchObject({ unrecorded: [], phantom: [role.name] });
  });
});

describe('iam-autoheal fault-matrix', () => {
  it('answers --help and names an unknown fault or scenario on one line, exit 2', () => {
    const help = cli('fault-matrix', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--write <file>/);
    const fault = cli('fault-matrix', '--fault', 'meteor');
    expect([fault.code, fault.stderr.trim()]).toEqual([2, 'iam-autoheal: --fault: unknown fault "meteor" (one of throttling, transient, not-found, access-denied, crash-before, crash-after, crash-after-result)']);
    expectInputError(cli('fault-matrix', '--scenario', 'no-such-scenario'), 'no-such-scenario.json', /cannot read the file/);
  });
});
