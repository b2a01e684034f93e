/** The benchmark: five measurements, each figure with the inputs that produced it. */
import { measureAmplification, type AmplificationRow } from './amplification.ts';
import { measureColdStart, type ColdStartResult } from './cold-start.ts';
import { measureCost, type CostResult } from './cost.ts';
import { measureFleetScale, type FleetScaleResult } from './fleet-scale.ts';
import { measureIntakeSpeed, type IntakeSpeedResult } from './intake-speed.ts';
import { describeMachine, loadAverage1m, type MachineInfo } from './machine.ts';
import { round } from './numbers.ts';
import { measurePrevention, type PreventionResult } from './prevention.ts';
import { measureTimeToRemediate, type TimeToRemediateResult } from './time-to-remediate.ts';

export interface BenchSizes {
  stormEvents: number[];
  scaleOutInstances: number;
  propagationSeconds: number[];
  intakeRecords: number;
  coldStartRuns: number;
  /** Also bundle and time each step with the AWS SDK left to the runtime (the comparison variant). */
  coldStartSdkFromRuntime: boolean;
  /** Scale-out sizes of the prevention section (a drift, then N instances). */
  preventionInstances: number[];
  /** Scale-out sizes of the fleet scale section (N instances in one incident, against the Step Functions limits). */
  fleetScaleInstances: number[];
}

export const FULL_SIZES: BenchSizes = {
  stormEvents: [10, 100, 1_000, 10_000],
  scaleOutInstances: 200,
  propagationSeconds: [2, 5, 15, 60],
  intakeRecords: 100_000,
  coldStartRuns: 7,
  coldStartSdkFromRuntime: true,
  preventionInstances: [10, 200, 1_000],
  fleetScaleInstances: [1_000, 5_000, 10_000],
};

export const QUICK_SIZES: BenchSizes = {
  stormEvents: [10, 100, 1_000],
  scaleOutInstances: 200,
  propagationSeconds: [2, 5, 15, 60],
  intakeRecords: 50_000,
  coldStartRuns: 1,
  coldStartSdkFromRuntime: false,
  preventionInstances: [10, 200],
  fleetScaleInstances: [200],
};

/** A section that threw: the others still run and the report says which one failed. */
export interface SectionError {
  error: string;
}

export interface BenchResults {
  benchmark: 'iam-autoheal bench';
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  quick: boolean;
  sizes: BenchSizes;
  machine: MachineInfo;
  amplification: { rows: AmplificationRow[]; met: boolean } | SectionError;
  timeToRemediate: TimeToRemediateResult | SectionError;
  cost: CostResult | SectionError;
  intakeSpeed: IntakeSpeedResult | SectionError;
  coldStart: ColdStartResult | SectionError;
  prevention: PreventionResult | SectionError;
  fleetScale: FleetScaleResult | SectionError;
}

/** Sections that could not be measured (a bug, not a missed target). */
export function failedSections(r: BenchResults): string[] {
  const sections = { amplification: r.amplification, timeToRemediate: r.timeToRemediate, cost: r.cost, intakeSpeed: r.intakeSpeed, coldStart: r.coldStart, prevention: r.prevention, fleetScale: r.fleetScale };
  return Object.entries(sections).filter(([, s]) => isSectionError(s)).map(([name]) => name);
}

export function isSectionError(section: object): section is SectionError {
  return 'error' in section && typeof (section as SectionError).error === 'string';
}

async function section<T>(name: string, progress: (line: string) => void, measure: () => T | Promise<T>): Promise<T | SectionError> {
  const started = performance.now();
  try {
    const result = await measure();
    progress(`${name}: done in ${round((performance.now() - started) / 1000, 1)} s`);
    return result;
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    progress(`${name}: FAILED: ${message}`);
    return { error: message };
  }
}

export async function runBench(options: { quick: boolean; sizes?: BenchSizes }, progress: (line: string) => void): Promise<BenchResults> {
  const sizes = options.sizes ?? (options.quick ? QUICK_SIZES : FULL_SIZES);
  const startedAt = new Date();
  const started = performance.now();
  const machine = describeMachine();
  progress(`${options.quick ? 'quick' : 'full'} run on ${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage1m[0]}`);
  const intakeSpeed = await section('intake speed', progress, () => measureIntakeSpeed(sizes.intakeRecords, progress));
  const amplification = await section('amplification', progress, () => measureAmplification(sizes.stormEvents, sizes.scaleOutInstances, progress));
  const timeToRemediate = await section('time to remediate', progress, () => measureTimeToRemediate(sizes.propagationSeconds, progress));
  const cost = await section('cost', progress, () => measureCost(progress));
  const coldStart = await section('cold start', progress, () => measureColdStart(sizes.coldStartRuns, sizes.coldStartSdkFromRuntime, options.quick, progress));
  const prevention = await section('prevention', progress, () => measurePrevention(sizes.preventionInstances, progress));
  const fleetScale = await section('fleet scale', progress, () => measureFleetScale(sizes.fleetScaleInstances, progress));
  machine.loadAverage1m.push(loadAverage1m());
  return {
    benchmark: 'iam-autoheal bench',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: round((performance.now() - started) / 1000, 1),
    quick: options.quick,
    sizes,
    machine,
    amplification,
    timeToRemediate,
    cost,
    intakeSpeed,
    coldStart,
    prevention,
    fleetScale,
  };
}
