import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isVjError } from '@vj/bus';
import { makeTempDir, removeDir, requireTool, waitFor } from '@vj/test-support';
import { DeviceSource } from '../../src/sources/device-source';
import {
  Harness,
  NULL_DEFAULT_PCM,
  PACED_FILE_PCM,
  type PulseServer,
  startPulse,
  stereoSine,
  UNPACED_FILE_PCM,
  writeAlsaConfig,
} from '../fixtures/alsa/alsa-fixtures';

const SAMPLE_RATE = 48_000;

let dir: string;
let harness: Harness | undefined;

beforeEach(async () => {
  dir = await makeTempDir('vj-device-source-');
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await removeDir(dir);
});

function baseEnv(configPath: string, inFile: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: dir, ALSA_CONFIG_PATH: configPath, VJ_ALSA_INFILE: inFile };
}

function decodeSamples(message: Record<string, unknown>): Float32Array {
  const bytes = Buffer.from(message.samples as string, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

function firstMismatch(actual: Float32Array, expected: Float32Array): number {
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) return i;
  }
  return -1;
}

describe('DeviceSource capture from an unpaced ALSA file device', () => {
  test('float32 capture equals the f32le file', async () => {
    const frames = SAMPLE_RATE;
    const signal = stereoSine(frames, SAMPLE_RATE);
    const inFile = join(dir, 'sine-f32le.raw');
    await writeFile(inFile, Buffer.from(signal.buffer));
    const config = await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, NULL_DEFAULT_PCM);

    harness = new Harness(baseEnv(config, inFile), dir);
    harness.send({
      cmd: 'start',
      options: { device: 'vjfile', sampleRate: SAMPLE_RATE },
      collectFrames: frames,
    });
    const started = await harness.next('started');
    const collected = decodeSamples(await harness.next('collected'));

    const info = started.info as {
      device: { name: string; hostApi: string };
      channels: number;
      sampleRate: number;
    };
    expect(info.device.name).toBe('vjfile');
    expect(info.device.hostApi).toBe('ALSA');
    expect(info.channels).toBe(2);
    expect(info.sampleRate).toBe(SAMPLE_RATE);
    expect(collected.length).toBeGreaterThanOrEqual(signal.length);
    expect(firstMismatch(collected, signal)).toBe(-1);
    await harness.next('status', { predicate: (message) => message.status === 'open' });
  });

  test('int16 capture equals the s16le file divided by 32768', async () => {
    const frames = SAMPLE_RATE;
    const integers = Int16Array.from(stereoSine(frames, SAMPLE_RATE), (sample) => Math.round(sample * 32767));
    const inFile = join(dir, 'sine-s16le.raw');
    await writeFile(inFile, Buffer.from(integers.buffer));
    const config = await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, NULL_DEFAULT_PCM);

    harness = new Harness(baseEnv(config, inFile), dir);
    harness.send({
      cmd: 'start',
      options: { device: 'vjfile', sampleRate: SAMPLE_RATE, sampleFormat: 'int16', framesPerBuffer: 256 },
      collectFrames: frames,
    });
    await harness.next('started');
    const collected = decodeSamples(await harness.next('collected'));

    const expected = Float32Array.from(integers, (value) => value / 32768);
    expect(firstMismatch(collected, expected)).toBe(-1);
    const stats = await harness.stats();
    expect((stats.info as { description: string }).description).toContain('int16');
  });

  test('stop ends the blocks and may be called twice', async () => {
    const inFile = join(dir, 'zeros.raw');
    await writeFile(inFile, Buffer.alloc(4096));
    const config = await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, NULL_DEFAULT_PCM);

    harness = new Harness(baseEnv(config, inFile), dir);
    harness.send({ cmd: 'start', options: { device: 'vjfile', sampleRate: SAMPLE_RATE } });
    await harness.next('status', { predicate: (message) => message.status === 'open' });
    harness.send({ cmd: 'stop' });
    const stopped = await harness.next('stopped');

    expect(stopped.blocksLater).toBe(stopped.blocksAtStop);
    expect(harness.messages.filter((message) => message.type === 'error')).toEqual([]);
  });
});

const describeWithPulse =
  requireTool('pulseaudio') && requireTool('pactl', 'pulseaudio-utils') ? describe : describe.skip;

