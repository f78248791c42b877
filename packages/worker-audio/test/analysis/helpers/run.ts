/**
 * Runs the analyser over whole signals for the tests.
 */
import { Analyzer } from '../../../src/analysis/analyzer';
import type { AnalysisOptions } from '../../../src/analysis/config';
import { HopSplitter } from '../../../src/analysis/hop-splitter';
import type { FrameFeatures } from '../../../src/analysis/types';

/** Returns the features of every frame of `samples` (interleaved, `channels` per frame). */
export function analyzeSignal(
  samples: Float32Array,
  channels: number,
  options: AnalysisOptions,
): FrameFeatures[] {
  const analyzer = new Analyzer(options);
  return analyzeWith(analyzer, samples, channels);
}

/** Feeds `samples` to an existing analyser and returns the features of each frame. */
export function analyzeWith(analyzer: Analyzer, samples: Float32Array, channels: number): FrameFeatures[] {
  const splitter = new HopSplitter(analyzer.config.hopSize);
  const frames: FrameFeatures[] = [];
  splitter.push(samples, channels, (hop) => {
    frames.push(analyzer.process(hop));
  });
  return frames;
}

/** Returns `seconds` of a sine of `frequencyHz` and peak `amplitude`. */
export function sine(
  frequencyHz: number,
  amplitude: number,
  seconds: number,
  sampleRate: number,
): Float32Array {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let n = 0; n < samples.length; n++) {
    samples[n] = amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / sampleRate);
  }
  return samples;
}

/** Returns `seconds` of uniform white noise with the given RMS level, from a seeded generator. */
export function whiteNoise(rms: number, seconds: number, sampleRate: number, seed = 1): Float32Array {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  let state = seed >>> 0;
  // Uniform in −1…1 has an RMS of 1/√3.
  const scale = rms * Math.sqrt(3);
  for (let n = 0; n < samples.length; n++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    samples[n] = scale * ((state / 2 ** 32) * 2 - 1);
  }
  return samples;
}
