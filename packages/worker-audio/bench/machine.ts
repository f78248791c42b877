/**
 * Description of the machine and the code that the bench prints before it
 * measures (CPUs, CPU model, Node version, load average, commit, uncommitted
 * changes), and the CPU counters of /proc/stat.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Machine and code state at the start of a run. */
export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  node: string;
  /** Load average over 1, 5 and 15 minutes. */
  loadAverage: [number, number, number];
  commit: string;
  /** Files of this package with uncommitted changes, from `git status --short`. */
  changedFiles: string[];
}

/** Reads the machine's description. A field whose tool is missing or fails reads "unknown" or is empty. */
export function describeMachine(packageDir: string): MachineInfo {
  const [one, five, fifteen] = os.loadavg() as [number, number, number];
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel: lscpuModelName(),
    node: process.version,
    loadAverage: [one, five, fifteen],
    commit: run('git', ['rev-parse', '--short', 'HEAD'], packageDir).trim() || 'unknown',
    // --no-optional-locks keeps `git status` from refreshing the index, so the bench leaves the checkout untouched.
    changedFiles: run('git', ['--no-optional-locks', 'status', '--short', '--', '.'], packageDir)
      .split('\n')
      .filter((line) => line.trim() !== ''),
  };
}

/** Formats `info` as the lines the bench prints first. */
export function formatMachine(info: MachineInfo): string[] {
  const load = info.loadAverage.map((value) => value.toFixed(2)).join(', ');
  const lines = [
    `date: ${info.date}`,
    `machine: ${info.cpus} CPUs (nproc), ${info.cpuModel} (lscpu), Node ${info.node}`,
    `load average at start (1, 5, 15 min): ${load}`,
    `commit: ${info.commit}`,
  ];
  if (info.changedFiles.length > 0) {
    lines.push(`uncommitted changes in this package: ${info.changedFiles.length} files`);
    lines.push(...info.changedFiles.map((line) => `  ${line}`));
  }
  if (info.loadAverage[0] > info.cpus / 2) {
    lines.push(
      `NOTE: the 1-minute load average is above ${info.cpus / 2}, so other processes share the CPUs`,
    );
  }
  return lines;
}

function lscpuModelName(): string {
  const line = run('lscpu', [], undefined)
    .split('\n')
    .find((entry) => entry.startsWith('Model name:'));
  return line?.slice('Model name:'.length).trim() || 'unknown';
}

/** Returns the output of `command`, or '' when it is missing or fails: the description then reads "unknown". */
function run(command: string, args: string[], cwd: string | undefined): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** Busy and total time of all CPUs since boot, in clock ticks, from the first line of /proc/stat. */
export interface CpuTicks {
  busy: number;
  total: number;
}

/** Reads /proc/stat (Linux only). The idle and iowait columns count as not busy. */
export function readCpuTicks(): CpuTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Returns the share 0–1 of all CPUs that other processes kept busy between
 * `before` and `after`, given the CPU seconds this process used meanwhile.
 */
export function othersShare(
  before: CpuTicks,
  after: CpuTicks,
  ownCpuS: number,
  ticksPerSecond: number,
): number {
  const totalS = (after.total - before.total) / ticksPerSecond;
  const busyS = (after.busy - before.busy) / ticksPerSecond;
  return totalS > 0 ? Math.max(0, (busyS - ownCpuS) / totalS) : 0;
}

/** Returns the kernel's clock ticks per second (`getconf CLK_TCK`). */
export function clockTicksPerSecond(): number {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(ticks) || ticks <= 0) {
    throw new Error(`getconf CLK_TCK printed ${ticks}, expected a positive integer`);
  }
  return ticks;
}
