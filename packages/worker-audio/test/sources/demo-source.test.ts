import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@vj/test-support';
import { DemoSource } from '../../src/sources/demo-source';
import { renderDemo } from '../../src/sources/demo-synth';
import type { AudioBlock, SourceStatus } from '../../src/sources/source';
import { channelOf, concatSamples, maxDifference, peakOf, sameSamples } from './audio-test-helpers';

// Energy per frame of about 5 ms of `signal` after two one-pole low-passes at
// `cutoffHz`, with the frame's exact duration in seconds.
function lowBandEnergy(
  signal: Float32Array,
  sampleRate: number,
  cutoffHz: number,
): { energy: Float64Array; frameS: number } {
  const alpha = 1 - Math.exp((-2 * Math.PI * cutoffHz) / sampleRate);
  const hop = Math.round(0.005 * sampleRate);
  const energy = new Float64Array(Math.floor(signal.length / hop));
  let first = 0;
  let second = 0;
  for (let frame = 0; frame < energy.length; frame++) {
    let sum = 0;
    for (let i = frame * hop; i < (frame + 1) * hop; i++) {
      first += alpha * ((signal[i] as number) - first);
      second += alpha * (first - second);
      sum += second * second;
    }
    energy[frame] = sum;
  }
  return { energy, frameS: hop / sampleRate };
}

// Energy of the first difference of `signal` (a crude high-pass) from `startS` for `lengthS`.
function highBandEnergy(signal: Float32Array, sampleRate: number, startS: number, lengthS: number): number {
  const start = Math.max(1, Math.round(startS * sampleRate));
  const end = Math.min(signal.length, start + Math.round(lengthS * sampleRate));
  let energy = 0;
  for (let i = start; i < end; i++) {
    const difference = (signal[i] as number) - (signal[i - 1] as number);
    energy += difference * difference;
  }
  return energy;
}

// Times in seconds where `energy`, summed over a trailing 20 ms window so that
// one low sine period does not look like several events, rises above half its
// maximum after having fallen below a quarter of it. Onsets closer than 150 ms
// (a beat at 400 BPM) count as one event.
function onsetTimes(energy: Float64Array, frameS: number): number[] {
  const window = Math.round(0.02 / frameS);
  const smoothed = new Float64Array(energy.length);
  let max = 0;
  for (let i = 0; i < energy.length; i++) {
    let sum = 0;
    for (let j = Math.max(0, i - window + 1); j <= i; j++) sum += energy[j] as number;
    smoothed[i] = sum;
    if (sum > max) max = sum;
  }

  const onsets: number[] = [];
  let armed = true;
  for (let i = 0; i < smoothed.length; i++) {
    const value = smoothed[i] as number;
    const lastOnset = onsets.at(-1);
    const refractory = lastOnset !== undefined && i * frameS - lastOnset < 0.15;
    if (armed && !refractory && value > max / 2) {
      onsets.push(i * frameS);
      armed = false;
    } else if (value < max / 4) {
      armed = true;
    }
  }
  return onsets;
}

