import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { VjError } from '@vj/bus';
import { requireTool, waitFor } from '@vj/test-support';
import type { AudioBlock, SourceStatus } from '../../src/sources/source';
import { StdinSource, type StdinSourceOptions } from '../../src/sources/stdin-source';
import { channelOf, concatSamples, zeroCrossingHz } from './audio-test-helpers';

interface Recording {
  source: StdinSource;
  stream: PassThrough;
  blocks: AudioBlock[];
  statuses: Array<[SourceStatus, string | undefined]>;
  errors: VjError[];
}

function record(options: StdinSourceOptions): Recording {
  const stream = new PassThrough();
  const recording: Recording = {
    source: new StdinSource({ stream, ...options }),
    stream,
    blocks: [],
    statuses: [],
    errors: [],
  };
  recording.source.on('block', (block) => recording.blocks.push(block));
  recording.source.on('status', (status, reason) => recording.statuses.push([status, reason]));
  recording.source.on('error', (error) => recording.errors.push(error));
  return recording;
}

// Writes `bytes` in chunks whose sizes cycle through `sizes`, so chunks split samples and frames.
function writeInChunks(stream: PassThrough, bytes: Buffer, sizes: number[]): void {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length] as number;
    stream.write(bytes.subarray(offset, offset + size));
    offset += size;
  }
}

// A stereo test signal: the left channel counts up, the right counts down, so order and loss show.
function rampValues(frames: number): number[] {
  const values: number[] = [];
  for (let i = 0; i < frames; i++) values.push(((i % 200) - 100) / 128, (100 - (i % 200)) / 128);
  return values;
}

