/**
 * `pnpm bench` in packages/process-manager: how fast a worker is back after
 * `kill -9` under pm2 and the process manager, and what tsx costs at each
 * start. The worker runs from its TypeScript through tsx, then from a bundle
 * of built JavaScript. The bench prints a report, and `--json FILE` also
 * writes the figures, which bench/summarize.ts turns into the tables of
 * docs/benchmarks.md. A full run takes about two minutes.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { measureColdStarts } from './cold-start';
import { bundleExampleWorker, type WorkerBundle } from './lib/bundle';
import { describeMachine, readSourceRevision } from './lib/machine';
import { formatKillProgress, formatMs, formatReport } from './lib/report';
import {
  type BenchResult,
  type BenchSettings,
  checkGoal,
  type RecoveryPhase,
  summarizeRecovery,
} from './lib/result';
import { summarizeDurations } from './lib/stats';
import { REPO_ROOT, startSupervisedSystem, stopSupervisedSystem } from './lib/supervised-system';
import { measureRecovery } from './recovery';

const PHASES = ['recovery', 'recovery-built', 'cold-start'] as const;
type Phase = (typeof PHASES)[number];

/**
 * With 1000 ms of stable uptime, an exit 2 s after the worker became healthy
 * counts as a first crash again, so every kill measures the first restart.
 * The default of 30 s would make a run of 20 kills last over 10 minutes.
 */
const STABLE_UPTIME_MS = 1000;
/** Timeout of one recovery or one start before the run fails, in ms. */
const STEP_TIMEOUT_MS = 20_000;
const PROBE_INTERVAL_MS = 5;
const PROBE_REQUEST_TIMEOUT_MS = 200;

const USAGE = `Usage: node --import tsx bench/main.ts [--kills N] [--starts N] [--settle-ms MS] [--only LIST] [--json FILE]
  --kills N       kill -9 of the example worker to time in each recovery phase (default 20)
  --starts N      starts of each variant, tsx and built, to time after one warm-up each (default 10)
  --settle-ms MS  wait after the worker is healthy again before the next kill, in ms (default 2000, at least ${2 * STABLE_UPTIME_MS})
  --only LIST     comma-separated phases to run: ${PHASES.join(', ')} (default: all)
  --json FILE     also write the figures as JSON to FILE`;

/** A command-line mistake: printed with the usage, without a stack trace. */
class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string', default: '20' },
      starts: { type: 'string', default: '10' },
      'settle-ms': { type: 'string', default: '2000' },
      only: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const kills = parseCount('--kills', values.kills);
  const phases = parsePhases(values.only);
  const settings: BenchSettings = {
    kills,
    settleMs: parseSettle(values['settle-ms']),
    // maxRestarts above the number of kills, so the policy never gives up during the run.
    restartPolicy: { stableUptimeMs: STABLE_UPTIME_MS, maxRestarts: kills + 1 },
    starts: parseCount('--starts', values.starts),
    probeIntervalMs: PROBE_INTERVAL_MS,
    probeRequestTimeoutMs: PROBE_REQUEST_TIMEOUT_MS,
  };

  // Ctrl-C stops the run between two kills or starts, and the clean-up still runs.
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new Error('Interrupted by SIGINT')));

  const date = new Date().toISOString();
  const startedAtMs = performance.now();
  const needsBundle = phases.has('recovery-built') || phases.has('cold-start');
  let result: BenchResult;
  try {
    const bundle = needsBundle ? bundleExampleWorker() : undefined;
    const recovery = phases.has('recovery')
      ? await runRecovery(settings, undefined, abort.signal)
      : undefined;
    const recoveryBuilt =
      bundle !== undefined && phases.has('recovery-built')
        ? await runRecovery(settings, bundle, abort.signal)
        : undefined;
    const coldStart =
      bundle !== undefined && phases.has('cold-start')
        ? await runColdStarts(settings, bundle, abort.signal)
        : undefined;

    result = {
      date,
      source: readSourceRevision(REPO_ROOT),
      command: ['node', ...process.execArgv, ...process.argv.slice(1)].join(' '),
      durationS: (performance.now() - startedAtMs) / 1000,
      machine: describeMachine(),
      settings,
      ...(bundle === undefined
        ? {}
        : { bundle: { bytes: bundle.bytes, esbuildVersion: bundle.esbuildVersion } }),
      ...(recovery === undefined ? {} : { recovery }),
      ...(recoveryBuilt === undefined ? {} : { recoveryBuilt }),
      ...(coldStart === undefined
        ? {}
        : {
            coldStart: {
              ...coldStart,
              summary: {
                tsx: summarizeDurations(coldStart.samplesMs.tsx),
                built: summarizeDurations(coldStart.samplesMs.built),
              },
            },
          }),
      goal: checkGoal(recovery, recoveryBuilt, coldStart),
    };
  } finally {
  }
  console.log(formatReport(result));
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
}

