/**
 * Share of the CPUs that processes outside the benchmark took while it
 * measured, read from /proc on Linux. The machine's CPUs are shared with
 * whatever else runs, and a busy neighbour delays every start, so each phase
 * records this figure beside its timings.
 */
import { readFileSync } from 'node:fs';

/** CPU use during one phase, in percent of all CPUs together. */
export interface CpuShare {
  /** Busy time of the whole machine. */
  machinePercent: number;
  /** Busy time of the tracked processes: the bench, the pm2 daemon and the processes it ran. */
  benchPercent: number;
  /** The rest: other processes, and kernel work not charged to a process. */
  otherPercent: number;
}

/** Start tick count of one tracked process. */
interface Tracked {
  startTicks: number;
}

/**
 * Measures the CPU share of the tracked processes and of everything else
 * between construction and `stop()`. Returns undefined from `stop()` where
 * /proc is missing.
 *
 * @example
 * const meter = new CpuShareMeter();
 * meter.track(process.pid);
 * // ... measure ...
 * const share = meter.stop();
 */
export class CpuShareMeter {
  private readonly startMachine = readMachineTicks();
  private readonly tracked = new Map<number, Tracked>();
  private settledTicks = 0;

  /**
   * Counts the CPU time of `pid` from now on. With `sinceStart`, the process
   * started during the phase and all its CPU time counts.
   */
  track(pid: number, sinceStart = false): void {
    if (this.tracked.has(pid)) return;
    this.tracked.set(pid, { startTicks: sinceStart ? 0 : (readProcessTicks(pid) ?? 0) });
  }

  /** Adds the CPU time of `pid` so far and stops tracking it. Call it just before the process ends. */
  settle(pid: number): void {
    const entry = this.tracked.get(pid);
    if (entry === undefined) return;
    this.settledTicks += Math.max(0, (readProcessTicks(pid) ?? entry.startTicks) - entry.startTicks);
    this.tracked.delete(pid);
  }

  /** Reads the tracked processes that still run and returns the shares. */
  stop(): CpuShare | undefined {
    for (const pid of [...this.tracked.keys()]) this.settle(pid);
    const end = readMachineTicks();
    if (this.startMachine === undefined || end === undefined) return undefined;

    const total = end.total - this.startMachine.total;
    const busy = end.busy - this.startMachine.busy;
    if (total <= 0) return undefined;
    return {
      machinePercent: (100 * busy) / total,
      benchPercent: (100 * this.settledTicks) / total,
      otherPercent: (100 * Math.max(0, busy - this.settledTicks)) / total,
    };
  }
}

/** Busy and total clock ticks of all CPUs, from the first line of /proc/stat. */
function readMachineTicks(): { busy: number; total: number } | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in clock ticks (proc(5)).
  // guest time is already inside user time, so the sum stops at steal.
  const ticks = (text.split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * utime + stime of a process, all its threads, in clock ticks (fields 14 and
 * 15 of /proc/PID/stat). Time of reaped children (cutime, cstime) is left out,
 * because the pm2 daemon reaps the workers and they are counted on their own.
 * Returns undefined when the process is gone.
 */
function readProcessTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Field 2 is the command name in parentheses and may contain spaces, so count from its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
