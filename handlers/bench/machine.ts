/** The machine a benchmark ran on: figures mean little without it. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  platform: string;
  arch: string;
  memoryGiB: number;
  /** 1-minute load average at the start and the end of the run: timings on a busy machine run slow. */
  loadAverage1m: number[];
}

export function loadAverage1m(): number {
  return Math.round(os.loadavg()[0]! * 10) / 10;
}

function cpuModelFromProcCpuinfo(): string | null {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    return line ? line.split(':').slice(1).join(':').trim() : null;
  } catch {
    return null;
  }
}

export function describeMachine(): MachineInfo {
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpuModelFromProcCpuinfo() ?? os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: [loadAverage1m()],
  };
}
