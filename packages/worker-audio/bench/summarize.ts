/**
 * Median and spread of several bench runs, as docs/benchmarks.md records them.
 *
 * Usage: node --import tsx bench/summarize.ts RUN.json …   (files from `pnpm bench --json RUN.json`)
 */
import { readFileSync } from 'node:fs';
import type { BenchResult } from './main';

/** Figures to summarise: a label and how to read the figure from one run, undefined when the run skipped it. */
const FIGURES: Array<[string, (run: BenchResult) => number | undefined]> = [
  ['analysis per frame, wall p50 (µs)', (run) => run.frame?.wallUs.p50],
  ['analysis per frame, wall p99 (µs)', (run) => run.frame?.wallUs.p99],
  ['analysis per frame, wall max (µs)', (run) => run.frame?.wallUs.max],
  ['analysis per frame, CPU p50 (µs)', (run) => run.frame?.cpuUs.p50],
  ['analysis per frame, CPU p99 (µs)', (run) => run.frame?.cpuUs.p99],
  ['block to /audio/levels, p50 (ms)', (run) => run.latency?.latencyMs.p50],
  ['block to /audio/levels, p99 (ms)', (run) => run.latency?.latencyMs.p99],
  ['block to /audio/levels, mean (ms)', (run) => run.latency?.latencyMs.mean],
  ['block to /audio/levels, max (ms)', (run) => run.latency?.latencyMs.max],
  ['offline throughput (× real time)', (run) => run.offline?.realTimeFactor],
  ['offline, per second of CPU time (×)', (run) => run.offline?.cpuRealTimeFactor],
  ['offline, slowest clip (×)', (run) => run.offline?.slowestRealTimeFactor],
  ['offline, CPUs taken by other processes (%)', (run) => scale(run.offline?.othersShare, 100)],
  ['live worker CPU (% of one CPU)', (run) => run.live?.cpuPercentOfOneCore],
  ['live worker RSS, mean (MB)', (run) => run.live?.rssMeanMb],
  ['live worker RSS, max (MB)', (run) => run.live?.rssMaxMb],
  ['load average at start (1 min)', (run) => run.machine.loadAverage[0]],
];

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('Usage: node --import tsx bench/summarize.ts RUN.json …');
    process.exitCode = 2;
    return;
  }
  const runs = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResult);
  console.log('| Figure | Median | Spread | Runs |');
  console.log('| --- | ---: | ---: | --- |');
  for (const [label, read] of FIGURES) {
    const values = runs.map(read).filter((value): value is number => value !== undefined);
    if (values.length === 0) continue;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    const median =
      sorted.length % 2 === 1
        ? (sorted[middle] as number)
        : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
    const spread = `${format(sorted[0] as number)}–${format(sorted[sorted.length - 1] as number)}`;
    console.log(`| ${label} | ${format(median)} | ${spread} | ${values.map(format).join(', ')} |`);
  }
}

function scale(value: number | undefined, factor: number): number | undefined {
  return value === undefined ? undefined : value * factor;
}

/** Rounds to three significant digits, enough for figures that vary by several percent between runs. */
function format(value: number): string {
  return Number(value.toPrecision(3)).toString();
}

main();
