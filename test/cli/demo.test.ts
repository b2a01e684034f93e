import { describe, expect, it } from 'vitest';
import { builtinScenarioFiles, compareWithExpected } from '../../handlers/cli/demo.ts';
import type { SimulationReport } from '../../handlers/local/run-scenario.ts';
import { cli, expectInputError } from './run-cli.ts';

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

  it('--scenario NAME --json runs just that scenario and says whether it ended as expected', () => {
    const r = cli('demo', '--scenario', 'observe-mode', '--json');
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

  it('an outcome that differs from the expected one is reported in words (and makes demo exit 1)', () => {
    const report = {
      incidents: [{ key: 'k', events: 3, cause: 'missing-permission', status: 'escalated', actions: [{ type: 'attach-policy', target: 'r', result: 'done' }] }],
      ignoredEvents: 0,
      api: { iamWrites: 1, ec2Writes: 0, reads: 3, throttled: 0 },
    } as unknown as SimulationReport;
    expect(compareWithExpected(report, { cause: 'missing-permission', status: 'escalated', writes: { iam: 1, ec2: 0 }, actions: ['attach-policy'] })).toEqual([]);
    expect(compareWithExpected(report, { status: 'fixed', writes: { iam: 0 } })).toEqual(['status "escalated", expected "fixed"', 'IAM writes 1, expected 0']);
  });
});
