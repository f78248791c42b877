/**
 * Analysis time per frame: `Analyzer.process` alone, at the clip's rate with
 * window 1024, hop 512 and every feature on, timed per call in wall-clock
 * and CPU time. The first pass over the clip warms up the JIT and is left out.
 */
import { Analyzer } from '../src/analysis/analyzer';
import { HopSplitter } from '../src/analysis/hop-splitter';
import type { DecodedAudio } from '../src/sources/wav';
import { type Distribution, distributionOf } from './stats';

const PASSES = 5;

/** Per-frame times of the analyser in µs. */
export interface FrameTimes {
  frames: number;
  wallUs: Distribution;
  /** Process CPU time (user + system) per call, from `process.cpuUsage`, in 1 µs steps. */
  cpuUs: Distribution;
}

/** Times every `Analyzer.process` call over `PASSES − 1` passes of `audio`. */
export function measureFrameTimes(audio: DecodedAudio): FrameTimes {
  const mono = mixToMonoHops(audio, 512);
  const wallUs: number[] = [];
  const cpuUs: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    const analyzer = new Analyzer({ sampleRate: audio.sampleRate, windowSize: 1024, hopSize: 512 });
    for (const hop of mono) {
      const cpuBefore = process.cpuUsage();
      const before = performance.now();
      analyzer.process(hop);
      const wall = (performance.now() - before) * 1000;
      const cpu = process.cpuUsage(cpuBefore);
      if (pass > 0) {
        wallUs.push(wall);
        cpuUs.push(cpu.user + cpu.system);
      }
    }
  }
  return { frames: wallUs.length, wallUs: distributionOf(wallUs), cpuUs: distributionOf(cpuUs) };
}

/** Mixes `audio` to mono hops ahead of the timing, so that only the analyser is timed. */
function mixToMonoHops(audio: DecodedAudio, hopSize: number): Float32Array[] {
  const hops: Float32Array[] = [];
  new HopSplitter(hopSize).push(audio.samples, audio.channels, (hop) => {
    hops.push(hop.slice());
  });
  return hops;
}
