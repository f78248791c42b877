/**
 * `pnpm bench` in packages/bus: validated telemetry throughput, publish-to-
 * receive latency at 1 kHz and command round trip, each between the bench
 * process and a peer process over tcp on 127.0.0.1 with wildcard ports.
 * Prints a table; `--json FILE` also writes the figures as JSON (`-` for
 * stdout, which moves the table to stderr). A full run takes about 30 s.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLatency } from './latency';
import { checkGoals } from './lib/goals';
import { describeMachine } from './lib/machine';
import type { Pacing, PeerRole } from './lib/protocol';
import { formatReport } from './lib/report';
import { type BenchResult, type LabelledThroughput, maxOtherCpu } from './lib/result';
import { readSourceRevision } from './lib/source';
import { runRoundTrip } from './round-trip';
import { runThroughput } from './throughput';

const BENCHMARKS = ['throughput', 'latency', 'round-trip'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

/**
 * Publishers of the throughput benchmark: the package's own, then a sender of
 * pre-encoded frames that leaves the subscriber more CPU, to show its limit.
 */
const THROUGHPUT_PUBLISHERS: ReadonlyArray<{ role: PeerRole; label: string }> = [
  { role: 'publisher', label: 'TelemetryPublisher' },
  { role: 'raw-publisher', label: 'pre-encoded raw sender' },
];

/** Paced rates tried after the flood, fastest first: above the goal, the goal, 2× and 1× the Python bar. */
const PACED_RATES_HZ = [100_000, 80_000, 66_000, 44_000, 22_000];
const FLOOD_MS = 3000;
const PACED_MS = 2000;
const LATENCY_RATE_HZ = 1000;
const LATENCY_WARMUP_MS = 1000;
const LATENCY_MEASURE_MS = 5000;
const ROUND_TRIP_WARMUP = 500;
const ROUND_TRIP_REQUESTS = 5000;

const USAGE = `Usage: node --import tsx bench/main.ts [--json FILE|-] [--only LIST] [--pacing sleep|spin]
  --json FILE     also write the figures as JSON to FILE; "-" writes them to stdout and the table to stderr
  --only LIST     comma-separated benchmarks to run: ${BENCHMARKS.join(', ')} (default: all)
  --pacing MODE   how the 1 kHz publisher waits between frames: "sleep" blocks until 0.15 ms before
                  each frame and then spins (default); "spin" keeps one CPU busy with setImmediate`;

/** A command-line mistake: printed with the usage, without a stack trace. */
class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      only: { type: 'string' },
      pacing: { type: 'string', default: 'sleep' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const selected = parseOnly(values.only);
  const pacing = parsePacing(values.pacing);

  const date = new Date().toISOString();
  const source = readSourceRevision();
  const startedAt = performance.now();
  const throughput = selected.has('throughput') ? await measureThroughput() : undefined;
  const latency = selected.has('latency')
    ? await step(`latency at ${LATENCY_RATE_HZ} Hz`, () =>
        runLatency({
          publisher: 'publisher',
          rateHz: LATENCY_RATE_HZ,
          pacing,
          warmupMs: LATENCY_WARMUP_MS,
          measureMs: LATENCY_MEASURE_MS,
        }),
      )
    : undefined;
  const roundTrip = selected.has('round-trip')
    ? await step('command round trip', () =>
        runRoundTrip({ warmupRequests: ROUND_TRIP_WARMUP, requests: ROUND_TRIP_REQUESTS }),
      )
    : undefined;

  const measured = {
    date,
    machine: describeMachine(),
    ...(source === undefined ? {} : { source }),
    command: ['node', ...process.execArgv, ...process.argv.slice(1)].join(' '),
    durationS: (performance.now() - startedAt) / 1000,
    ...(throughput === undefined ? {} : { throughput }),
    ...(latency === undefined ? {} : { latency }),
    ...(roundTrip === undefined ? {} : { roundTrip }),
  };
  const bus = throughput?.[0]?.result;
  const result: BenchResult = {
    ...measured,
    goals: checkGoals({
      ...(bus?.flood === undefined
        ? {}
        : { floodReceivedPerSecond: bus.flood.receivedPerSecond, zeroLossHz: bus.zeroLossHz }),
      ...(latency === undefined ? {} : { latencyP99Ms: latency.latency.p99Ms }),
      ...(roundTrip === undefined ? {} : { roundTripP50Ms: roundTrip.latency.p50Ms }),
    }),
    maxOtherCpuPercent: maxOtherCpu(measured),
  };

  const report = formatReport(result);
  if (values.json === '-') {
    console.error(report);
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(report);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
}

async function measureThroughput(): Promise<LabelledThroughput[]> {
  const results: LabelledThroughput[] = [];
  for (const { role, label } of THROUGHPUT_PUBLISHERS) {
    const result = await step(`throughput with ${label}`, () =>
      runThroughput({ publisher: role, floodMs: FLOOD_MS, pacedMs: PACED_MS, pacedRatesHz: PACED_RATES_HZ }),
    );
    results.push({ label, result });
  }
  return results;
}

/** Runs one benchmark with a progress line on stderr, which keeps stdout for the table or the JSON. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  process.stderr.write(`running ${name}…\n`);
  return run();
}

function parseOnly(list: string | undefined): Set<Benchmark> {
  if (list === undefined) return new Set(BENCHMARKS);
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new UsageError(
      `--only got unknown benchmark ${unknown.join(', ')}; expected a comma-separated list of ${BENCHMARKS.join(', ')}`,
    );
  return new Set(names as Benchmark[]);
}

function parsePacing(value: string | undefined): Pacing {
  if (value === 'sleep' || value === 'spin') return value;
  throw new UsageError(`--pacing got "${value}"; expected "sleep" or "spin"`);
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  if (error instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS') === true) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
