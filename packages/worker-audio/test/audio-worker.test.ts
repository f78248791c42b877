import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  AudioBeatValidator,
  AudioFeaturesValidator,
  AudioStatsValidator,
  BusClient,
  type PublishedMessage,
} from '@vj/bus';
import { allocatePorts, devAudioDir, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import type { AudioConfig } from '../src/audio-config';
import { AudioWorker } from '../src/audio-worker';
import { SETTINGS_FILE } from '../src/settings-file';
import { Receiver } from './output/fixtures';

const DEV_AUDIO = devAudioDir();
const HOUSE_CLIP = `${DEV_AUDIO}/xm-house-145bpm.wav`;

interface Harness {
  worker: AudioWorker;
  bus: BusClient;
  receiver: Receiver;
  oscPort: number;
  logs: PassThrough;
  published: Array<{ topic: string; payload: Record<string, unknown> }>;
  vjHome: string;
}

const harnesses: Harness[] = [];

async function stopHarness(harness: Harness): Promise<void> {
  await harness.bus.close();
  await harness.worker.stop();
  await harness.receiver.close();
}

afterEach(async () => {
  for (const harness of harnesses.splice(0)) {
    await stopHarness(harness);
    await removeDir(harness.vjHome);
  }
});

async function startWorker(config: Partial<AudioConfig>, home?: string): Promise<Harness> {
  const vjHome = home ?? (await makeTempDir('vj-audio-worker-'));
  const [commandPort, telemetryPort, oscPort] = (await allocatePorts(3)) as [number, number, number];
  const receiver = new Receiver();
  await receiver.listen(oscPort);
  const logs = new PassThrough();
  const worker = new AudioWorker({
    commandPort,
    telemetryPort,
    vjHome,
    manageProcess: false,
    logDestination: logs,
    config: { osc_targets: [{ host: '127.0.0.1', port: oscPort }], ...config },
  });
  await worker.start();

  const bus = new BusClient({ vjHome, rescanIntervalMs: 200 });
  const published: Harness['published'] = [];
  bus.on('message', (topic: string, message: PublishedMessage) => {
    published.push({ topic, payload: (message as { payload: Record<string, unknown> }).payload });
  });
  await bus.start();
  bus.subscribe('audio.');
  await waitFor(() => bus.workers().audio_analyzer !== undefined, {
    timeoutMs: 10_000,
    message: 'worker registered',
  });

  const harness = { worker, bus, receiver, oscPort, logs, published, vjHome };
  harnesses.push(harness);
  return harness;
}

function logLines(harness: Harness): Array<Record<string, unknown>> {
  return String(harness.logs.read() ?? '')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function payloadsOf(harness: Harness, topic: string): Array<Record<string, unknown>> {
  return harness.published.filter((entry) => entry.topic === topic).map((entry) => entry.payload);
}

describe('AudioWorker', () => {
  test('file input reaches OSC and the bus', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP, pace: 'realtime', loop: true });

    await waitFor(() => payloadsOf(harness, 'audio.stats').some((stats) => (stats.frames as number) > 0), {
      timeoutMs: 15_000,
      message: 'audio.stats with frames',
    });
    await waitFor(() => payloadsOf(harness, 'audio.beat').length > 0, {
      timeoutMs: 15_000,
      message: 'a beat',
    });

    const addresses = new Set(harness.receiver.messages.map((message) => message.address));
    expect([...addresses].sort()).toEqual(
      [
        '/audio/bar',
        '/audio/beat',
        '/audio/beat_phase',
        '/audio/bpm',
        '/audio/bpm_alt',
        '/audio/hits',
        '/audio/levels',
        '/audio/loudness',
        '/audio/onset',
        '/audio/pitch',
        '/audio/presence',
        '/audio/spectrum',
        '/audio/structure',
      ].sort(),
    );
    const levels = harness.receiver.messages.filter((message) => message.address === '/audio/levels');
    expect(levels.every((message) => message.typeTags === 'ffffffff')).toBe(true);
    expect(levels.some((message) => (message.args as number[]).some((value) => value > 0.05))).toBe(true);

    const features = payloadsOf(harness, 'audio.features');
    expect(features.length).toBeGreaterThan(0);
    for (const payload of features) expect(AudioFeaturesValidator.Check(payload)).toBe(true);
    expect(features.at(-1)?.input_status).toBe('signal');
    for (const payload of payloadsOf(harness, 'audio.beat'))
      expect(AudioBeatValidator.Check(payload)).toBe(true);
    const stats = payloadsOf(harness, 'audio.stats').at(-1) as Record<string, unknown>;
    expect(AudioStatsValidator.Check(stats)).toBe(true);
    expect(stats.source).toEqual({
      kind: 'file',
      description: expect.stringContaining('xm-house-145bpm.wav'),
    });
  });

  test('beat commands apply to the open input', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP, pace: 'realtime', loop: true });
    await waitFor(
      () => payloadsOf(harness, 'audio.features').some((payload) => (payload.bpm as number) > 100),
      {
        timeoutMs: 15_000,
        message: 'a tempo',
      },
    );
    // 145 BPM doubled is 290, above the default bpm_range of 60–200.
    await expect(harness.bus.request('audio_analyzer', 'double')).resolves.toEqual({
      applied: false,
      reason: expect.stringMatching(
        /^29\d\.\d BPM is outside bpm_range \[60, 200\]; widen bpm_range to allow it$/,
      ),
    });
    await expect(harness.bus.request('audio_analyzer', 'halve')).resolves.toEqual({ applied: true });
    await waitFor(() => (payloadsOf(harness, 'audio.features').at(-1)?.bpm as number) < 80, {
      timeoutMs: 5_000,
      message: 'the halved tempo',
    });
    expect(payloadsOf(harness, 'audio.features').at(-1)?.beat_override).toBe('octave');
    for (const command of ['tap', 'resync', 'release']) {
      await expect(harness.bus.request('audio_analyzer', command)).resolves.toEqual({ applied: true });
    }
    await expect(harness.bus.request('audio_analyzer', 'nudge', { ms: -20 })).resolves.toEqual({
      applied: true,
    });
    await expect(harness.bus.request('audio_analyzer', 'nudge', { ms: 'late' })).rejects.toThrow('"ms"');
  });

  test('features telemetry is decimated', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP, telemetry_hz: 10 });
    await waitFor(
      () => payloadsOf(harness, 'audio.stats').filter((stats) => (stats.frames as number) > 0).length >= 3,
      {
        timeoutMs: 20_000,
      },
    );
    const features = payloadsOf(harness, 'audio.features');
    const levels = harness.receiver.messages.filter((message) => message.address === '/audio/levels');
    // OSC goes out once per frame (about 86 per second); the bus gets at most 10 per second.
    expect(levels.length).toBeGreaterThan(features.length * 4);
  });

  test('get_state describes the input', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP });
    await waitFor(() => payloadsOf(harness, 'audio.features').length > 0, { timeoutMs: 15_000 });
    const state = (await harness.bus.request('audio_analyzer', 'get_state')) as {
      state: Record<string, unknown>;
    };
    expect(state.state.source).toMatchObject({
      kind: 'file',
      sampleRate: 44100,
      channels: 2,
      status: 'open',
    });
    expect(state.state.input_status).toBe('signal');
    expect(state.state.osc).toEqual([expect.objectContaining({ target: `127.0.0.1:${harness.oscPort}` })]);
  });

  test('missing file leaves the worker running', async () => {
    const harness = await startWorker({ source: 'file', file: `${DEV_AUDIO}/no-such-file.wav` });
    const health = await harness.bus.request('audio_analyzer', 'health_check');
    expect(health).toMatchObject({ status: 'healthy' });

    await waitFor(() => payloadsOf(harness, 'audio.stats').length > 0, { timeoutMs: 10_000 });
    expect(payloadsOf(harness, 'audio.stats').at(-1)).toMatchObject({ input_status: 'no_input', frames: 0 });
    const errors = logLines(harness).filter((line) => line.level === 50);
    expect(errors.map((line) => line.msg)).toContain(
      'audio input could not be opened; no input until the settings change',
    );
    expect(JSON.stringify(errors)).toContain('no-such-file.wav');
    const state = (await harness.bus.request('audio_analyzer', 'get_state')) as {
      state: Record<string, unknown>;
    };
    expect(state.state.source_error).toEqual(expect.stringContaining('no-such-file.wav'));
    expect(state.state.input_status).toBe('no_input');
  });

  test('set_config rejects a file that does not exist', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP });
    await expect(
      harness.bus.request('audio_analyzer', 'set_config', { file: `${harness.vjHome}/absent.wav` }),
    ).rejects.toThrow('file: no file at');
    const state = (await harness.bus.request('audio_analyzer', 'get_state')) as { config: AudioConfig };
    expect(state.config.file).toBe(HOUSE_CLIP);
  });

  test('set_config changes the input without a restart', async () => {
    const harness = await startWorker({ source: 'file', file: `${DEV_AUDIO}/no-such-file.wav` });
    await harness.bus.request('audio_analyzer', 'set_config', { file: HOUSE_CLIP });
    await waitFor(() => payloadsOf(harness, 'audio.features').length > 0, {
      timeoutMs: 15_000,
      message: 'features after set_config',
    });
    expect(payloadsOf(harness, 'audio.features').at(-1)?.input_status).toBe('signal');
  });

  test('set_config moves OSC to a new target', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP });
    const [newPort] = (await allocatePorts(1)) as [number];
    const second = new Receiver();
    await second.listen(newPort);
    try {
      await harness.bus.request('audio_analyzer', 'set_config', {
        osc_targets: [{ host: '127.0.0.1', port: newPort, prefix: '/deck2' }],
      });
      await waitFor(() => second.messages.some((message) => message.address === '/deck2/audio/levels'), {
        timeoutMs: 15_000,
      });
      const state = (await harness.bus.request('audio_analyzer', 'get_state')) as {
        state: { source: { status: string } };
      };
      expect(state.state.source.status).toBe('open');
    } finally {
      await second.close();
    }
  });

  test('set_config rejects invalid values and keeps the old ones', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP });
    await expect(harness.bus.request('audio_analyzer', 'set_config', { smoothing: 2 })).rejects.toThrow(
      'smoothing: expected a number from 0 to 0.99, received 2',
    );
    await expect(harness.bus.request('audio_analyzer', 'set_config', { hop_size: 4096 })).rejects.toThrow(
      'larger than window_size 1024',
    );
    await expect(
      harness.bus.request('audio_analyzer', 'set_config', {
        osc_targets: [{ host: '127.0.0.1', port: 9000, address_map: `${harness.vjHome}/absent.json` }],
      }),
    ).rejects.toThrow('absent.json');
    const state = (await harness.bus.request('audio_analyzer', 'get_state')) as { config: AudioConfig };
    expect(state.config.smoothing).toBe(0.5);
    expect(state.config.osc_targets).toEqual([{ host: '127.0.0.1', port: harness.oscPort }]);
  });

  test('set_config features keeps unnamed switches', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP });
    await harness.bus.request('audio_analyzer', 'set_config', { features: { pitch: false } });
    const state = (await harness.bus.request('audio_analyzer', 'get_state')) as { config: AudioConfig };
    expect(state.config.features).toEqual({
      spectrum: true,
      onset: true,
      bpm: true,
      pitch: false,
      loudness: true,
      structure: true,
      chroma: true,
    });
  });

  test('set_config survives a restart', async () => {
    const first = await startWorker({ source: 'demo' });
    await first.bus.request('audio_analyzer', 'set_config', {
      source: 'file',
      file: HOUSE_CLIP,
      smoothing: 0.7,
    });
    harnesses.splice(harnesses.indexOf(first), 1);
    await stopHarness(first);

    const second = await startWorker({}, first.vjHome);
    const state = (await second.bus.request('audio_analyzer', 'get_state')) as { config: AudioConfig };
    expect(state.config.source).toBe('file');
    expect(state.config.file).toBe(HOUSE_CLIP);
    expect(state.config.smoothing).toBe(0.7);
    expect(logLines(second).map((line) => line.msg)).toContain(
      'restored the settings saved by set_config; forget_settings removes them',
    );
  });

  test('forget_settings drops the saved settings', async () => {
    const first = await startWorker({ source: 'demo' });
    await first.bus.request('audio_analyzer', 'set_config', { smoothing: 0.7 });
    await expect(first.bus.request('audio_analyzer', 'forget_settings')).resolves.toEqual({
      forgotten: ['smoothing'],
    });
    harnesses.splice(harnesses.indexOf(first), 1);
    await stopHarness(first);

    const second = await startWorker({ source: 'demo' }, first.vjHome);
    const state = (await second.bus.request('audio_analyzer', 'get_state')) as { config: AudioConfig };
    expect(state.config.smoothing).toBe(0.5);
  });

  test('corrupt saved settings are logged and ignored', async () => {
    const home = await makeTempDir('vj-audio-worker-');
    writeFileSync(path.join(home, SETTINGS_FILE), '{"smoothing": 0.7, "source": "tape"');
    const harness = await startWorker({ source: 'demo' }, home);
    const state = (await harness.bus.request('audio_analyzer', 'get_state')) as { config: AudioConfig };
    expect(state.config.smoothing).toBe(0.5);
    const errors = logLines(harness).filter((line) => line.level === 50);
    expect(errors.map((line) => line.msg)).toEqual([expect.stringContaining('is not valid JSON')]);
  });

  test('invalid saved keys are skipped', async () => {
    const home = await makeTempDir('vj-audio-worker-');
    writeFileSync(path.join(home, SETTINGS_FILE), JSON.stringify({ smoothing: 0.7, source: 'tape' }));
    const harness = await startWorker({ source: 'demo' }, home);
    const state = (await harness.bus.request('audio_analyzer', 'get_state')) as { config: AudioConfig };
    expect(state.config.smoothing).toBe(0.7);
    expect(state.config.source).toBe('demo');
    const errors = logLines(harness).filter((line) => line.level === 50);
    expect(errors.map((line) => line.msg)).toEqual([expect.stringContaining('saved setting source')]);
  });

  test('tempo_hold_s is checked and applied', async () => {
    const harness = await startWorker({ source: 'demo' });
    await expect(harness.bus.request('audio_analyzer', 'set_config', { tempo_hold_s: 0.5 })).rejects.toThrow(
      'tempo_hold_s: expected 1 to 60 seconds, received 0.5',
    );

    await harness.bus.request('audio_analyzer', 'set_config', { tempo_hold_s: 4 });
    const state = (await harness.bus.request('audio_analyzer', 'get_state')) as { config: AudioConfig };
    expect(state.config.tempo_hold_s).toBe(4);
  });

  test('bpm_range limits the reported tempo', async () => {
    const harness = await startWorker({ source: 'file', file: HOUSE_CLIP });
    await expect(
      harness.bus.request('audio_analyzer', 'set_config', { bpm_range: [200, 100] }),
    ).rejects.toThrow('bpm_range: expected [min_bpm, max_bpm] with 30 <= min < max <= 300');
    await harness.bus.request('audio_analyzer', 'set_config', { bpm_range: [150, 200], tempo_lock: false });
    const changedAt = harness.published.length;

    // The clip is at 145 BPM, outside the new range, so the tracker must not report it.
    await waitFor(
      () => payloadsOf(harness, 'audio.stats').filter((stats) => (stats.frames as number) > 0).length >= 3,
      {
        timeoutMs: 20_000,
      },
    );
    const tempos = harness.published
      .slice(changedAt)
      .filter((entry) => entry.topic === 'audio.features')
      .map((entry) => entry.payload.bpm as number);
    expect(tempos.length).toBeGreaterThan(0);
    expect(tempos.every((bpm) => bpm === 0 || (bpm >= 150 && bpm <= 200))).toBe(true);
  });
});
