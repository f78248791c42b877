/** The table that `pnpm bench` prints. */
import { GOALS, PYTHON_BAR } from './goals';
import { type BenchResult, DISTURBED_OTHER_CPU_PERCENT } from './result';

/** Renders a run as the compact text table printed at the end of `pnpm bench`. */
export function formatReport(result: BenchResult): string {
  const { machine } = result;
  const lines = [
    `@vj/bus benchmark, ${result.date}, ${result.durationS.toFixed(0)} s`,
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, zeromq.js ${machine.zeromqJs} (libzmq ${machine.libzmq})`,
  ];
  if (result.source !== undefined) {
    const { commit, modified } = result.source;
    const changes =
      modified.length === 0
        ? 'no uncommitted changes'
        : `uncommitted changes in ${modified.map((line) => line.slice(3)).join(', ')}`;
    lines.push(`code: commit ${commit.slice(0, 12)}, ${changes} under packages/bus/src`);
  }

  if (result.throughput !== undefined) {
    lines.push(
      '',
      'Validated telemetry throughput: audio.features over tcp 127.0.0.1, publisher in a child process, validating subscriber in this one',
    );
    const rows = result.throughput.map(({ label, result: run }) => [
      label,
      formatRate(run.flood?.publishedPerSecond),
      formatRate(run.flood?.receivedPerSecond),
      run.flood === undefined ? '-' : `${run.flood.lossPercent.toFixed(1)} %`,
      run.flood === undefined ? '-' : String(run.flood.busyRetries),
      run.zeroLossHz === 0 ? 'none tried' : formatRate(run.zeroLossHz),
      run.flood === undefined
        ? '-'
        : `${run.flood.subscriberCpuUs.toFixed(1)} / ${run.flood.publisherCpuUs.toFixed(1)}`,
    ]);
    lines.push(
      ...table(
        [
          'publisher',
          'flood sent/s',
          'received/s',
          'loss',
          'EBUSY',
          'zero-loss rate',
          'CPU µs/msg sub / pub',
        ],
        rows,
      ),
    );
    lines.push(
      `  Python bar ${formatRate(PYTHON_BAR.validatedPerSecond)}/s; goal ${formatRate(GOALS.validatedPerSecond)}/s`,
    );
  }

  if (result.latency !== undefined) {
    const { latency: run } = result;
    const offset = run.clockOffset;
    lines.push(
      '',
      `Publish-to-receive latency at ${run.targetHz} Hz (${run.pacing} pacing, achieved ${run.achievedHz.toFixed(1)} Hz, ${run.latency.count} frames after ${run.warmupFrames} warm-up, ${run.lost} lost)`,
      ...table(
        ['', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        [
          [
            'TelemetryPublisher → TelemetrySubscriber',
            ms(run.latency.p50Ms),
            ms(run.latency.p90Ms),
            ms(run.latency.p99Ms),
            ms(run.latency.maxMs),
          ],
          ['Python bar', ms(PYTHON_BAR.latencyP50Ms), '-', ms(PYTHON_BAR.latencyP99Ms), '-'],
        ],
      ),
      `  clock offset between the processes ${ms(offset.offsetMs)} ± ${ms(offset.uncertaintyMs)} ms (not subtracted)`,
    );
  }

  if (result.roundTrip !== undefined) {
    const { roundTrip: run } = result;
    lines.push(
      '',
      `Command round trip: ${run.latency.count} sequential requests after ${run.warmupRequests} warm-up, server in a child process`,
      ...table(
        ['', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests/s'],
        [
          [
            'CommandClient → CommandServer',
            ms(run.latency.p50Ms),
            ms(run.latency.p90Ms),
            ms(run.latency.p99Ms),
            ms(run.latency.maxMs),
            formatRate(run.requestsPerSecond),
          ],
          ['Python bar', ms(PYTHON_BAR.roundTripP50Ms), '-', '-', '-', '-'],
        ],
      ),
    );
  }

  lines.push('', 'Goals');
  for (const check of result.goals) {
    const value = check.unit === 'ms' ? ms(check.value) : formatRate(check.value);
    const goal = check.unit === 'ms' ? ms(check.goal) : formatRate(check.goal);
    lines.push(
      `  ${check.met ? 'met   ' : 'missed'} ${check.name}: ${value} ${check.unit} (goal ${check.unit === 'ms' ? '≤' : '≥'} ${goal})`,
    );
  }

  if (result.maxOtherCpuPercent > DISTURBED_OTHER_CPU_PERCENT) {
    lines.push(
      '',
      `Disturbed: other processes took up to ${result.maxOtherCpuPercent.toFixed(0)} % of the CPUs during a measurement; rerun on an idle machine before comparing figures.`,
    );
  }
  return lines.join('\n');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (cells: string[]): string =>
    `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')}`;
  return [render(header), ...rows.map(render)];
}

function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return Math.round(value).toLocaleString('en-US').replaceAll(',', ' ');
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : '-';
}
