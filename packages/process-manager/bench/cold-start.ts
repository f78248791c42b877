/**
 * Cost of running TypeScript through tsx at each start. The bench times the
 * example worker from spawn to its first healthy health_check response,
 * started with `node --import tsx src/main.ts` (as the ecosystem runs it under
 * pm2) and from the bundle that defineEcosystem builds (lib/bundle.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePorts, makeTempDir, removeDir } from '@vj/test-support';
import { WORKER_DIR, type WorkerBundle } from './lib/bundle';
import { type CpuShare, CpuShareMeter } from './lib/cpu-share';
import { waitForHealthy } from './lib/health-probe';

/** Start command of the worker: `node --import tsx src/main.ts`, or node with the bundle. */
export type StartVariant = 'tsx' | 'built';

/** Start times in ms of each variant, in the order measured, and the CPU share of the phase. */
export interface ColdStartResult {
  samplesMs: Record<StartVariant, number[]>;
  cpu: CpuShare | undefined;
}

/** Options of the cold-start measurement. */
export interface ColdStartOptions {
  /** The built variant. */
  bundle: WorkerBundle;
  /** Measured starts of each variant. One more start of each, first, is a warm-up and is not counted. */
  starts: number;
  /** Time one start may take before the run fails, in ms. */
  timeoutMs: number;
  probeIntervalMs: number;
  probeRequestTimeoutMs: number;
  onSample?: (variant: StartVariant, ms: number, index: number) => void;
  signal?: AbortSignal;
}

const STOP_TIMEOUT_MS = 5000;

/**
 * Starts each variant `starts` times, alternating tsx and built so that a
 * slow spell of the machine touches both.
 *
 * @throws Error when a start gets no healthy response within `timeoutMs`, or the worker exits first.
 */
export async function measureColdStarts(options: ColdStartOptions): Promise<ColdStartResult> {
  const vjHome = await makeTempDir('vj-pm-bench-starts-');
  const children = new Set<ChildProcess>();
  try {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const commands: Record<StartVariant, string[]> = {
      tsx: ['--import', 'tsx', 'src/main.ts'],
      built: [options.bundle.file],
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      VJ_HOME: vjHome,
      VJ_COMMAND_PORT: String(commandPort),
      VJ_TELEMETRY_PORT: String(telemetryPort),
    };

    const samplesMs: Record<StartVariant, number[]> = { tsx: [], built: [] };
    const meter = new CpuShareMeter();
    meter.track(process.pid);
    for (let i = -1; i < options.starts; i++) {
      for (const variant of ['tsx', 'built'] as const) {
        options.signal?.throwIfAborted();
        const ms = await timeOneStart(commands[variant], env, commandPort, options, children, meter);
        if (i < 0) continue;
        samplesMs[variant].push(ms);
        options.onSample?.(variant, ms, i);
      }
    }
    return { samplesMs, cpu: meter.stop() };
  } finally {
    for (const child of children) await stopChild(child);
    await removeDir(vjHome);
  }
}

async function timeOneStart(
  args: string[],
  env: NodeJS.ProcessEnv,
  commandPort: number,
  options: ColdStartOptions,
  children: Set<ChildProcess>,
  meter: CpuShareMeter,
): Promise<number> {
  const spawnedAtMs = performance.now();
  // stderr is kept, so that a worker that fails to start says why.
  const child = spawn(process.execPath, args, {
    cwd: WORKER_DIR,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  if (child.pid !== undefined) meter.track(child.pid, true);
  const exited = new AbortController();
  child.once('exit', (code, signal) => {
    exited.abort(
      new Error(
        `${args.join(' ')} exited (code ${code}, signal ${signal}) before it responded to health_check`,
      ),
    );
  });
  try {
    const health = await waitForHealthy({
      port: commandPort,
      timeoutMs: options.timeoutMs,
      intervalMs: options.probeIntervalMs,
      requestTimeoutMs: options.probeRequestTimeoutMs,
      signal: exited.signal,
    });
    if (health.pid !== child.pid) {
      throw new Error(
        `health_check on port ${commandPort} got a response from pid ${health.pid}, expected the spawned pid ${child.pid}; stop the other process that uses the port`,
      );
    }
    return health.atMs - spawnedAtMs;
  } finally {
    if (child.pid !== undefined) meter.settle(child.pid);
    await stopChild(child);
    children.delete(child);
  }
}

/** Sends SIGTERM, which the worker handles by unregistering and exiting, then SIGKILL after 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timeout = new AbortController();
  child.kill('SIGTERM');
  const stopped = await Promise.race([
    exited.then(() => true),
    sleep(STOP_TIMEOUT_MS, false, { signal: timeout.signal }).catch(() => false),
  ]);
  timeout.abort();
  if (stopped) return;
  child.kill('SIGKILL');
  await exited;
}
