import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = 'test/fixtures/cloudtrail';

/** Runs the CLI as a user would: node bin/iam-autoheal.js … from the project root. */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/iam-autoheal.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scratch(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'triage-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const fixtures = readdirSync(join(ROOT, FIXTURES)).filter((f) => f.endsWith('.json')).sort().map((f) => `${FIXTURES}/${f}`);

describe('iam-autoheal triage', () => {
  it('--json prints one parsable object per record with the contract fields', () => {
    const r = cli('triage', '--json', ...fixtures);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(fixtures.length);
    for (const c of lines) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['eventId', 'kind', 'reason', 'principal', 'action', 'resource', 'denial', 'launch']));
      expect(Object.keys(c.principal)).toEqual(expect.arrayContaining(['roleName', 'roleArn', 'instanceId', 'accountId']));
    }
    const denied = lines.filter((c) => c.kind === 'access-denied');
    expect(denied.map((c) => c.principal.instanceId).sort()).toEqual(['i-02930ce60274d87a7', 'i-0faac5b395d439771']);
    expect(denied.every((c) => /^deny-[A-Za-z0-9_-]+$/.test(c.incidentKey))).toBe(true);
    expect(lines.filter((c) => c.kind === 'ignored').every((c) => c.incidentKey === null)).toBe(true);
    expect(lines.filter((c) => c.kind === 'launch')).toHaveLength(4);
    expect(lines.filter((c) => c.kind === 'change')).toHaveLength(2);
    // Publisher-sanitized recording accounts that are no account id: reported, never used.
    const refused = lines.filter((c) => c.rejection);
    expect(refused.map((c) => c.kind)).toEqual(['ignored', 'ignored', 'ignored', 'ignored', 'ignored']);
    expect(refused.every((c) => c.accountId === null && /not a 12-digit account id/.test(c.rejection))).toBe(true);
    expect(lines.filter((c) => !c.rejection).every((c) => /^\d{12}$/.test(c.accountId))).toBe(true);
  }, 30_000);

  it('prints a readable table and a one-line count summary by default', () => {
    const r = cli('triage', ...fixtures);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^FILE\s+KIND\s+TIME\s+ACTION\s+PRINCIPAL\s+DETAIL$/);
    // The KIND column starts at the same place on every row.
    const kindAt = lines[0].indexOf('KIND');
    const rows = lines.slice(1, 1 + fixtures.length);
    expect(rows.every((row) => /^(access-denied|launch|change|ignored) /.test(row.slice(kindAt)))).toBe(true);
    expect(lines.at(-1)).toBe(`${fixtures.length} record(s): 2 access-denied, 4 launch, 2 change, ${fixtures.length - 8} ignored (5 refused as input: forged envelope, malformed or foreign account); 5 incident(s)`);
  }, 30_000);

  it('reads a log file with several records', () => {
    const log = scratch('log.json', JSON.stringify({ Records: [1, 2, 3].map((n) => ({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: `e${n}` })) }));
    const r = cli('triage', '--json', log);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).eventId)).toEqual(['e1', 'e2', 'e3']);
  }, 30_000);

  it('--help explains the command and exits 0', () => {
    const r = cli('triage', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: iam-autoheal triage \[options\] <file\.\.\.>/);
    expect(r.stdout).toMatch(/--json/);
  }, 30_000);

  it.each([
    ['a missing file', () => 'no/such/file.json', /^iam-autoheal: no\/such\/file\.json: cannot read: no such file\n$/],
    ['invalid JSON', () => scratch('bad.json', '{"Records": ['), /^iam-autoheal: \S+bad\.json: invalid JSON: .+\n$/],
    ['JSON that is no CloudTrail record', () => scratch('other.json', '{"hello": "world"}'), /^iam-autoheal: \S+other\.json: not a CloudTrail record: no eventName\/eventSource\n$/],
    ['an empty log file', () => scratch('empty.json', '{"Records": []}'), /^iam-autoheal: \S+empty\.json: holds no CloudTrail record\n$/],
    ['a directory', () => FIXTURES, /^iam-autoheal: test\/fixtures\/cloudtrail: cannot read: is a directory\n$/],
  ])('%s: exit 2, one line on stderr naming the file, no stack trace, no output', (_name, file, message) => {
    const r = cli('triage', fixtures[0], file());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  }, 30_000);

  it('without a file: usage error, exit 2', () => {
    const r = cli('triage');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument/);
  }, 30_000);
});
