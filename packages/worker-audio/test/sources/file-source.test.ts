import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VjError } from '@vj/bus';
import { devAudioDir, makeTempDir, removeDir, requireTool, waitFor } from '@vj/test-support';
import { readAudioFile } from '../../src/sources/audio-file';
import { FileSource, type FileSourceOptions } from '../../src/sources/file-source';
import type { AudioBlock, SourceStatus } from '../../src/sources/source';
import {
  buildRiff,
  channelOf,
  concatSamples,
  fmtChunk,
  run,
  sameSamples,
  toPcm16,
  zeroCrossingHz,
} from './audio-test-helpers';

const describeWithTools = requireTool('sox') && requireTool('ffmpeg') ? describe : describe.skip;

const CORPUS_CLIP = join(devAudioDir(), 'xm-house-145bpm.wav');

interface Recording {
  source: FileSource;
  blocks: AudioBlock[];
  statuses: Array<[SourceStatus, string | undefined]>;
  errors: VjError[];
}

function record(options: FileSourceOptions): Recording {
  const recording: Recording = { source: new FileSource(options), blocks: [], statuses: [], errors: [] };
  recording.source.on('block', (block) => recording.blocks.push(block));
  recording.source.on('status', (status, reason) => recording.statuses.push([status, reason]));
  recording.source.on('error', (error) => recording.errors.push(error));
  return recording;
}

// Process ids of the ffmpeg children of this test process, from procps `ps`.
async function ffmpegChildren(): Promise<string[]> {
  let listing: string;
  try {
    listing = await run('ps', ['--ppid', String(process.pid), '-o', 'pid=,comm=']);
  } catch (error) {
    // ps exits with 1 when the process has no children at all.
    if ((error as { code?: number }).code === 1) return [];
    throw error;
  }
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, command]) => command === 'ffmpeg')
    .map(([pid]) => pid as string);
}

function untilEnded(recording: Recording, timeoutMs = 30_000): Promise<unknown> {
  return waitFor(() => recording.source.status() === 'ended', {
    timeoutMs,
    message: 'file source did not end',
  });
}

