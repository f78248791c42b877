/**
 * Summarises several `pnpm bench --json FILE` results as the Markdown tables
 * of docs/benchmarks.md: the median of the runs, their spread (min–max), each
 * run's value, the Python bar and the goal.
 *
 * Usage: node --import tsx bench/summarize.ts run1.json run2.json run3.json
 */
import { readFileSync } from 'node:fs';
import { GOALS, PYTHON_BAR } from './lib/goals';
import { type BenchResult, DISTURBED_OTHER_CPU_PERCENT } from './lib/result';
import { median } from './lib/stats';

/** One row of a summary table. */
interface Figure {
  name: string;
  unit: string;
  /** Digits after the decimal point. */
  digits: number;
  read: (result: BenchResult) => number | undefined;
  bar?: number;
  /** The goal and its direction. */
  goal?: { value: number; atLeast: boolean };
}

const throughputOf = (label: string) => (result: BenchResult) =>
  result.throughput?.find((entry) => entry.label === label)?.result;

const SECTIONS: ReadonlyArray<{ title: string; figures: Figure[] }> = [
  {
    title: 'Validated telemetry throughput (TelemetryPublisher → TelemetrySubscriber)',
    figures: [
      {
        name: 'flood: published',
        unit: 'msg/s',
        digits: 0,
        read: (r) => throughputOf('TelemetryPublisher')(r)?.flood?.publishedPerSecond,
      },
      {
        name: 'flood: received and validated',
        unit: 'msg/s',
        digits: 0,
        read: (r) => throughputOf('TelemetryPublisher')(r)?.flood?.receivedPerSecond,
        bar: PYTHON_BAR.validatedPerSecond,
        goal: { value: GOALS.validatedPerSecond, atLeast: true },
      },
      {
        name: 'flood: loss',
        unit: '%',
        digits: 1,
        read: (r) => throughputOf('TelemetryPublisher')(r)?.flood?.lossPercent,
      },
      {
        name: 'flood: sends rejected with EBUSY',
        unit: '',
        digits: 0,
        read: (r) => throughputOf('TelemetryPublisher')(r)?.flood?.busyRetries,
      },
      {
        name: 'highest paced rate without loss',
        unit: 'msg/s',
        digits: 0,
        read: (r) => throughputOf('TelemetryPublisher')(r)?.zeroLossHz,
        goal: { value: GOALS.validatedPerSecond, atLeast: true },
      },
      {
        name: 'subscriber CPU per message (flood)',
        unit: 'µs',
        digits: 1,
        read: (r) => throughputOf('TelemetryPublisher')(r)?.flood?.subscriberCpuUs,
      },
      {
        name: 'publisher CPU per message (flood)',
        unit: 'µs',
        digits: 1,
        read: (r) => throughputOf('TelemetryPublisher')(r)?.flood?.publisherCpuUs,
      },
    ],
  },
  {
    title: 'Pre-encoded raw sender (same subscriber)',
    figures: [
      {
        name: 'flood: received and validated',
        unit: 'msg/s',
        digits: 0,
        read: (r) => throughputOf('pre-encoded raw sender')(r)?.flood?.receivedPerSecond,
      },
      {
        name: 'highest paced rate without loss',
        unit: 'msg/s',
        digits: 0,
        read: (r) => throughputOf('pre-encoded raw sender')(r)?.zeroLossHz,
      },
    ],
  },
  {
    title: 'Publish-to-receive latency at 1 kHz',
    figures: [
      { name: 'achieved rate', unit: 'Hz', digits: 1, read: (r) => r.latency?.achievedHz },
      { name: 'frames lost after warm-up', unit: '', digits: 0, read: (r) => r.latency?.lost },
      {
        name: 'p50',
        unit: 'ms',
        digits: 3,
        read: (r) => r.latency?.latency.p50Ms,
        bar: PYTHON_BAR.latencyP50Ms,
      },
      { name: 'p90', unit: 'ms', digits: 3, read: (r) => r.latency?.latency.p90Ms },
      {
        name: 'p99',
        unit: 'ms',
        digits: 3,
        read: (r) => r.latency?.latency.p99Ms,
        bar: PYTHON_BAR.latencyP99Ms,
        goal: { value: GOALS.latencyP99Ms, atLeast: false },
      },
      { name: 'max', unit: 'ms', digits: 3, read: (r) => r.latency?.latency.maxMs },
    ],
  },
  {
    title: 'Command round trip',
    figures: [
      {
        name: 'p50',
        unit: 'ms',
        digits: 3,
        read: (r) => r.roundTrip?.latency.p50Ms,
        bar: PYTHON_BAR.roundTripP50Ms,
        goal: { value: GOALS.roundTripP50Ms, atLeast: false },
      },
      { name: 'p90', unit: 'ms', digits: 3, read: (r) => r.roundTrip?.latency.p90Ms },
      { name: 'p99', unit: 'ms', digits: 3, read: (r) => r.roundTrip?.latency.p99Ms },
      { name: 'max', unit: 'ms', digits: 3, read: (r) => r.roundTrip?.latency.maxMs },
      { name: 'sequential requests', unit: 'req/s', digits: 0, read: (r) => r.roundTrip?.requestsPerSecond },
    ],
  },
];

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('Usage: node --import tsx bench/summarize.ts RESULT.json [RESULT.json …]');
    process.exitCode = 2;
    return;
  }
  const results = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResult);

  const lines = [
    `Runs: ${results.map((result) => result.date).join(', ')}`,
    `Highest CPU share taken by other processes per run: ${results.map((result) => `${result.maxOtherCpuPercent.toFixed(0)} %`).join(', ')}` +
      ` (a run above ${DISTURBED_OTHER_CPU_PERCENT} % was disturbed)`,
  ];
  for (const section of SECTIONS) {
    lines.push(
      '',
      `### ${section.title}`,
      '',
      '| Figure | Median | Spread | Runs | Python bar | Goal |',
      '| --- | ---: | ---: | --- | ---: | --- |',
    );
    for (const figure of section.figures) lines.push(formatRow(figure, results));
  }
  console.log(lines.join('\n'));
}

function formatRow(figure: Figure, results: readonly BenchResult[]): string {
  const values = results
    .map(figure.read)
    .filter((value): value is number => value !== undefined && Number.isFinite(value));
  if (values.length === 0) return `| ${figure.name} | - | - | - | - | - |`;

  const unit = figure.unit === '' ? '' : ` ${figure.unit}`;
  const format = (value: number): string => formatNumber(value, figure.digits);
  const middle = median(values);
  const spread = `${format(Math.min(...values))}–${format(Math.max(...values))}`;
  const bar = figure.bar === undefined ? '' : `${format(figure.bar)}${unit}`;
  const goal = figure.goal === undefined ? '' : formatGoal(figure.goal, values, format, unit);
  return `| ${figure.name} | ${format(middle)}${unit} | ${spread} | ${values.map(format).join(', ')} | ${bar} | ${goal} |`;
}

/** Formats with `digits` decimals, grouping the thousands of whole numbers with spaces as the bench table does. */
function formatNumber(value: number, digits: number): string {
  if (digits > 0) return value.toFixed(digits);
  return Math.round(value).toLocaleString('en-US').replaceAll(',', ' ');
}

function formatGoal(
  goal: { value: number; atLeast: boolean },
  values: readonly number[],
  format: (value: number) => string,
  unit: string,
): string {
  const met = values.filter((value) => (goal.atLeast ? value >= goal.value : value <= goal.value)).length;
  return `${goal.atLeast ? '≥' : '≤'} ${format(goal.value)}${unit}: met in ${met} of ${values.length} runs`;
}

main();
