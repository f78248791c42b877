/**
 * Processes that bench/main.ts starts, chosen by the first argument:
 *
 * - `flooder`: a Worker whose pino logger logs as fast as it can during a
 *   `flood` command, so every line goes to its stdout and on `logs.info`;
 * - `quiet`: a Worker that logs a numbered `quiet tick` every 100 ms;
 * - `printer`: a plain program, run under pm2, that prints non-JSON lines to
 *   stdout as fast as the pipe to pm2 takes them for BENCH_DURATION_MS, then
 *   writes `{ sent, elapsedMs }` to the file BENCH_RESULT and idles.
 *
 * Workers take their name from BENCH_WORKER_NAME and their ports and VJ_HOME
 * from the environment, as under pm2.
 */
import { writeFileSync } from 'node:fs';
import { Worker } from '@vj/bus';

/** Interval of the quiet worker's lines: 10 lines/s. */
const QUIET_INTERVAL_MS = 100;
/** Lines the flooder logs per event-loop turn, so it still serves commands between batches. */
const FLOOD_BATCH = 500;
/** Lines the printer writes per `write` call. */
const PRINT_BATCH = 200;

const role = process.argv[2];
if (role === 'flooder') runFlooder();
else if (role === 'quiet') runQuiet();
else if (role === 'printer') void runPrinter();
else throw new Error(`bench/peers.ts expects flooder, quiet or printer, received ${String(role)}`);

function newWorker(defaultName: string): Worker {
  // The ports come from VJ_COMMAND_PORT and VJ_TELEMETRY_PORT, which override these placeholders.
  return new Worker({ name: process.env.BENCH_WORKER_NAME ?? defaultName, commandPort: 1, telemetryPort: 2 });
}

function runFlooder(): void {
  const worker = newWorker('bench_flooder');
  let sent = 0;
  let elapsedMs = 0;
  let flooding = false;

  worker.command('probe', () => {
    worker.log.info('probe');
    return { probed: true };
  });
  worker.command('flood', (payload) => {
    const durationMs = Number(payload.durationMs);
    const startedAt = performance.now();
    sent = 0;
    flooding = true;
    const step = (): void => {
      for (let i = 0; i < FLOOD_BATCH; i++) worker.log.info({ n: ++sent }, 'flood line');
      elapsedMs = performance.now() - startedAt;
      if (elapsedMs < durationMs) setImmediate(step);
      else flooding = false;
    };
    setImmediate(step);
    return { flooding: true };
  });
  worker.command('flood_status', () => ({ sent, elapsedMs, flooding }));
  void worker.run();
}

function runQuiet(): void {
  const worker = newWorker('bench_quiet');
  let n = 0;
  worker.command('status', () => ({ n }));
  setInterval(() => worker.log.info({ n: ++n }, 'quiet tick'), QUIET_INTERVAL_MS);
  void worker.run();
}

async function runPrinter(): Promise<void> {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? 4000);
  const resultFile = process.env.BENCH_RESULT;
  const filler = 'x'.repeat(60);
  const startedAt = performance.now();
  let sent = 0;

  while (performance.now() - startedAt < durationMs) {
    let chunk = '';
    for (let i = 0; i < PRINT_BATCH; i++) chunk += `printer line ${++sent} ${filler}\n`;
    // Waiting for drain keeps the printer at the pace pm2 reads the pipe, so `sent` counts what pm2 was given.
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  const elapsedMs = performance.now() - startedAt;
  if (resultFile !== undefined) writeFileSync(resultFile, JSON.stringify({ sent, elapsedMs }));
  // Idle rather than exit, so pm2 does not report a stopped app while the bench reads the aggregator.
  setInterval(() => undefined, 60_000);
}