describe('renderDemo', () => {
  test('renderDemo renders the same samples twice', () => {
    const first = renderDemo(3);
    const second = renderDemo(3);

    expect(first.samples).toHaveLength(3 * 48000 * 2);
    expect(sameSamples(first.samples, second.samples)).toBe(true);
  });

  test('renderDemo with another seed renders other noise', () => {
    const first = renderDemo(1, { seed: 1 });
    const second = renderDemo(1, { seed: 2 });

    expect(sameSamples(first.samples, second.samples)).toBe(false);
    // Only the noise differs, so the kick and bass keep the signals close.
    expect(maxDifference(first.samples, second.samples)).toBeLessThan(0.5);
  });

  test.each([
    { bpm: 128, sampleRate: 48000 },
    { bpm: 100, sampleRate: 44100 },
    { bpm: 174, sampleRate: 22050 },
  ])('renderDemo at $bpm BPM puts the low-band onsets on the beat grid', ({ bpm, sampleRate }) => {
    const durationS = 8;
    const beatS = 60 / bpm;
    const { samples } = renderDemo(durationS, { bpm, sampleRate, channels: 1 });

    const { energy, frameS } = lowBandEnergy(samples, sampleRate, 150);
    const onsets = onsetTimes(energy, frameS);

    const beats: number[] = [];
    for (let beat = 0; beat * beatS < durationS; beat++) beats.push(beat * beatS);
    expect(onsets).toHaveLength(beats.length);
    onsets.forEach((onsetS, index) => {
      const lagS = onsetS - (beats[index] as number);
      // An onset is reported at the start of the 5 ms frame that contains it, and the low-pass delays it a little.
      expect(lagS).toBeGreaterThanOrEqual(-frameS);
      expect(lagS).toBeLessThan(0.02);
    });
  });

  test('renderDemo puts the snare on beats 2 and 4', () => {
    const bpm = 128;
    const beatS = 60 / bpm;
    const { samples } = renderDemo(8, { bpm, channels: 1 });

    for (let bar = 0; bar < 4; bar++) {
      const energies = [0, 1, 2, 3].map((beat) =>
        highBandEnergy(samples, 48000, (bar * 4 + beat) * beatS, 0.06),
      );
      const [one, two, three, four] = energies as [number, number, number, number];
      expect(two).toBeGreaterThan(2 * Math.max(one, three));
      expect(four).toBeGreaterThan(2 * Math.max(one, three));
    }
  });

  test('renderDemo puts a hat on every off-beat eighth', () => {
    const bpm = 128;
    const eighthS = 30 / bpm;
    const { samples } = renderDemo(4, { bpm, channels: 1 });

    // Off-beat eighths carry neither kick nor snare, so their highs come from the hat alone.
    for (let beat = 0; beat < 7; beat++) {
      const offBeatS = (2 * beat + 1) * eighthS;
      const during = highBandEnergy(samples, 48000, offBeatS, 0.02);
      const before = highBandEnergy(samples, 48000, offBeatS - 0.03, 0.02);
      expect(during).toBeGreaterThan(3 * before);
    }
  });

  test('renderDemo in stereo pans the hats, and mono is the mean of both channels', () => {
    const stereo = renderDemo(2, { channels: 2 });
    const mono = renderDemo(2, { channels: 1 });
    const left = channelOf(stereo.samples, 2, 0);
    const right = channelOf(stereo.samples, 2, 1);
    const mean = left.map((value, i) => (value + (right[i] as number)) / 2);

    expect(sameSamples(left, right)).toBe(false);
    expect(maxDifference(mean, mono.samples)).toBeLessThan(1e-6);
  });

  test('renderDemo stays within full scale and is clearly audible', () => {
    const { samples } = renderDemo(8);

    expect(peakOf(samples)).toBeLessThanOrEqual(1);
    expect(peakOf(samples)).toBeGreaterThan(0.3);
  });

  test('renderDemo rejects invalid options with VJ_AUDIO_SOURCE_INVALID_OPTIONS', () => {
    const invalid = [{ bpm: 0 }, { bpm: 1000 }, { sampleRate: 1000 }, { channels: 3 as 2 }, { seed: -1 }];
    for (const options of invalid) {
      expect(() => renderDemo(1, options)).toThrow(
        expect.objectContaining({ code: 'VJ_AUDIO_SOURCE_INVALID_OPTIONS' }),
      );
    }
  });
});

describe('DemoSource', () => {
  test('DemoSource in fast pace delivers the samples of renderDemo', async () => {
    const source = new DemoSource({ pace: 'fast', bpm: 120, blockFrames: 1000 });
    const blocks: AudioBlock[] = [];
    source.on('block', (block) => blocks.push(block));

    await source.start();
    await waitFor(() => blocks.length >= 96);
    await source.stop();

    const delivered = concatSamples(blocks.slice(0, 96).map((block) => block.samples));
    expect(sameSamples(delivered, renderDemo(2, { bpm: 120 }).samples)).toBe(true);
    expect(blocks.slice(0, 96).map((block) => block.startFrame)).toEqual(
      blocks.slice(0, 96).map((_, i) => i * 1000),
    );
  });

  test('DemoSource describes itself plainly as the demo', () => {
    const source = new DemoSource({ bpm: 124, channels: 1 });

    expect(source.info()).toEqual({
      kind: 'demo',
      description: 'demo loop 124 BPM (generated test music, not a real input)',
      sampleRate: 48000,
      channels: 1,
      realtime: true,
    });
  });

  test('DemoSource in realtime pace delivers no more blocks than are due', async () => {
    // 480-frame blocks at 48 kHz: one block every 10 ms.
    const source = new DemoSource({ blockFrames: 480 });
    const blocks: AudioBlock[] = [];
    const statuses: SourceStatus[] = [];
    source.on('block', (block) => blocks.push(block));
    source.on('status', (status) => statuses.push(status));
    const startedAt = performance.now();

    await source.start();
    await sleep(300);
    const elapsedMs = performance.now() - startedAt;
    const delivered = blocks.length;
    await source.stop();

    expect(delivered).toBeLessThanOrEqual(Math.floor(elapsedMs / 10) + 1);
    expect(delivered).toBeGreaterThanOrEqual(Math.floor(elapsedMs / 10) * 0.3);
    expect(statuses).toEqual(['open', 'no_input']);
  });

  test('DemoSource starts again from its first frame after stop', async () => {
    const source = new DemoSource({ pace: 'fast', blockFrames: 256 });
    const blocks: AudioBlock[] = [];
    source.on('block', (block) => blocks.push(block));

    await source.start();
    await waitFor(() => blocks.length > 0);
    await source.stop();
    const firstRun = blocks[0] as AudioBlock;
    blocks.length = 0;
    await source.start();
    await waitFor(() => blocks.length > 0);
    await source.stop();

    expect(blocks[0]?.startFrame).toBe(0);
    expect(sameSamples(blocks[0]?.samples as Float32Array, firstRun.samples)).toBe(true);
  });
});