/** Starts the system, kills the worker `settings.kills` times, and stops the system in a finally block. */
async function runRecovery(
  settings: BenchSettings,
  bundle: WorkerBundle | undefined,
  signal: AbortSignal,
): Promise<RecoveryPhase> {
  const runner = bundle === undefined ? 'through tsx' : 'from the bundle';
  process.stderr.write(
    `starting a private pm2 daemon with the process manager and example_worker ${runner}…\n`,
  );
  const system = await startSupervisedSystem({
    restartPolicy: settings.restartPolicy,
    ...(bundle === undefined ? {} : { workerBundle: bundle }),
  });
  try {
    // The first kill must also find a stable uptime, which counts from pm2's start of the worker.
    await new Promise((resolve) => setTimeout(resolve, settings.settleMs));
    const result = await measureRecovery(system, {
      kills: settings.kills,
      settleMs: settings.settleMs,
      timeoutMs: STEP_TIMEOUT_MS,
      probeIntervalMs: settings.probeIntervalMs,
      probeRequestTimeoutMs: settings.probeRequestTimeoutMs,
      onSample: (sample, index) => process.stderr.write(`${formatKillProgress(index, sample)}\n`),
      signal,
    });
    return { ...result, summary: summarizeRecovery(result.samples) };
  } finally {
    process.stderr.write('stopping the pm2 daemon…\n');
    await stopSupervisedSystem(system);
  }
}

function runColdStarts(settings: BenchSettings, bundle: WorkerBundle, signal: AbortSignal) {
  process.stderr.write('timing starts of example_worker outside pm2…\n');
  return measureColdStarts({
    bundle,
    starts: settings.starts,
    timeoutMs: STEP_TIMEOUT_MS,
    probeIntervalMs: settings.probeIntervalMs,
    probeRequestTimeoutMs: settings.probeRequestTimeoutMs,
    onSample: (variant, ms, index) =>
      process.stderr.write(`start ${index + 1} ${variant}: ${formatMs(ms)} ms\n`),
    signal,
  });
}

function parseCount(option: string, text: string | undefined): number {
  const value = Number(text);
  if (Number.isInteger(value) && value >= 1) return value;
  throw new UsageError(`${option} is "${text}"; expected an integer of at least 1`);
}

function parseSettle(text: string | undefined): number {
  const value = Number(text);
  if (Number.isFinite(value) && value >= 2 * STABLE_UPTIME_MS) return value;
  throw new UsageError(
    `--settle-ms is "${text}"; expected at least ${2 * STABLE_UPTIME_MS} ms, so that each kill meets a first restart`,
  );
}

function parsePhases(list: string | undefined): Set<Phase> {
  if (list === undefined) return new Set(PHASES);
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `--only names unknown phase ${unknown.join(', ')}; expected a comma-separated list of ${PHASES.join(', ')}`,
    );
  }
  return new Set(names as Phase[]);
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
