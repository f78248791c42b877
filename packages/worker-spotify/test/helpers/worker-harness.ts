/**
 * A SpotifyWorker running in the test process on fresh ports, with a
 * BusClient that collects every `spotify.state` it publishes.
 */
import { PassThrough } from 'node:stream';
import { BusClient, type NowPlaying, NowPlayingValidator, type PublishedMessage } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { SpotifyWorker, type SpotifyWorkerOptions } from '../../src/spotify-worker';

/** A running worker, its bus client, and what it published and logged. */
export interface Harness {
  worker: SpotifyWorker;
  bus: BusClient;
  /** Every valid `spotify.state` payload received, oldest first. */
  states: NowPlaying[];
  /** Payloads on `spotify.state` that failed NowPlayingValidator. */
  invalid: unknown[];
  logs: PassThrough;
  logLines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts a worker with `options` and waits until the bus client sees it in the registry. */
export async function startWorker(options: SpotifyWorkerOptions): Promise<Harness> {
  const vjHome = await makeTempDir('vj-spotify-');
  const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
  const logs = new PassThrough();
  const logLines: Array<Record<string, unknown>> = [];
  let pending = '';
  logs.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
  });

  const worker = new SpotifyWorker({
    ...options,
    commandPort,
    telemetryPort,
    vjHome,
    manageProcess: false,
    logDestination: logs,
    logLevel: 'debug',
  });
  const bus = new BusClient({ vjHome, rescanIntervalMs: 200 });
  const states: NowPlaying[] = [];
  const invalid: unknown[] = [];
  bus.on('message', (topic: string, message: PublishedMessage) => {
    if (topic !== 'spotify.state') return;
    const payload = (message as { payload?: unknown }).payload;
    if (NowPlayingValidator.Check(payload)) states.push(payload);
    else invalid.push(payload);
  });
  await bus.start();
  bus.subscribe('spotify.');
  await worker.start();
  await waitFor(() => bus.workers().spotify_monitor !== undefined, {
    timeoutMs: 10_000,
    message: 'spotify_monitor did not register',
  });

  return {
    worker,
    bus,
    states,
    invalid,
    logs,
    logLines,
    async stop() {
      await bus.close();
      await worker.stop();
      await removeDir(vjHome);
    },
  };
}

/** Waits for a published state, received after the first `after` states, that matches `predicate`. */
export function waitForState(
  harness: Harness,
  predicate: (state: NowPlaying) => boolean,
  message: string,
  after = 0,
): Promise<NowPlaying> {
  return waitFor(() => harness.states.slice(after).find(predicate), {
    timeoutMs: 20_000,
    intervalMs: 50,
    message,
  }) as Promise<NowPlaying>;
}

/** Runs `get_state` over the bus and returns its `state` part. */
export async function getNowPlaying(harness: Harness): Promise<NowPlaying> {
  const result = (await harness.bus.request('spotify_monitor', 'get_state', {}, { timeoutMs: 5000 })) as {
    state: NowPlaying;
  };
  return result.state;
}