describeWithPulse('DeviceSource capture paced by a PulseAudio null sink', () => {
  let pulse: PulseServer | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await pulse?.stop();
    pulse = undefined;
  });

  test('blocks arrive at about the real-time rate', async () => {
    pulse = await startPulse(join(dir, 'pulse'));
    const inFile = join(dir, 'sine-f32le.raw');
    await writeFile(inFile, Buffer.from(stereoSine(SAMPLE_RATE * 10, SAMPLE_RATE).buffer));
    const config = await writeAlsaConfig(dir, 'asound.conf', PACED_FILE_PCM, NULL_DEFAULT_PCM);

    harness = new Harness({ ...baseEnv(config, inFile), VJ_PULSE_SERVER: pulse.address }, dir);
    harness.send({ cmd: 'start', options: { device: 'vjpaced', sampleRate: SAMPLE_RATE } });
    await harness.next('status', { predicate: (message) => message.status === 'open', timeoutMs: 20_000 });
    const before = await harness.stats();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const after = await harness.stats();

    const arrivals = after.blockArrivalsMs as number[];
    const first = (before.blockArrivalsMs as number[]).length;
    const framesBetween = ((after.frames as number) - (before.frames as number)) as number;
    const elapsedMs = (arrivals.at(-1) as number) - (arrivals[first - 1] as number);
    const framesPerSecond = (framesBetween / elapsedMs) * 1000;
    // An unpaced device delivers thousands of times faster; the margin allows for a loaded machine.
    expect(framesPerSecond).toBeGreaterThan(SAMPLE_RATE * 0.5);
    expect(framesPerSecond).toBeLessThan(SAMPLE_RATE * 2);
  });

  test('source reopens the device after its server comes back', async () => {
    const pulseDir = join(dir, 'pulse');
    pulse = await startPulse(pulseDir);
    const inFile = join(dir, 'sine-f32le.raw');
    await writeFile(inFile, Buffer.from(stereoSine(SAMPLE_RATE * 10, SAMPLE_RATE).buffer));
    const config = await writeAlsaConfig(dir, 'asound.conf', PACED_FILE_PCM, NULL_DEFAULT_PCM);
    harness = new Harness({ ...baseEnv(config, inFile), VJ_PULSE_SERVER: pulse.address }, dir);
    harness.send({
      cmd: 'start',
      options: { device: 'vjpaced', sampleRate: SAMPLE_RATE, retryInitialMs: 200, retryMaxMs: 1000 },
    });
    await harness.next('status', { predicate: (message) => message.status === 'open', timeoutMs: 20_000 });

    await pulse.stop();
    pulse = undefined;
    const lost = await harness.next('status', { predicate: (message) => message.status === 'no_input' });
    await harness.next('error', { predicate: (message) => message.code === 'VJ_AUDIO_DEVICE_LOST' });
    await harness.next('error', { predicate: (message) => message.code === 'VJ_AUDIO_DEVICE_NOT_FOUND' });
    const lostAt = harness.messages.indexOf(lost);

    pulse = await startPulse(pulseDir);
    await harness.next('status', {
      from: lostAt,
      predicate: (message) => message.status === 'open',
      timeoutMs: 30_000,
    });
    const reopened = await harness.stats();
    await waitFor(async () => ((await harness?.stats())?.frames as number) > (reopened.frames as number), {
      timeoutMs: 10_000,
      message: 'no blocks arrived after the device came back',
    });

    expect(lost.reason).toContain('vjpaced');
    expect(lost.reason).toContain('no audio arrived');
  });
});

describe('DeviceSource without a usable device', () => {
  test('start resolves with no_input and reports retries when no device exists', async () => {
    const config = await writeAlsaConfig(dir, 'asound.conf', 'pcm.!default { type hw card 0 }\n');

    harness = new Harness(baseEnv(config, '/dev/zero'), dir);
    harness.send({ cmd: 'start', options: { retryInitialMs: 100, retryMaxMs: 200 } });
    const started = await harness.next('started');
    await waitFor(() => harness?.messages.filter((message) => message.type === 'error').length === 3, {
      timeoutMs: 20_000,
      message: 'fewer than 3 failed attempts were reported',
    });

    expect(started.status).toBe('no_input');
    const statuses = harness.messages.filter((message) => message.type === 'status');
    expect(statuses).toEqual([
      { type: 'status', status: 'no_input', reason: 'No audio input device was found' },
    ]);
    const codes = harness.messages
      .filter((message) => message.type === 'error')
      .map((message) => message.code);
    expect(codes).toEqual([
      'VJ_AUDIO_DEVICE_NOT_FOUND',
      'VJ_AUDIO_DEVICE_NOT_FOUND',
      'VJ_AUDIO_DEVICE_NOT_FOUND',
    ]);
  });

  test('start rejects with VJ_AUDIO_DEVICE_NAUDIODON_MISSING when naudiodon is missing', async () => {
    const source = new DeviceSource({ naudiodonModule: 'naudiodon-that-is-not-installed' });

    const failure = await source.start().then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(isVjError(failure, 'VJ_AUDIO_DEVICE_NAUDIODON_MISSING')).toBe(true);
    expect((failure as Error).message).toContain('naudiodon');
    expect((failure as Error).message).toContain('pnpm rebuild naudiodon');
    await source.stop();
  });

  test('constructor rejects channels above 64 with VJ_AUDIO_DEVICE_INVALID_OPTIONS', () => {
    expect(() => new DeviceSource({ channels: 65 })).toThrow(
      expect.objectContaining({ code: 'VJ_AUDIO_DEVICE_INVALID_OPTIONS' }),
    );
  });
});
