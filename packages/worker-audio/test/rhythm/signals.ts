/**
 * Test signals for the rhythm tracker, and a runner that feeds them to it
 * and keeps a copy of every frame.
 */
import { feedTracker } from '../../src/rhythm/evaluation/trace';
import { RhythmTracker } from '../../src/rhythm/rhythm-tracker';
import type { RhythmFrame } from '../../src/rhythm/types';
import type { DecodedAudio } from '../../src/sources/wav';

export const SAMPLE_RATE = 44100;

/** One frame of a run, with its time. */
export interface TimedFrame extends RhythmFrame {
  timeS: number;
}

/** A click in a click track: its time and its peak amplitude. */
export interface Click {
  timeS: number;
  amplitude: number;
}

/** Returns mono samples of `seconds` with a decaying noise burst (about 5 ms) at each click. */
export function renderClicks(
  clicks: readonly Click[],
  seconds: number,
  sampleRate = SAMPLE_RATE,
  seed = 7,
): Float32Array {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  let state = seed >>> 0;
  const burst = new Float32Array(Math.round(0.03 * sampleRate));
  for (let n = 0; n < burst.length; n++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    burst[n] = ((state / 2 ** 32) * 2 - 1) * Math.exp(-n / (0.005 * sampleRate));
  }
  for (const click of clicks) {
    const start = Math.round(click.timeS * sampleRate);
    for (let n = 0; n < burst.length && start + n < samples.length; n++) {
      samples[start + n] = (samples[start + n] as number) + click.amplitude * (burst[n] as number);
    }
  }
  return samples;
}

/** Returns clicks every 60/`bpm` seconds from `startS` to `endS`, leaving out those for which `skip(index)` is true. */
export function clickGrid(
  bpm: number,
  startS: number,
  endS: number,
  skip: (index: number) => boolean = () => false,
): Click[] {
  const clicks: Click[] = [];
  for (let index = 0; startS + (index * 60) / bpm < endS; index++) {
    if (!skip(index)) {
      clicks.push({ timeS: startS + (index * 60) / bpm, amplitude: 0.5 });
    }
  }
  return clicks;
}

/** Returns uniform white noise of `seconds` with the given RMS level, from a seeded generator. */
export function whiteNoise(rms: number, seconds: number, seed = 1): Float32Array {
  const samples = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  let state = seed >>> 0;
  const scale = rms * Math.sqrt(3);
  for (let n = 0; n < samples.length; n++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    samples[n] = scale * ((state / 2 ** 32) * 2 - 1);
  }
  return samples;
}

/** Returns a new tracker for mono audio at SAMPLE_RATE with the analyser's default window and hop. */
export function newTracker(
  options: Partial<ConstructorParameters<typeof RhythmTracker>[0]> = {},
): RhythmTracker {
  return new RhythmTracker({ ...options, sampleRate: SAMPLE_RATE, hopSize: 512, windowSize: 1024 });
}

/**
 * Feeds `samples` (mono, or interleaved with `channels`) to `tracker` and
 * returns a copy of every frame. `onFrame` may call the tracker's overrides.
 */
export function run(
  tracker: RhythmTracker,
  samples: Float32Array,
  options: { channels?: number; sampleRate?: number; onFrame?: (frame: TimedFrame) => void } = {},
): TimedFrame[] {
  const channels = options.channels ?? 1;
  const audio: DecodedAudio = {
    sampleRate: options.sampleRate ?? SAMPLE_RATE,
    channels,
    samples,
    frames: Math.floor(samples.length / channels),
    warnings: [],
  };
  const frames: TimedFrame[] = [];
  feedTracker(tracker, audio, -60, (frame, timeS) => {
    const copy = { ...frame, timeS };
    frames.push(copy);
    options.onFrame?.(copy);
  });
  return frames;
}

/** Returns the times of the frames with a beat. */
export function beatTimes(frames: readonly TimedFrame[]): number[] {
  return frames.filter((frame) => frame.isBeat).map((frame) => frame.timeS);
}

/** Returns the distance in seconds from `timeS` to the nearest of `timesS`. */
export function distanceToNearest(timeS: number, timesS: readonly number[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (const other of timesS) {
    best = Math.min(best, Math.abs(other - timeS));
  }
  return best;
}
