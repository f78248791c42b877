/**
 * The table that ends a bench run: one row per figure, with its goal and
 * whether this run met it. Rows without a goal give context.
 */
import type { BenchResult } from './main';

/** One row of the table. `goal` and `met` are empty for a row that only gives context. */
export interface Row {
  figure: string;
  goal: string;
  measured: string;
  met: string;
}

/** The original Python analyser's end-to-end latency on the same kind of machine, in ms. */
const PYTHON_LATENCY_MEAN_MS = 14.8;
const PYTHON_LATENCY_P99_MS = 18.5;

/** Builds the rows for the sections that `result` contains. */
export function goalRows(result: BenchResult): Row[] {
  const rows: Row[] = [];
  const { frame, latency, offline, live } = result;
  if (frame !== undefined) {
    rows.push(
      row('analysis per frame, wall p50', '', `${frame.wallUs.p50.toFixed(1)} µs`),
      goal(
        'analysis per frame, wall p99',
        '< 1000 µs',
        `${frame.wallUs.p99.toFixed(1)} µs`,
        frame.wallUs.p99 < 1000,
      ),
      row('analysis per frame, wall max', '', `${frame.wallUs.max.toFixed(1)} µs`),
      row('analysis per frame, CPU p50 / p99', '', `${frame.cpuUs.p50} / ${frame.cpuUs.p99} µs`),
    );
  }
  if (latency !== undefined) {
    const { latencyMs } = latency;
    rows.push(
      row('block to /audio/levels, p50', '', `${latencyMs.p50.toFixed(3)} ms`),
      goal('block to /audio/levels, p99', '< 3 ms', `${latencyMs.p99.toFixed(3)} ms`, latencyMs.p99 < 3),
      row(
        'block to /audio/levels, mean / max',
        '',
        `${latencyMs.mean.toFixed(3)} / ${latencyMs.max.toFixed(3)} ms`,
      ),
      row('  Python analyser, mean / p99', '', `${PYTHON_LATENCY_MEAN_MS} / ${PYTHON_LATENCY_P99_MS} ms`),
      row(
        '  blocks measured / missing',
        '',
        `${latencyMs.count} / ${latency.missing} (write lateness p99 ${latency.writeLatenessMs.p99.toFixed(2)} ms)`,
      ),
    );
  }
  if (offline !== undefined) {
    rows.push(
      goal(
        'offline throughput, all clips',
        '> 200× real time',
        `${offline.realTimeFactor.toFixed(0)}× (${offline.audioS.toFixed(0)} s in ${offline.analysisS.toFixed(2)} s)`,
        offline.realTimeFactor > 200,
      ),
      row('  per second of CPU time', '', `${offline.cpuRealTimeFactor.toFixed(0)}×`),
      row('  slowest clip', '', `${offline.slowestRealTimeFactor.toFixed(0)}× (${offline.slowestClip})`),
      row('  CPUs taken by other processes', '', `${(100 * offline.othersShare).toFixed(0)} %`),
    );
  }
  if (live !== undefined) {
    rows.push(
      goal(
        'live worker CPU',
        '< 10 % of one CPU',
        `${live.cpuPercentOfOneCore.toFixed(1)} %`,
        live.cpuPercentOfOneCore < 10,
      ),
      row('live worker RSS, mean / max', '', `${live.rssMeanMb.toFixed(1)} / ${live.rssMaxMb.toFixed(1)} MB`),
      row(
        '  frames per second sent',
        '',
        `${live.framesPerSecond.toFixed(1)} over ${live.seconds.toFixed(1)} s`,
      ),
    );
  }
  return rows;
}

/** Formats `rows` as an aligned text table with a header. */
export function formatTable(rows: Row[]): string {
  const header: Row = { figure: 'figure', goal: 'goal', measured: 'measured', met: 'met' };
  const all = [header, ...rows];
  const width = (key: keyof Row): number => Math.max(...all.map((entry) => entry[key].length));
  const widths = { figure: width('figure'), goal: width('goal'), measured: width('measured') };
  return all
    .map((entry) =>
      [
        entry.figure.padEnd(widths.figure),
        entry.goal.padEnd(widths.goal),
        entry.measured.padEnd(widths.measured),
        entry.met,
      ]
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function row(figure: string, goalText: string, measured: string): Row {
  return { figure, goal: goalText, measured, met: '' };
}

function goal(figure: string, goalText: string, measured: string, met: boolean): Row {
  return { figure, goal: goalText, measured, met: met ? 'yes' : 'NO' };
}
