/** Time to remediate on the simulated clock: the workflow's adaptive waits against a fixed 120 s wait. */
import { parseScenario } from '../adapters/simulated/scenario.ts';
import { runScenario, type SimulationReport } from '../local/run-scenario.ts';
import { denialStormScenario } from './storm-scenarios.ts';
import { round } from './numbers.ts';

export const TTR_TARGET_RATIO = 1.2;
export const FIXED_WAIT_SECONDS = 120;
const TTR_STORM = { events: 10, instances: 2, windowSeconds: 1 };

/** What most tools do: one fixed wait before verifying, no backoff (the same runner, only the config differs). */
export const FIXED_WAIT_CONFIG = { propagation: { firstWaitSeconds: FIXED_WAIT_SECONDS, maxWaitSeconds: FIXED_WAIT_SECONDS, budgetSeconds: 10 * FIXED_WAIT_SECONDS } };

/** What-if: the same adaptive loop with each wait capped at 5 s (config only). */
export const CAPPED_WAIT_CONFIG = { propagation: { firstWaitSeconds: 2, maxWaitSeconds: 5, budgetSeconds: 300 } };

export const TTR_METHOD =
  'Scenario: the denial storm of section 1 at 10 denials from 2 instances (declared policy detached → attach-policy), ' +
  'physics.propagationSeconds set per row. Time = simulated seconds from the first denial to the Verify that succeeds. ' +
  'The simulated clock moves only by Wait states and Retry pauses: Lambda and API call latency are not on it, so ' +
  '"step latency" is the time outside propagation waits (retry pauses), and in AWS both columns gain the same few ' +
  'hundred milliseconds per step. Adaptive = the default configuration (first wait 2 s, grown ×1.5 by Verify up to ' +
  'maxWaitSeconds 10: 2, 3, 4, 6, 9, 10, 10, … s). Fixed = the same runner and scenario with config.propagation ' +
  `{ firstWaitSeconds: ${FIXED_WAIT_SECONDS}, maxWaitSeconds: ${FIXED_WAIT_SECONDS} }: one ${FIXED_WAIT_SECONDS} s wait, no backoff. ` +
  'Capped = what-if with { maxWaitSeconds: 5 }: 2, 3, 4 s, then a Verify every 5 s.';

export interface RemediationRun {
  /** First event → successful Verify, simulated seconds (null: never verified). */
  seconds: number | null;
  waitedSeconds: number;
  stepLatencySeconds: number;
  verifyInvocations: number;
  status: string;
}

export interface TimeToRemediateRow {
  propagationSeconds: number;
  floorSeconds: number;
  adaptive: RemediationRun;
  adaptiveRatio: number | null;
  fixed: RemediationRun;
  fixedRatio: number | null;
  capped: RemediationRun;
  cappedRatio: number | null;
  met: boolean;
}

export interface TimeToRemediateResult {
  inputs: { scenario: string; events: number; instances: number; windowSeconds: number; adaptiveConfig: 'defaults'; fixedConfig: typeof FIXED_WAIT_CONFIG; cappedConfig: typeof CAPPED_WAIT_CONFIG };
  method: string;
  rows: TimeToRemediateRow[];
  met: boolean;
}

function firstEventMs(events: unknown[]): number {
  return Math.min(...events.map((e) => Date.parse((e as { eventTime: string }).eventTime)));
}

/** Reads one incident's waits and its successful Verify off the timeline. */
export function remediationRun(report: SimulationReport, firstEvent: number): RemediationRun {
  const incident = report.incidents[0];
  if (!incident || report.incidents.length !== 1) throw new Error(`expected one incident, got ${report.incidents.length}`);
  const mine = report.timeline.filter((t) => t.incident === incident.key);
  const verified = mine.find((t) => t.step === 'Verify' && t.text.startsWith('verified'));
  const waits = mine.filter((t) => t.step === 'WaitForPropagation' && (!verified || Date.parse(t.at) <= Date.parse(verified.at)));
  const waitedSeconds = waits.reduce((sum, t) => sum + Number(/waited ([\d.]+)s/.exec(t.text)?.[1] ?? 0), 0);
  const seconds = verified ? (Date.parse(verified.at) - firstEvent) / 1000 : null;
  return {
    seconds,
    waitedSeconds,
    stepLatencySeconds: seconds === null ? 0 : round(seconds - waitedSeconds, 3),
    verifyInvocations: mine.filter((t) => t.step === 'Verify' && !t.text.startsWith('retry after')).length,
    status: incident.status,
  };
}

async function remediate(propagationSeconds: number, config?: Record<string, unknown>): Promise<RemediationRun> {
  const json = denialStormScenario({ ...TTR_STORM, propagationSeconds, config });
  const report = await runScenario(parseScenario(json, `bench time to remediate (propagation ${propagationSeconds} s)`), {});
  return remediationRun(report, firstEventMs(json.events));
}

const ratio = (seconds: number | null, floor: number) => (seconds === null ? null : round(seconds / floor, 2));

export async function measureTimeToRemediate(propagations: number[], progress: (line: string) => void): Promise<TimeToRemediateResult> {
  const rows: TimeToRemediateRow[] = [];
  for (const propagationSeconds of propagations) {
    const adaptive = await remediate(propagationSeconds);
    const fixed = await remediate(propagationSeconds, FIXED_WAIT_CONFIG);
    const capped = await remediate(propagationSeconds, CAPPED_WAIT_CONFIG);
    const floorSeconds = round(propagationSeconds + adaptive.stepLatencySeconds, 2);
    const adaptiveRatio = ratio(adaptive.seconds, floorSeconds);
    rows.push({
      propagationSeconds,
      floorSeconds,
      adaptive,
      adaptiveRatio,
      fixed,
      fixedRatio: ratio(fixed.seconds, floorSeconds),
      capped,
      cappedRatio: ratio(capped.seconds, floorSeconds),
      met: adaptive.status === 'fixed' && adaptiveRatio !== null && adaptiveRatio <= TTR_TARGET_RATIO,
    });
    progress(`time to remediate: propagation ${propagationSeconds} s → adaptive ${adaptive.seconds} s (${adaptiveRatio}× floor, ${adaptive.verifyInvocations} verifies), fixed wait ${fixed.seconds} s`);
  }
  return {
    inputs: { scenario: 'denial storm (declared policy detached → attach-policy)', ...TTR_STORM, adaptiveConfig: 'defaults', fixedConfig: FIXED_WAIT_CONFIG, cappedConfig: CAPPED_WAIT_CONFIG },
    method: TTR_METHOD,
    rows,
    met: rows.every((r) => r.met),
  };
}
