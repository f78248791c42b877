/**
 * Readings of other processes for the bench: memory from /proc, the
 * aggregator's counters through `get_stats`, the machine, and the check that
 * a worker's records are all stored.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { AggregatedLogRecord, BusClient } from '@vj/bus';
import { loadRecords } from '../src';

/** Resident set size (VmRSS) and its peak since the process started (VmHWM), in MiB. */
export interface Memory {
  rssMiB: number;
  peakMiB: number;
}

/** Reads VmRSS and VmHWM of process `pid` from /proc/<pid>/status (Linux only). */
export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMiB: statusKiB(status, 'VmRSS') / 1024, peakMiB: statusKiB(status, 'VmHWM') / 1024 };
}

function statusKiB(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (match === null) throw new Error(`/proc status has no ${key} line`);
  return Number(match[1]);
}

/** The part of one worker's `get_stats` entry that the bench reads. */
export interface WorkerCounters {
  records: number;
  dropped: number;
  busGaps: number;
}

/** The part of `get_stats` that the bench reads. */
export interface AggregatorCounters {
  workers: Record<string, WorkerCounters>;
  duplicates: number;
  unpersisted: number;
  buffered: number;
}

/** Sends `get_stats` and returns its counters. */
export async function readCounters(bus: BusClient): Promise<AggregatorCounters> {
  const stats = (await bus.request('log_aggregator', 'get_stats')) as {
    workers: Record<string, { records: number; dropped: number; bus_gaps: number }>;
    duplicates: number;
    unpersisted: number;
    buffered: number;
  };
  const workers: Record<string, WorkerCounters> = {};
  for (const [name, counts] of Object.entries(stats.workers)) {
    workers[name] = { records: counts.records, dropped: counts.dropped, busGaps: counts.bus_gaps };
  }
  return { workers, duplicates: stats.duplicates, unpersisted: stats.unpersisted, buffered: stats.buffered };
}

/** Records of `worker` that reached the aggregator: stored plus dropped by flood control. */
export function ingestedOf(counters: AggregatorCounters, worker: string): number {
  const counts = counters.workers[worker];
  return counts === undefined ? 0 : counts.records + counts.dropped;
}

/** Whether the numbered lines of a worker (field `n`) are all stored, read from the persisted files. */
export interface Completeness {
  expected: number;
  present: number;
  /** True when the worker's stored `seq` values form one run without a gap. */
  seqGapFree: boolean;
}

/**
 * Reads every log file in `logDir` and checks that the records of `worker`
 * with `fields.n` from `firstN` to `lastN` are all there, and that the
 * worker's sequence numbers have no gap. The files, not `query`, are read
 * because a flood pushes the quiet worker's records out of the memory ring.
 */
export async function checkCompleteness(
  logDir: string,
  worker: string,
  firstN: number,
  lastN: number,
): Promise<Completeness> {
  const { records } = await loadRecords(logDir, Number.MAX_SAFE_INTEGER);
  const mine = records.filter((record: AggregatedLogRecord) => record.worker === worker);
  const numbers = new Set<number>();
  for (const record of mine) {
    const n = record.fields.n;
    if (typeof n === 'number' && n >= firstN && n <= lastN) numbers.add(n);
  }
  const seqs = mine.map((record) => record.seq).sort((a, b) => a - b);
  const seqGapFree = seqs.every((seq, index) => index === 0 || seq === (seqs[index - 1] as number) + 1);
  return { expected: lastN - firstN + 1, present: numbers.size, seqGapFree };
}

/** The machine the bench ran on. */
export interface MachineInfo {
  cpus: number;
  model: string;
  node: string;
  /** 1-, 5- and 15-minute load averages at the call. */
  loadAverage: number[];
}

/** Describes the machine now. */
export function describeMachine(): MachineInfo {
  return {
    cpus: os.availableParallelism(),
    model: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}