describeWithTools('FileSource', () => {
  let dir: string;
  let sinePath: string;
  beforeAll(async () => {
    dir = await makeTempDir('vj-file-source-');
    sinePath = join(dir, 'sine-1s.wav');
    await run('sox', [
      '-D',
      '-n',
      '-r',
      '44100',
      '-c',
      '2',
      '-b',
      '16',
      sinePath,
      'synth',
      '1',
      'sine',
      '440',
      'sine',
      '1000',
      'vol',
      '0.5',
    ]);
  });
  afterAll(() => removeDir(dir));

  test('FileSource in realtime pace delivers no more blocks than are due', async () => {
    // 441-frame blocks at 44.1 kHz: one block every 10 ms.
    const recording = record({ path: sinePath, blockFrames: 441 });
    const startedAt = performance.now();
    await recording.source.start();

    const checks: Array<{ elapsedMs: number; blocks: number }> = [];
    for (let i = 0; i < 5; i++) {
      await sleep(100);
      checks.push({ elapsedMs: performance.now() - startedAt, blocks: recording.blocks.length });
    }
    await untilEnded(recording);
    const endedAfterMs = performance.now() - startedAt;

    for (const { elapsedMs, blocks } of checks) {
      // Never ahead of the clock; behind it only by a wide margin for a loaded machine.
      expect(blocks).toBeLessThanOrEqual(Math.floor(elapsedMs / 10) + 1);
      expect(blocks).toBeGreaterThanOrEqual(Math.floor(elapsedMs / 10) * 0.3);
    }
    // A paced second of audio cannot end before a second has passed.
    expect(endedAfterMs).toBeGreaterThanOrEqual(990);
    expect(recording.blocks).toHaveLength(100);
    expect(recording.source.info()).toMatchObject({
      kind: 'file',
      sampleRate: 44100,
      channels: 2,
      realtime: true,
    });
  });

  test('FileSource stamps realtime blocks with non-decreasing capture times', async () => {
    const recording = record({ path: sinePath, blockFrames: 2205 });
    await recording.source.start();
    await untilEnded(recording);

    const times = recording.blocks.map((block) => block.capturedAtMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(recording.blocks.map((block) => block.startFrame)).toEqual(
      recording.blocks.map((_, i) => i * 2205),
    );
  });

  test('FileSource in fast pace delivers a 30 s clip whole and ends', async () => {
    const recording = record({ path: CORPUS_CLIP, pace: 'fast' });
    let timerRuns = 0;
    const interval = setInterval(() => {
      timerRuns += 1;
    }, 0);

    try {
      await recording.source.start();
      await untilEnded(recording, 60_000);
    } finally {
      // A failed start must not leave the interval running, or Jest never exits.
      clearInterval(interval);
    }

    const expected = await readAudioFile(CORPUS_CLIP);
    const frames = recording.blocks.reduce((sum, block) => sum + block.frames, 0);
    expect(frames).toBe(expected.frames);
    expect(recording.blocks).toHaveLength(Math.ceil(expected.frames / 512));
    expect(recording.blocks.at(-1)?.frames).toBe(expected.frames % 512);
    expect(sameSamples(concatSamples(recording.blocks.map((block) => block.samples)), expected.samples)).toBe(
      true,
    );
    expect(recording.statuses).toEqual([
      ['open', `Audio file "${CORPUS_CLIP}" was opened.`],
      ['ended', `Audio file "${CORPUS_CLIP}" was played to its end.`],
    ]);
    expect(recording.source.info().realtime).toBe(false);
    expect(timerRuns).toBeGreaterThan(0);
  });

  test('FileSource with loop starts again at the end instead of ending', async () => {
    const shortPath = join(dir, 'short.wav');
    await run('sox', [
      '-D',
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-b',
      '16',
      shortPath,
      'synth',
      '0.1',
      'sine',
      '300',
    ]);
    const recording = record({ path: shortPath, pace: 'fast', loop: true, blockFrames: 300 });

    await recording.source.start();
    await waitFor(() => recording.blocks.length >= 12, { timeoutMs: 10_000 });
    await recording.source.stop();

    // 800 frames per pass: blocks of 300, 300 and 200, then again from frame 0.
    expect(recording.blocks.slice(0, 6).map((block) => block.frames)).toEqual([300, 300, 200, 300, 300, 200]);
    const firstPass = concatSamples(recording.blocks.slice(0, 3).map((block) => block.samples));
    const secondPass = concatSamples(recording.blocks.slice(3, 6).map((block) => block.samples));
    expect(sameSamples(firstPass, secondPass)).toBe(true);
    expect(recording.blocks[3]?.startFrame).toBe(800);
    expect(recording.statuses.map(([status]) => status)).toEqual(['open', 'no_input']);
    expect(recording.source.info().description).toBe(`file ${shortPath} (fast, looping)`);
  });

  test('FileSource stops delivering at stop and can start again', async () => {
    const recording = record({ path: sinePath, blockFrames: 441 });
    await recording.source.start();
    await waitFor(() => recording.blocks.length >= 3);

    await recording.source.stop();
    const atStop = recording.blocks.length;
    await sleep(200);

    expect(recording.blocks).toHaveLength(atStop);
    expect(recording.source.status()).toBe('no_input');

    await recording.source.start();
    await waitFor(() => recording.blocks.length > atStop);
    await recording.source.stop();
    expect(recording.blocks[atStop]?.startFrame).toBe(0);
  });

  test('FileSource plays FLAC through ffmpeg in real time', async () => {
    const flacPath = join(dir, 'sine.flac');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', sinePath, flacPath]);
    const recording = record({ path: flacPath, blockFrames: 1024 });

    await recording.source.start();
    await untilEnded(recording);

    const samples = concatSamples(recording.blocks.map((block) => block.samples));
    expect(samples).toHaveLength(44100 * 2);
    expect(zeroCrossingHz(channelOf(samples, 2, 0), 44100)).toBeCloseTo(440, 0);
    expect(zeroCrossingHz(channelOf(samples, 2, 1), 44100)).toBeCloseTo(1000, 0);
    expect(recording.errors).toEqual([]);
  });

  test('FileSource loops a FLAC file by restarting ffmpeg', async () => {
    const flacPath = join(dir, 'loop.flac');
    await run('sox', [
      '-D',
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-b',
      '16',
      flacPath,
      'synth',
      '0.1',
      'sine',
      '300',
    ]);
    const recording = record({ path: flacPath, pace: 'fast', loop: true, blockFrames: 400 });

    await recording.source.start();
    await waitFor(() => recording.blocks.length >= 6, { timeoutMs: 10_000 });
    await recording.source.stop();

    const firstPass = concatSamples(recording.blocks.slice(0, 2).map((block) => block.samples));
    const secondPass = concatSamples(recording.blocks.slice(2, 4).map((block) => block.samples));
    expect(firstPass).toHaveLength(800);
    expect(sameSamples(firstPass, secondPass)).toBe(true);
  });

  test('FileSource stop ends its ffmpeg child', async () => {
    const flacPath = join(dir, 'long.flac');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', CORPUS_CLIP, flacPath]);
    const recording = record({ path: flacPath });

    await recording.source.start();
    await waitFor(() => recording.blocks.length > 0);
    const running = await ffmpegChildren();
    await recording.source.stop();

    expect(running).toHaveLength(1);
    expect(await ffmpegChildren()).toEqual([]);
  });

  test('FileSource start rejects a missing file with VJ_AUDIO_FILE_NOT_FOUND', async () => {
    const source = new FileSource({ path: join(dir, 'missing.wav') });

    await expect(source.start()).rejects.toMatchObject({ code: 'VJ_AUDIO_FILE_NOT_FOUND' });
    expect(source.status()).toBe('no_input');
  });

  test('FileSource start rejects an A-law WAV with VJ_AUDIO_WAV_UNSUPPORTED_ENCODING', async () => {
    const path = join(dir, 'alaw.wav');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', sinePath, '-c:a', 'pcm_alaw', path]);

    await expect(new FileSource({ path }).start()).rejects.toMatchObject({
      code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
    });
  });

  test('FileSource start rejects a FLAC file when ffprobe is missing, naming it', async () => {
    const flacPath = join(dir, 'no-probe.flac');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', sinePath, flacPath]);
    const source = new FileSource({ path: flacPath, ffprobePath: join(dir, 'no-such-ffprobe') });

    await expect(source.start()).rejects.toMatchObject({
      code: 'VJ_AUDIO_FFMPEG_NOT_FOUND',
      message: expect.stringContaining('ffprobe was not found at'),
    });
  });

  test('FileSource reports the warnings of a truncated WAV and plays what is there', async () => {
    const path = join(dir, 'truncated.wav');
    const fmt = fmtChunk({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
    await writeFile(
      path,
      buildRiff([fmt, { id: 'data', body: toPcm16([0.5, -0.5, 0.25]), declaredBytes: 8000 }]),
    );
    const recording = record({ path, pace: 'fast' });

    await recording.source.start();
    await untilEnded(recording);

    expect(Array.from(concatSamples(recording.blocks.map((block) => block.samples)))).toEqual([
      0.5, -0.5, 0.25,
    ]);
    expect(recording.source.warnings().join(' ')).toMatch(/declares 8000 bytes, but the file ends after 6/);
  });

  test('FileSource rejects invalid options with VJ_AUDIO_SOURCE_INVALID_OPTIONS', () => {
    const invalid: Array<[FileSourceOptions, RegExp]> = [
      [{ path: '' }, /Option path of the file source must be a non-empty file path, but received ""/],
      [
        { path: sinePath, blockFrames: 0 },
        /Option blockFrames of the file source must be an integer from 16 to 65536, but received 0/,
      ],
      [{ path: sinePath, blockFrames: 100.5 }, /blockFrames .* received 100.5/],
      [
        { path: sinePath, pace: 'slow' as 'fast' },
        /Option pace of the file source must be one of "realtime", "fast", but received "slow"/,
      ],
      [
        { path: sinePath, loop: 'yes' as unknown as boolean },
        /Option loop of the file source must be true or false/,
      ],
    ];
    for (const [options, message] of invalid) {
      expect(() => new FileSource(options)).toThrow(
        expect.objectContaining({
          code: 'VJ_AUDIO_SOURCE_INVALID_OPTIONS',
          message: expect.stringMatching(message),
        }),
      );
    }
  });
});
