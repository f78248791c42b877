import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { BandNames } from '@vj/bus';
import { devAudioDir, makeTempDir, removeDir } from '@vj/test-support';
import type { AnalysisSummary } from '../src/cli/analyze';

const execFileAsync = promisify(execFile);
const BIN = path.join(__dirname, '..', 'bin', 'vj-audio.cjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function vjAudio(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('vj-audio analyze', () => {
  const clip = path.join(devAudioDir(), 'xm-house-145bpm.wav');
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('vj-audio-cli-');
  });
  afterAll(() => removeDir(dir));

  test('json summary of a dance clip', async () => {
    const run = await vjAudio('analyze', clip, '--json');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as AnalysisSummary;

    expect(summary.sample_rate).toBe(44100);
    expect(summary.channels).toBe(2);
    expect(summary.duration_s).toBeCloseTo(30, 1);
    expect(Math.abs(summary.bpm - 145) / 145).toBeLessThan(0.04);
    expect(summary.bpm_confidence).toBeGreaterThan(0.5);
    expect(summary.bpm_timeline).toHaveLength(29);
    expect(summary.bpm_timeline[0]).toEqual([1, expect.any(Number), expect.any(Number)]);
    expect(summary.beats_s.length).toBeGreaterThan(60);
    expect(Object.keys(summary.levels)).toEqual([...BandNames, 'rms']);
    for (const stats of Object.values(summary.levels)) {
      expect(stats.max).toBeLessThanOrEqual(1);
      expect(stats.mean).toBeGreaterThan(0);
    }
    expect(summary.speed_x_realtime).toBeGreaterThan(1);
  });

  test('tracked beats fall on the ground-truth beats', async () => {
    const manifest = (await import(path.join(devAudioDir(), 'manifest.json'))) as {
      files: Array<{ name: string; ground_truth_beats_s: number[] }>;
    };
    const truth =
      manifest.files.find((file) => file.name === 'xm-house-145bpm.wav')?.ground_truth_beats_s ?? [];
    const summary = JSON.parse((await vjAudio('analyze', clip, '--json')).stdout) as AnalysisSummary;
    const hit = truth.filter((beat) => summary.beats_s.some((tracked) => Math.abs(tracked - beat) <= 0.07));
    expect(truth.length).toBeGreaterThan(60);
    expect(hit.length / truth.length).toBeGreaterThan(0.9);
  });

  test('table summary names tempo and levels', async () => {
    const run = await vjAudio('analyze', clip);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/tempo\s+14\d\.\d BPM/);
    expect(run.stdout).toMatch(/^sub_bass\s+\d\.\d{3}/m);
  });

  test('frames prints one line per frame', async () => {
    const run = await vjAudio(
      'analyze',
      path.join(devAudioDir(), 'test-tone-440hz.wav'),
      '--frames',
      '--json',
    );
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1) as string) as AnalysisSummary;
    const frames = lines.slice(0, -1).map((line) => JSON.parse(line) as { frame: number; pitch_hz: number });
    expect(frames).toHaveLength(summary.frames);
    expect(frames.map((frame) => frame.frame).slice(0, 3)).toEqual([0, 1, 2]);
    const voiced = frames.slice(100).map((frame) => frame.pitch_hz);
    expect(voiced.every((hz) => Math.abs(hz - 440) <= 2)).toBe(true);
    expect(summary.bpm).toBe(0);
  });

  test('missing file exits 1 naming it', async () => {
    const missing = path.join(dir, 'absent.wav');
    const run = await vjAudio('analyze', missing);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(missing);
    expect(run.stderr).toContain('VJ_AUDIO_FILE_NOT_FOUND');
  });

  test('missing argument exits 2', async () => {
    const run = await vjAudio('analyze');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'file'");
  });

  test('invalid window exits 1', async () => {
    const run = await vjAudio('analyze', clip, '--window', '1000');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('VJ_AUDIO_ANALYSIS_INVALID_CONFIG');
  });
});
