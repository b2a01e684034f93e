import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { builtinScenarioFiles, compareWithExpected, demo } from '../../handlers/cli/demo.ts';
import type { SimulationReport } from '../../handlers/local/run-scenario.ts';
import { ROOT, cli, cliIn, expectInputError, scratchDir } from './run-cli.ts';

describe('iam-autoheal demo', () => {
  it('runs every built-in scenario in seconds and ends with the summary table, all as expected', () => {
    const r = cli('demo');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => /^SCENARIO\s+EVENTS\s+INCIDENTS\s+CAUSE\s+OUTCOME\s+IAM WRITES\s+EC2 WRITES\s+TIME TO FIX\s+AS EXPECTED$/.test(l));
    expect(header).toBeGreaterThan(0);
    const names = builtinScenarioFiles().map((f) => f.split('/').pop()!.replace(/\.json$/, ''));
    const rows = lines.slice(header + 1, header + 1 + names.length);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(names);
    expect(rows.every((row) => row.trimEnd().endsWith('yes'))).toBe(true);
    const storm = rows.find((row) => row.startsWith('scale-out-storm-policy-detached'))!.split(/\s{2,}/);
    expect(storm.slice(1, 7)).toEqual(['408', '1', 'missing-permission', 'fixed', '1', '0']);
    expect(r.stdout).toContain(`all ${names.length} scenario(s) ended as expected`);
    // A short timeline per scenario before the table.
    expect(r.stdout).toContain('── launch-template-without-profile:');
    expect(r.stdout).toMatch(/ApplyAction\s+8 × associate-profile done/);
    expect(r.ms).toBeLessThan(45_000);
  });

  it('--scenario NAME --json runs just that scenario, from any working directory, and says whether it ended as expected', () => {
    const r = cliIn(scratchDir('elsewhere'), 'demo', '--scenario', 'observe-mode', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.failed).toBe(0);
    expect(doc.scenarios).toHaveLength(1);
    expect(doc.scenarios[0]).toMatchObject({ scenario: 'observe-mode', asExpected: true, mismatches: [] });
    expect(doc.scenarios[0].report.incidents[0]).toMatchObject({ cause: 'no-instance-profile', status: 'observed' });
  });

  it('an unknown scenario name is one line naming it, exit 2', () => {
    expectInputError(cli('demo', '--scenario', 'no-such-scenario'), 'no-such-scenario', /no built-in scenario/);
  });

  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  it('a scenario that does not end as expected makes demo exit 1 and says how it differs', async () => {
    const dir = scratchDir('scenarios');
    copyFileSync(join(ROOT, 'scenarios/launch-without-profile.json'), join(dir, 'launch-without-profile.json'));
    const wrong = JSON.parse(readFileSync(join(ROOT, 'scenarios/observe-mode.json'), 'utf8'));
    wrong.expected.status = 'fixed';
    writeFileSync(join(dir, 'observe-mode.json'), JSON.stringify(wrong));
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    await demo({}, dir);
    expect(process.exitCode).toBe(1);
    const text = out.join('');
    expect(text).toMatch(/^launch-without-profile\s.*\syes$/m);
    expect(text).toMatch(/^observe-mode\s.*NO: status "observed", expected "fixed"$/m);
    expect(text).toContain('1 of 2 scenario(s) did NOT end as expected');
  });

  it('an outcome that differs from the expected one is reported in words', () => {
    const report = {
      incidents: [{ key: 'k', events: 3, cause: 'missing-permission', status: 'escalated', actions: [{ type: 'attach-policy', target: 'r', result: 'done' }] }],
      ignoredEvents: 0,
      refusedEvents: [{ item: 'events[1]', eventId: 'e', reason: 'forged' }],
      api: { iamWrites: 1, ec2Writes: 0, reads: 3, throttled: 0 },
    } as unknown as SimulationReport;
    expect(compareWithExpected(report, { cause: 'missing-permission', status: 'escalated', writes: { iam: 1, ec2: 0 }, actions: ['attach-policy'] })).toEqual([]);
    expect(compareWithExpected(report, { status: 'fixed', writes: { iam: 0 } })).toEqual(['status "escalated", expected "fixed"', 'IAM writes 1, expected 0']);
    expect(compareWithExpected(report, { refusedEvents: 0 })).toEqual(['refused events 1, expected 0']);
  });
});
