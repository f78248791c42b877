/**
 * SystemModel against real workers: in-process Worker instances from @vj/bus
 * on free loopback ports, publishing fixed telemetry over real ZeroMQ.
 */
import type { AudioFeatures, LogsAggregated, NowPlaying } from '@vj/bus';
import { Worker } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { overviewScreen } from '../../src/console/screens/overview';
import { type LifecycleEvent, SystemModel } from '../../src/model/system-model';
import type { WorkerRow } from '../../src/model/workers';

const FEATURES: AudioFeatures = {
  bands: [0.9, 0.8, 0.5, 0.4, 0.3, 0.2, 0.1],
  rms: 0.6,
  spectrum: Array.from({ length: 32 }, (_, index) => index / 32),
  is_onset: true,
  flux: 0.4,
  bpm: 128,
  bpm_confidence: 0.9,
  pitch_hz: 220,
  pitch_confidence: 0.5,
  centroid_hz: 1500,
  frame: 42,
};

const NOW_PLAYING: NowPlaying = {
  backend: 'mpris',
  availability: 'ok',
  hint: null,
  player: 'mpv',
  status: 'playing',
  artist: 'Artist',
  title: 'Title',
  album: 'Album',
  duration_s: 200,
  position_s: 10,
  track_id: null,
  art_url: null,
  missing: [],
  track_changes: 1,
  updated_at: 1,
};

