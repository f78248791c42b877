/**
 * Offline throughput: `analyzeDecoded`, what `vj-audio analyze` runs, over
 * every clip of the development set. Decoding happens before and is not
 * timed. One pass over all clips warms up the JIT, a second one is measured.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeDecoded } from '../src/cli/analyze';
import { readAudioFile } from '../src/sources/audio-file';
import type { DecodedAudio } from '../src/sources/wav';
import { clockTicksPerSecond, othersShare, readCpuTicks } from './machine';

/** Throughput of the measured pass. */
export interface OfflineThroughput {
  clips: number;
  audioS: number;
  analysisS: number;
  /** Audio seconds analysed per wall-clock second over all clips. */
  realTimeFactor: number;
  /** Audio seconds analysed per second of this process's CPU time, which other processes do not slow down. */
  cpuRealTimeFactor: number;
  /** Share 0–1 of all CPUs that other processes kept busy during the measured pass. */
  othersShare: number;
  slowestClip: string;
  slowestRealTimeFactor: number;
}

/** Decodes every clip that `dir/manifest.json` lists, in place. */
export async function readClips(dir: string): Promise<Array<{ name: string; audio: DecodedAudio }>> {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    files: Array<{ name: string }>;
  };
  const clips: Array<{ name: string; audio: DecodedAudio }> = [];
  for (const { name } of manifest.files) {
    clips.push({ name, audio: await readAudioFile(path.join(dir, name)) });
  }
  return clips;
}

/** Analyses every clip twice and returns the figures of the second pass. */
export function measureOfflineThroughput(
  clips: Array<{ name: string; audio: DecodedAudio }>,
): OfflineThroughput {
  for (const clip of clips) {
    analyzeDecoded(clip.audio, clip.name);
  }

  let audioS = 0;
  let analysisS = 0;
  let slowestClip = '';
  let slowestRealTimeFactor = Number.POSITIVE_INFINITY;
  const ticksBefore = readCpuTicks();
  const cpuBefore = process.cpuUsage();
  for (const clip of clips) {
    const summary = analyzeDecoded(clip.audio, clip.name);
    audioS += summary.duration_s;
    analysisS += summary.analysis_s;
    if (summary.speed_x_realtime < slowestRealTimeFactor) {
      slowestRealTimeFactor = summary.speed_x_realtime;
      slowestClip = clip.name;
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return {
    clips: clips.length,
    audioS,
    analysisS,
    realTimeFactor: audioS / analysisS,
    cpuRealTimeFactor: audioS / cpuS,
    othersShare: othersShare(ticksBefore, readCpuTicks(), cpuS, clockTicksPerSecond()),
    slowestClip,
    slowestRealTimeFactor,
  };
}
