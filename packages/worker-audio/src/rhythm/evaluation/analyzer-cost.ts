/**
 * Time per frame of the whole analyser (`Analyzer.process` with every
 * feature on), to show the rhythm tracker's share of the latency budget.
 */
import { Analyzer } from '../../analysis/analyzer';
import { HopSplitter } from '../../analysis/hop-splitter';
import type { DecodedAudio } from '../../sources/wav';

/** Passes over the clip; the first warms up the JIT and is not counted. */
const PASSES = 3;

/**
 * Returns the wall-clock microseconds of every `Analyzer.process` call over
 * `PASSES − 1` passes of `audio`, with window 1024 and hop 512.
 *
 * @example
 * const costs = measureAnalyzerCost(await readAudioFile('clip.wav'));
 */
export function measureAnalyzerCost(audio: DecodedAudio): Float64Array {
  const hops: Float32Array[] = [];
  new HopSplitter(512).push(audio.samples, audio.channels, (hop) => {
    hops.push(hop.slice());
  });
  const costs = new Float64Array((PASSES - 1) * hops.length);
  let index = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    const analyzer = new Analyzer({ sampleRate: audio.sampleRate, windowSize: 1024, hopSize: 512 });
    for (const hop of hops) {
      const started = performance.now();
      analyzer.process(hop);
      const costUs = (performance.now() - started) * 1000;
      if (pass > 0) {
        costs[index++] = costUs;
      }
    }
  }
  return costs;
}