describe('StdinSource', () => {
  test('StdinSource reassembles s16le split at odd chunk sizes', async () => {
    const recording = record({ format: 's16le', sampleRate: 44100, channels: 2, blockFrames: 256 });
    const values = rampValues(1000);
    const bytes = Buffer.alloc(values.length * 2);
    values.forEach((value, i) => {
      bytes.writeInt16LE(Math.round(value * 32768), 2 * i);
    });
    await recording.source.start();

    writeInChunks(recording.stream, bytes, [1, 3, 7, 1001, 2, 513]);
    recording.stream.end();
    await waitFor(() => recording.source.status() === 'ended');

    expect(recording.blocks.map((block) => block.frames)).toEqual([256, 256, 256, 232]);
    expect(recording.blocks.map((block) => block.startFrame)).toEqual([0, 256, 512, 768]);
    expect(Array.from(concatSamples(recording.blocks.map((block) => block.samples)))).toEqual(values);
    expect(recording.blocks[0]).toMatchObject({ channels: 2, sampleRate: 44100 });
    expect(recording.statuses).toEqual([
      ['open', 'Reading stdin s16le 44100 Hz 2 ch.'],
      ['ended', 'stdin reached its end.'],
    ]);
  });

  test('StdinSource reassembles f32le split inside samples', async () => {
    const recording = record({ format: 'f32le', sampleRate: 48000, channels: 1, blockFrames: 100 });
    const values = Array.from({ length: 450 }, (_, i) => Math.fround(Math.sin(i / 10) * 0.9));
    const bytes = Buffer.alloc(values.length * 4);
    values.forEach((value, i) => {
      bytes.writeFloatLE(value, 4 * i);
    });
    await recording.source.start();

    writeInChunks(recording.stream, bytes, [3, 5, 6, 333]);
    recording.stream.end();
    await waitFor(() => recording.source.status() === 'ended');

    expect(recording.blocks.map((block) => block.frames)).toEqual([100, 100, 100, 100, 50]);
    expect(Array.from(concatSamples(recording.blocks.map((block) => block.samples)))).toEqual(values);
  });

  test('StdinSource drops a partial frame at the end and says so', async () => {
    const recording = record({ format: 's16le', channels: 2, blockFrames: 16 });
    await recording.source.start();

    // 3 whole stereo frames, one more sample and one more byte: 2 + 1 bytes dropped.
    recording.stream.end(Buffer.alloc(3 * 4 + 2 + 1));
    await waitFor(() => recording.source.status() === 'ended');

    expect(recording.blocks.map((block) => block.frames)).toEqual([3]);
    expect(recording.statuses.at(-1)).toEqual([
      'ended',
      'stdin reached its end. 3 trailing bytes that did not make a whole frame were dropped.',
    ]);
  });

  test('StdinSource reports a stream error as VJ_AUDIO_STDIN_READ_FAILED without throwing', async () => {
    const recording = record({});
    await recording.source.start();

    recording.stream.destroy(new Error('EPIPE from the writer'));
    await waitFor(() => recording.source.status() === 'no_input');

    expect(recording.errors).toHaveLength(1);
    expect(recording.errors[0]).toMatchObject({
      code: 'VJ_AUDIO_STDIN_READ_FAILED',
      message: expect.stringContaining('(EPIPE from the writer)'),
    });
    expect(recording.statuses.at(-1)).toEqual(['no_input', 'Reading stdin failed']);
  });

  test('StdinSource without an error listener survives a stream error', async () => {
    const stream = new PassThrough();
    const source = new StdinSource({ stream });
    await source.start();

    stream.destroy(new Error('broken pipe'));
    await waitFor(() => source.status() === 'no_input');

    expect(source.listenerCount('error')).toBe(0);
  });

  test('StdinSource ignores data after stop', async () => {
    const recording = record({ format: 's16le', channels: 1, blockFrames: 16 });
    await recording.source.start();
    recording.stream.write(Buffer.alloc(64));
    await waitFor(() => recording.blocks.length === 2);

    await recording.source.stop();
    recording.stream.write(Buffer.alloc(64));
    await new Promise((resolve) => setImmediate(resolve));

    expect(recording.blocks).toHaveLength(2);
    expect(recording.source.status()).toBe('no_input');
  });

  test('StdinSource on a terminal waits in no_input until data arrives', async () => {
    const recording = record({ format: 's16le', channels: 1, blockFrames: 16 });
    Object.assign(recording.stream, { isTTY: true });

    await recording.source.start();
    const atStart = recording.source.status();
    recording.stream.write(Buffer.alloc(32));
    await waitFor(() => recording.blocks.length === 1);

    expect(atStart).toBe('no_input');
    expect(recording.statuses[0]).toEqual(['no_input', 'stdin is a terminal; pipe raw PCM into the worker']);
    expect(recording.source.status()).toBe('open');
  });

  test('StdinSource describes its input', () => {
    const source = new StdinSource({
      stream: new PassThrough(),
      format: 's16le',
      sampleRate: 22050,
      channels: 1,
      realtime: false,
    });

    expect(source.info()).toEqual({
      kind: 'stdin',
      description: 'stdin s16le 22050 Hz 1 ch',
      sampleRate: 22050,
      channels: 1,
      realtime: false,
    });
  });

  test('StdinSource rejects invalid options with VJ_AUDIO_SOURCE_INVALID_OPTIONS', () => {
    const invalid: StdinSourceOptions[] = [
      { format: 'u8' as 's16le' },
      { sampleRate: 0 },
      { channels: 0 },
      { channels: 1.5 },
      { blockFrames: 1 << 20 },
    ];
    for (const options of invalid) {
      expect(() => new StdinSource({ stream: new PassThrough(), ...options })).toThrow(
        expect.objectContaining({ code: 'VJ_AUDIO_SOURCE_INVALID_OPTIONS' }),
      );
    }
  });
});

const describeWithSox = requireTool('sox') ? describe : describe.skip;

describeWithSox('StdinSource over a real pipe', () => {
  test('StdinSource reads f32le that sox writes to a pipe', async () => {
    const sox = spawn(
      'sox',
      [
        '-n',
        '-r',
        '48000',
        '-c',
        '2',
        '-t',
        'f32',
        '-',
        'synth',
        '1',
        'sine',
        '440',
        'sine',
        '1000',
        'vol',
        '0.5',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const source = new StdinSource({ stream: sox.stdout, format: 'f32le', sampleRate: 48000, channels: 2 });
    const blocks: AudioBlock[] = [];
    source.on('block', (block) => blocks.push(block));

    await source.start();
    await waitFor(() => source.status() === 'ended', { timeoutMs: 15_000 });

    const samples = concatSamples(blocks.map((block) => block.samples));
    expect(samples).toHaveLength(48000 * 2);
    expect(zeroCrossingHz(channelOf(samples, 2, 0), 48000)).toBeCloseTo(440, 0);
    expect(zeroCrossingHz(channelOf(samples, 2, 1), 48000)).toBeCloseTo(1000, 0);
  });
});
