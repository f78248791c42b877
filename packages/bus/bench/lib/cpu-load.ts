/**
 * CPU time spent outside the benchmark's own processes while it measures, read
 * from /proc on Linux. On a 2-CPU machine another process's test run changes
 * the figures several-fold, so every result records this beside it.
 */
import { readFileSync } from 'node:fs';

/** CPU use during one measurement, in percent of all CPUs together. */
export interface CpuLoad {
  /** Busy time of the bench process and its peer processes. */
  benchPercent: number;
  /** Busy time of everything else, including kernel work not charged to a process. */
  otherPercent: number;
  /** CPU time of each process given to the meter, in its order, in ms (10 ms resolution). */
  processMs: number[];
}

interface Snapshot {
  total: number;
  busy: number;
  processTicks: number[];
}

/** Clock ticks per second of /proc times: USER_HZ, fixed at 100 by the Linux ABI. */
const TICKS_PER_SECOND = 100;

/** Samples /proc/stat and the given processes at start and stop. */
export class CpuLoadMeter {
  private readonly pids: readonly number[];
  private readonly start: Snapshot | undefined;

  /** Takes the first sample; `pids` are the benchmark's own processes. */
  constructor(pids: readonly number[]) {
    this.pids = pids;
    this.start = snapshot(pids);
  }

  /** Takes the second sample; returns undefined where /proc is not available. */
  stop(): CpuLoad | undefined {
    const end = snapshot(this.pids);
    if (this.start === undefined || end === undefined || end.total === this.start.total) return undefined;

    const total = end.total - this.start.total;
    const busy = end.busy - this.start.busy;
    const processTicks = end.processTicks.map((ticks, i) => ticks - (this.start?.processTicks[i] ?? 0));
    const own = processTicks.reduce((sum, ticks) => sum + ticks, 0);
    return {
      benchPercent: (100 * own) / total,
      otherPercent: (100 * Math.max(0, busy - own)) / total,
      processMs: processTicks.map((ticks) => (1000 * ticks) / TICKS_PER_SECOND),
    };
  }
}

function snapshot(pids: readonly number[]): Snapshot | undefined {
  try {
    // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ...", in clock ticks.
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { total, busy: total - idle, processTicks: pids.map(readProcessTicks) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** utime + stime of all threads of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
function readProcessTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in field 2 may contain spaces, so count fields from its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