describe('SystemModel', () => {
  let home: string;
  const workers: Worker[] = [];
  const models: SystemModel[] = [];

  beforeEach(async () => {
    home = await makeTempDir('vj-console-model-');
  });

  afterEach(async () => {
    for (const model of models.splice(0)) await model.close();
    for (const worker of workers.splice(0)) await worker.stop();
    await removeDir(home);
  });

  async function startWorker(name: string): Promise<Worker> {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const worker = new Worker({
      name,
      commandPort,
      telemetryPort,
      vjHome: home,
      heartbeatIntervalMs: 200,
      logLevel: 'silent',
      manageProcess: false,
    });
    await worker.start();
    workers.push(worker);
    return worker;
  }

  async function waitForRow(
    find: () => WorkerRow | undefined,
    options: { message: string },
  ): Promise<WorkerRow> {
    return (await waitFor(find, options)) as WorkerRow;
  }

  async function startModel(): Promise<SystemModel> {
    const model = new SystemModel({ vjHome: home, pollIntervalMs: 200, timeoutMs: 2000 });
    models.push(model);
    await model.start();
    return model;
  }

  /** Publishes until `predicate` holds, since a new SUB connection misses the first messages. */
  async function publishUntil(worker: Worker, topic: string, payload: unknown, predicate: () => boolean) {
    await waitFor(
      () => {
        worker.publish(topic, payload);
        return predicate();
      },
      { timeoutMs: 5000, intervalMs: 50, message: `model received ${topic}` },
    );
  }

  test('workers lists a registered worker as healthy with its pid and ports', async () => {
    const worker = await startWorker('example_worker');
    const model = await startModel();

    const row = await waitForRow(() => model.workers().find((candidate) => candidate.health === 'healthy'), {
      message: 'example_worker healthy',
    });

    expect(row.name).toBe('example_worker');
    expect(row.pid).toBe(process.pid);
    expect(row.ports).toEqual({
      command: worker.options.commandPort,
      telemetry: worker.options.telemetryPort,
    });
    expect(row.pm2Status).toBeUndefined();
    expect(row.restarts).toBeUndefined();
    expect(row.running).toBe(true);
    expect(model.processManager).toEqual({ state: 'absent' });
  });

  test('workers is empty when nothing is registered', async () => {
    const model = await startModel();

    expect(model.workers()).toEqual([]);
  });

  test('workers keeps a worker that left the registry as missing', async () => {
    const worker = await startWorker('example_worker');
    const model = await startModel();
    await waitFor(() => model.workers()[0]?.health === 'healthy', { message: 'worker healthy' });

    await worker.stop();

    await waitFor(() => model.events.some((event) => event.event === 'unregistered'), {
      message: 'unregistered event',
    });
    const row = await waitForRow(() => model.workers().find((candidate) => candidate.health === 'missing'), {
      message: 'worker shown as missing',
    });
    expect(row.name).toBe('example_worker');
    expect(row.running).toBe(false);
    expect(row.pid).toBeUndefined();
  });

  test('telemetry keeps the latest audio frame, beats and now playing state', async () => {
    const audio = await startWorker('audio_analyzer');
    const spotify = await startWorker('spotify_monitor');
    const model = await startModel();
    const kinds = new Set<string>();
    model.on('change', (kind) => kinds.add(kind));

    await publishUntil(audio, 'audio.features', FEATURES, () => model.telemetry.audio !== undefined);
    await publishUntil(
      audio,
      'audio.beat',
      { frame: 42, time_s: 1, flux: 0.4, bpm: 128, bpm_confidence: 0.9 },
      () => model.telemetry.beatCount > 0,
    );
    await publishUntil(spotify, 'spotify.state', NOW_PLAYING, () => model.telemetry.nowPlaying !== undefined);

    expect(model.telemetry.audio?.value.bands).toEqual(FEATURES.bands);
    expect(model.telemetry.beat?.value.bpm).toBe(128);
    expect(model.telemetry.nowPlaying?.value.title).toBe('Title');
    expect([...kinds]).toEqual(expect.arrayContaining(['audio', 'beat', 'now_playing']));
  });

  test('telemetry counts an invalid payload and keeps the previous frame', async () => {
    const audio = await startWorker('audio_analyzer');
    const model = await startModel();
    await publishUntil(audio, 'audio.features', FEATURES, () => model.telemetry.audio !== undefined);

    await publishUntil(audio, 'audio.features', { ...FEATURES, bands: [2] }, () => model.invalidMessages > 0);

    expect(model.telemetry.audio?.value.bands).toEqual(FEATURES.bands);
    expect(model.lastProblem).toContain('audio.features');
  });

  test('lifecycle events from events topics are kept newest first', async () => {
    const manager = await startWorker('process_manager');
    const model = await startModel();

    await waitFor(
      () => {
        manager.publishEvent('worker_crashed', 'audio_analyzer', {
          reason: 'exited',
          pid: 4242,
          exit_code: 1,
        });
        return model.events.some((event) => event.source === 'process_manager');
      },
      { timeoutMs: 5000, intervalMs: 50, message: 'worker_crashed event received' },
    );

    const event = model.events.find((candidate) => candidate.source === 'process_manager') as LifecycleEvent;
    expect(event.worker).toBe('audio_analyzer');
    expect(event.event).toBe('worker_crashed');
    expect(event.detail).toBe('pid 4242, exited, exit 1');
  });

  test('logs and the error count come from the log aggregator when it runs', async () => {
    const aggregator = await startWorker('log_aggregator');
    const model = await startModel();
    const record = {
      time: Date.now() / 1000,
      mono_ms: 1,
      seq: 1,
      worker: 'audio_analyzer',
      level: 'error' as const,
      msg: 'device lost',
      pid: 4242,
      fields: {},
      via: 'bus' as const,
      stream: null,
      origin_seq: 1,
    };
    const batch: LogsAggregated = { records: [record], omitted: 0 };

    await publishUntil(aggregator, 'logs.aggregated', batch, () => model.telemetry.logs.size > 0);
    await publishUntil(
      aggregator,
      'logs.alert',
      { record, suppressed: 2 },
      () => model.telemetry.errorsInLastMinute(Date.now()) > 0,
    );

    const lines = model.telemetry.logs.filtered({ worker: 'audio_analyzer', minLevel: 'warn' });
    expect(lines[0]?.msg).toBe('device lost');
    expect(model.telemetry.logs.filtered({ worker: 'other', minLevel: 'trace' })).toEqual([]);
    // One alert plus the two that it counts as suppressed.
    expect(model.telemetry.errorsInLastMinute(Date.now()) % 3).toBe(0);
  });

  test('log history comes from the aggregator at start', async () => {
    const aggregator = await startWorker('log_aggregator');
    const record = (seq: number, msg: string) => ({
      time: 1_796_000_000 + seq,
      mono_ms: seq,
      seq,
      worker: 'audio_analyzer',
      level: 'warn' as const,
      msg,
      pid: 4242,
      fields: {},
      via: 'bus' as const,
      stream: null,
      origin_seq: seq,
    });
    // The aggregator returns the newest first.
    aggregator.command('query', () => ({
      records: [record(2, 'second'), record(1, 'first')],
      matched: 2,
      buffered: 2,
    }));

    const model = await startModel();

    const lines = model.telemetry.logs.filtered({ worker: undefined, minLevel: 'trace' });
    expect(lines.map((line) => line.msg)).toEqual(['first', 'second']);
  });

  test('restart without a process manager returns the error text', async () => {
    await startWorker('example_worker');
    const model = await startModel();

    const result = await model.restart('example_worker');

    expect(result).toEqual({
      ok: false,
      text: 'restart example_worker failed: no process_manager; run pnpm start',
    });
  });

  test('overview shows a missing player as its state', async () => {
    const spotify = await startWorker('spotify_monitor');
    const model = await startModel();
    const hint =
      'No D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set; start one or run the monitor inside a desktop session.';
    await publishUntil(
      spotify,
      'spotify.state',
      {
        ...NOW_PLAYING,
        availability: 'no_session_bus',
        hint,
        title: null,
        artist: null,
        album: null,
        status: 'stopped',
      },
      () => model.telemetry.nowPlaying !== undefined,
    );

    const view = {
      selectedWorker: undefined,
      logFilter: { worker: undefined, minLevel: 'info' as const },
      logScroll: 0,
    };
    const screen = overviewScreen.render({ model, view, width: 100, height: 24, nowMs: Date.now() });
    const metrics = screen.split('\n').find((line) => line.includes('♪')) ?? '';

    expect(metrics).toContain('♪ no session bus (3 shows why)');
    expect(metrics).not.toContain('DBUS_SESSION_BUS_ADDRESS');
  });

  test('beat override without an analyser says how to start it', async () => {
    await startWorker('example_worker');
    const model = await startModel();

    const result = await model.overrideBeat('tap');

    expect(result).toEqual({
      ok: false,
      text: 'tap: audio_analyzer is not running; start it with r on the Overview or pnpm vj start audio_analyzer',
    });
  });

  test('beat override carries the analyser rejection', async () => {
    const analyser = await startWorker('audio_analyzer');
    analyser.command('double', () => ({
      applied: false,
      reason: 'there is no tempo yet; wait for one or tap it',
    }));
    analyser.command('nudge', (payload) => ({ applied: payload.ms === -10 }));
    const model = await startModel();

    expect(await model.overrideBeat('double')).toEqual({
      ok: false,
      text: 'double tempo: not applied, there is no tempo yet; wait for one or tap it',
    });
    expect(await model.overrideBeat('nudge', -10)).toEqual({ ok: true, text: 'nudge -10 ms: ok' });
  });

  test('restart and list_workers go through a process manager', async () => {
    const manager = await startWorker('process_manager');
    const restarted: string[] = [];
    manager.command('list_workers', () => ({
      workers: [
        {
          name: 'example_worker',
          health: 'stopped',
          pm2_status: 'stopped',
          pid: 0,
          generation: 1,
          uptime_s: 0,
          restarts: 3,
          heartbeat_age_s: null,
          next_restart_in_ms: null,
        },
      ],
    }));
    manager.command('restart_worker', (payload) => {
      restarted.push(String(payload.name));
      return { worker: { name: payload.name, pid: 777 } };
    });
    manager.command('start_worker', (payload) => ({ worker: { name: payload.name, pid: 778 } }));
    const model = await startModel();

    const row = await waitFor(
      () => model.workers().find((candidate) => candidate.name === 'example_worker'),
      {
        message: 'supervised worker listed',
      },
    );
    const restart = await model.restart('example_worker');
    const toggle = await model.toggle('example_worker');

    expect(row).toMatchObject({ health: 'stopped', pm2Status: 'stopped', restarts: 3, running: false });
    expect(restart).toEqual({ ok: true, text: 'restart example_worker: ok (pid 777)' });
    expect(restarted).toEqual(['example_worker']);
    expect(toggle).toEqual({ ok: true, text: 'start example_worker: ok (pid 778)' });
  });

  test('restart returns the process manager error text for an unknown worker', async () => {
    const manager = await startWorker('process_manager');
    manager.command('list_workers', () => ({ workers: [] }));
    manager.command('restart_worker', () => {
      throw new Error('Worker "ghost" is not supervised; known workers: example_worker');
    });
    const model = await startModel();

    const result = await model.restart('ghost');

    expect(result.ok).toBe(false);
    expect(result.text).toMatch(/^restart ghost failed: .*not supervised/);
  });

  test('listDevices reports a missing audio analyser as an error', async () => {
    const model = await startModel();

    const result = await model.listDevices();

    expect(result).toEqual({ ok: false, text: 'list_devices failed: audio_analyzer not running' });
  });

  test('listDevices and setDevice go to the audio analyser', async () => {
    const audio = await startWorker('audio_analyzer');
    const device = {
      id: 3,
      name: 'Loopback',
      host_api: 'ALSA',
      max_input_channels: 2,
      is_default: false,
      is_current: true,
    };
    audio.command('list_devices', () => ({ devices: [device] }));
    audio.command('set_device', (payload) => ({ device: payload.device, status: 'open' }));
    const model = await startModel();
    await waitFor(() => model.bus.workers().audio_analyzer !== undefined, {
      message: 'audio_analyzer found',
    });

    const listed = await model.listDevices();
    const set = await model.setDevice('Loopback');

    expect(listed).toEqual({ ok: true, devices: [device] });
    expect(set).toEqual({ ok: true, text: 'audio input set to Loopback (open)' });
  });
});
