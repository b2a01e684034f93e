/** The local runner moves its one simulated clock to each incident's first event before handling it. */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../handlers/adapters/simulated/index.ts';
import { runScenario } from '../../handlers/local/run-scenario.ts';

const BUSY_HOUR = 'scenarios/busy-hour-three-root-causes.json';

describe('runScenario with several incidents in one stream', () => {
  it('handles each incident no earlier than its first event, in the order of those events, and times it from its event', async () => {
    const report = await runScenario(loadScenarioFile(BUSY_HOUR));
    const starts = report.timeline.filter((e) => e.step === 'StartExecution');
    const launch = report.incidents.find((i) => i.key.startsWith('launch-'))!;
    const launchStart = starts.find((e) => e.incident === launch.key)!;
    // The operator's RunInstances happened at 09:01:15; the storm before it was done by 09:00:26.
    expect(launchStart.at).toBe('2026-11-02T09:01:15.000Z');
    const launchSteps = report.timeline.filter((e) => e.incident === launch.key);
    expect(launchSteps.every((e) => e.at >= '2026-11-02T09:01:15.000Z')).toBe(true);
    const verified = launchSteps.find((e) => e.step === 'Verify' && e.text.startsWith('verified'))!;
    expect(launch.simulatedSeconds).toBe((Date.parse(verified.at) - Date.parse('2026-11-02T09:01:15Z')) / 1000);
    expect(launch.simulatedSeconds).toBeLessThan(10);
    // Incidents in the order of their first event; the clock never goes back.
    expect(starts.map((e) => e.at)).toEqual([...starts.map((e) => e.at)].sort());
    expect(starts[2]!.at).toBe('2026-11-02T09:01:30.000Z');
    const times = report.timeline.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
