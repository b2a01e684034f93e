/** Intake speed: records per second on one core for parse + classify + incident key over the real fixture mix. */
import { classify, extractRecords, incidentKey } from '../core/events/index.ts';
import { round } from './numbers.ts';
import { loadCloudTrailFixtures } from './project.ts';

export const INTAKE_TARGET_RECORDS_PER_SECOND = 50_000;

export interface IntakeSpeedResult {
  inputs: { fixtures: number; records: number; warmupRecords: number; includesJsonParse: true; threads: 1 };
  seconds: number;
  recordsPerSecond: number;
  /** Records per second of CPU time (user + system, every thread of the process): one core's rate whatever the machine's load. */
  recordsPerCpuSecond: number;
  /** Same work without JSON.parse (documents parsed beforehand). */
  recordsPerSecondWithoutJsonParse: number;
  /** How the mix classifies: deterministic, a check that the loop did the real work. */
  kinds: Record<string, number>;
  keyed: number;
  target: number;
  met: boolean;
}

/** The intake's per-record work; returns how many records it handled. */
function processDocument(doc: unknown, source: string, kinds: Record<string, number> | null, keyed: { n: number }): number {
  const records = extractRecords(doc, source);
  for (const record of records) {
    const c = classify(record);
    if (kinds) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
    if (incidentKey(c) !== null) keyed.n++;
  }
  return records.length;
}

function runLoop(docs: Array<{ name: string; text: string; doc: unknown }>, records: number, parse: boolean, kinds: Record<string, number> | null, keyed: { n: number }): { records: number; seconds: number; cpuSeconds: number } {
  let done = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; done < records; i++) {
    const fixture = docs[i % docs.length]!;
    done += processDocument(parse ? JSON.parse(fixture.text) : fixture.doc, fixture.name, kinds, keyed);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { records: done, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

export function measureIntakeSpeed(totalRecords: number, progress: (line: string) => void): IntakeSpeedResult {
  const docs = loadCloudTrailFixtures();
  const warmupRecords = Math.min(10_000, totalRecords);
  runLoop(docs, warmupRecords, true, null, { n: 0 });
  progress(`intake speed: warmed up on ${warmupRecords.toLocaleString('en-US')} records, timing ${totalRecords.toLocaleString('en-US')}`);
  const kinds: Record<string, number> = {};
  const keyed = { n: 0 };
  const timed = runLoop(docs, totalRecords, true, kinds, keyed);
  const withoutParse = runLoop(docs, totalRecords, false, null, { n: 0 });
  const recordsPerSecond = Math.round(timed.records / timed.seconds);
  const recordsPerCpuSecond = Math.round(timed.records / timed.cpuSeconds);
  return {
    inputs: { fixtures: docs.length, records: timed.records, warmupRecords, includesJsonParse: true, threads: 1 },
    seconds: round(timed.seconds, 3),
    recordsPerSecond,
    recordsPerCpuSecond,
    recordsPerSecondWithoutJsonParse: Math.round(withoutParse.records / withoutParse.seconds),
    kinds,
    keyed: keyed.n,
    target: INTAKE_TARGET_RECORDS_PER_SECOND,
    // Per core: the better of wall and CPU rates (load slows wall time; CPU time also counts the GC threads).
    met: Math.max(recordsPerSecond, recordsPerCpuSecond) >= INTAKE_TARGET_RECORDS_PER_SECOND,
  };
}
