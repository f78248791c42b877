/** Plain-text report of one run, as `pnpm bench` prints it. */
import type { CpuShare } from './cpu-share';
import type { BenchResult, GoalCheck, GoalVerdict, RecoveryPhase } from './result';
import type { DurationSummary } from './stats';

/** Share of the CPUs taken by other processes above which a phase is flagged as disturbed, in percent. */
export const DISTURBED_OTHER_CPU_PERCENT = 10;

const LABEL_WIDTH = 46;

/** Formats the whole report. */
export function formatReport(result: BenchResult): string {
  const lines = [...formatHeader(result)];
  if (result.recovery !== undefined) {
    lines.push('', ...formatRecovery('node --import tsx src/main.ts', result.recovery));
  }
  if (result.recoveryBuilt !== undefined) {
    lines.push('', ...formatRecovery('the esbuild bundle', result.recoveryBuilt));
  }
  if (result.coldStart !== undefined) {
    const { summary, samplesMs } = result.coldStart;
    lines.push(
      '',
      `Start of example_worker outside pm2, spawn to first healthy health_check, ${samplesMs.tsx.length} starts each after one warm-up, ms`,
      row('', ['p50', 'p90', 'max']),
      summaryRow('node --import tsx src/main.ts', summary.tsx),
      summaryRow('node dist/bundle/main.cjs (the esbuild bundle)', summary.built),
      `  tsx costs ${formatMs(summary.tsx.p50Ms - summary.built.p50Ms)} ms per start at p50`,
      formatCpu(result.coldStart.cpu),
    );
  }
  lines.push('', ...formatGoal(result.goal));
  return lines.join('\n');
}

/** Formats one line per kill, for progress output. */
export function formatKillProgress(
  index: number,
  sample: { healthMs: number; onlineMs: number; delayMs: number },
): string {
  return `kill ${index + 1}: online ${formatMs(sample.onlineMs)} ms, healthy ${formatMs(sample.healthMs)} ms, delay_ms ${sample.delayMs}`;
}

/** Milliseconds with one decimal, or "n/a" for NaN. */
export function formatMs(ms: number): string {
  return Number.isNaN(ms) ? 'n/a' : ms.toFixed(1);
}

function formatHeader(result: BenchResult): string[] {
  const { machine, settings, source, bundle } = result;
  const revision =
    source === undefined
      ? 'revision unknown (git not available)'
      : `commit ${source.commit}, sources digest ${source.digest}` +
        (source.modified.length === 0 ? '' : `, uncommitted: ${source.modified.join('; ')}`);
  const lines = [
    `@vj/process-manager bench, ${result.date}, ${result.durationS.toFixed(0)} s`,
    `  ${revision}`,
    `  ${machine.cpus} CPUs ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}`,
    `  node ${machine.node}, pm2 ${machine.pm2}, tsx ${machine.tsx}`,
    `  command: ${result.command}`,
    `  example_worker restart policy: ${JSON.stringify(settings.restartPolicy)} (other fields default)`,
    `  ${settings.settleMs} ms between a healthy response and the next kill; probe every ${settings.probeIntervalMs} ms,` +
      ` health_check timeout ${settings.probeRequestTimeoutMs} ms`,
  ];
  if (bundle !== undefined) {
    lines.push(
      `  bundle: ${Math.round(bundle.bytes / 1024)} KiB of CommonJS from esbuild ${bundle.esbuildVersion}`,
    );
  }
  return lines;
}

function formatRecovery(runner: string, phase: RecoveryPhase): string[] {
  const { summary, samples } = phase;
  return [
    `Recovery after kill -9 of example_worker run with ${runner}, ${samples.length} kills, ms after the kill`,
    row('', ['p50', 'p90', 'max']),
    summaryRow("pm2 'exit' event of the killed process", summary.exit),
    summaryRow("pm2 'online' event of the new process", summary.online),
    summaryRow('worker_restarted event on the bus', summary.restartedEvent),
    summaryRow('healthy health_check from the new pid', summary.health),
    summaryRow("  of which from 'online' to healthy", summary.onlineToHealth),
    summaryRow('delay_ms of worker_restarted (backoff)', summary.delay),
    `  attempt of worker_restarted: ${summary.attempts.join(', ')}` +
      `; pid of worker_restarted differed from the responding pid after ${summary.pidMismatches} kills`,
    formatCpu(phase.cpu),
  ];
}

function formatGoal(goal: GoalCheck): string[] {
  const lines = [`Goal: kill -9 to healthy health_check under ${goal.limitMs} ms for a first restart`];
  if (goal.tsx !== undefined) lines.push(verdictLine('run with tsx, measured', goal.tsx));
  if (goal.built !== undefined) lines.push(verdictLine('run from the bundle, measured', goal.built));
  if (goal.builtEstimate !== undefined) {
    const label = `bundle estimate (tsx kills minus ${formatMs(goal.builtEstimate.savedMs)} ms)`;
    lines.push(verdictLine(label, goal.builtEstimate));
  }
  return lines;
}

function verdictLine(label: string, verdict: GoalVerdict): string {
  return (
    `  ${`${label}:`.padEnd(LABEL_WIDTH)}${verdict.met ? 'met' : 'not met'}, ` +
    `${verdict.withinLimit} of ${verdict.kills} kills within, p50 ${formatMs(verdict.p50Ms)} ms, max ${formatMs(verdict.maxMs)} ms`
  );
}

function formatCpu(cpu: CpuShare | undefined): string {
  if (cpu === undefined) return '  CPU share: not available (no /proc)';
  const flag =
    cpu.otherPercent > DISTURBED_OTHER_CPU_PERCENT
      ? `  DISTURBED: other processes took more than ${DISTURBED_OTHER_CPU_PERCENT} %`
      : '';
  return (
    `  CPU share during the phase: machine ${cpu.machinePercent.toFixed(0)} %, ` +
    `bench and its processes ${cpu.benchPercent.toFixed(0)} %, other ${cpu.otherPercent.toFixed(0)} %${flag}`
  );
}

function summaryRow(label: string, summary: DurationSummary): string {
  return row(label, [summary.p50Ms, summary.p90Ms, summary.maxMs].map(formatMs));
}

function row(label: string, cells: string[]): string {
  return `  ${label.padEnd(LABEL_WIDTH)}${cells.map((cell) => cell.padStart(9)).join('')}`;
}
