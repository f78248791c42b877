/**
 * Offline analysis: runs the live analyser over a whole file as fast as
 * possible and summarises it. `vj-audio analyze`, the evaluations and the
 * benchmarks use it, so they measure exactly what runs live.
 */
import { BandNames } from '@vj/bus';
import { Analyzer } from '../analysis/analyzer';
import type { AnalysisOptions } from '../analysis/config';
import { HopSplitter } from '../analysis/hop-splitter';
import type { FrameFeatures } from '../analysis/types';
import { readAudioFile } from '../sources/audio-file';
import type { DecodedAudio } from '../sources/wav';

/** Level statistics of one band (or of RMS) over the file. */
export interface LevelStats {
  mean: number;
  p95: number;
  max: number;
}

/** The summary that `vj-audio analyze --json` prints. */
export interface AnalysisSummary {
  file: string;
  duration_s: number;
  sample_rate: number;
  channels: number;
  /** Analysis frames computed. */
  frames: number;
  /** Tempo at the end of the file, 0 when there is no estimate. */
  bpm: number;
  bpm_confidence: number;
  /** Times in seconds of the tracked beats (the beat clock, including beats whose onset was masked). */
  beats_s: number[];
  /** Times in seconds of the frames flagged as onsets. */
  onsets_s: number[];
  /** One `[time_s, bpm, confidence]` per second of audio. */
  bpm_timeline: Array<[number, number, number]>;
  /** Level statistics per band name and for `rms`. */
  levels: Record<string, LevelStats>;
  /** Wall-clock seconds the analysis took, decoding excluded. */
  analysis_s: number;
  /** Audio seconds analysed per wall-clock second. */
  speed_x_realtime: number;
}

/** Settings of an offline analysis. */
export interface AnalyzeOptions {
  /** Analysis settings other than the sample rate, which comes from the file. */
  analysis?: Omit<Partial<AnalysisOptions>, 'sampleRate'>;
  /** Called with every frame, in order; the frame's arrays are the caller's to keep. */
  onFrame?: (frame: FrameFeatures) => void;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

function levelStats(values: Float32Array, count: number): LevelStats {
  if (count === 0) return { mean: 0, p95: 0, max: 0 };
  const view = values.slice(0, count).sort();
  let sum = 0;
  for (const value of view) sum += value;
  return {
    mean: round(sum / count, 4),
    p95: round(view[Math.min(count - 1, Math.floor(0.95 * count))] as number, 4),
    max: round(view[count - 1] as number, 4),
  };
}

/**
 * Analyses decoded audio. Returns the summary; `name` is reported as `file`.
 */
export function analyzeDecoded(
  audio: DecodedAudio,
  name: string,
  options: AnalyzeOptions = {},
): AnalysisSummary {
  const analyzer = new Analyzer({ ...options.analysis, sampleRate: audio.sampleRate });
  const { hopSize } = analyzer.config;
  const splitter = new HopSplitter(hopSize);
  const frameCount = Math.floor(audio.frames / hopSize);
  const levels = BandNames.map(() => new Float32Array(frameCount));
  const rmsLevels = new Float32Array(frameCount);
  const beats: number[] = [];
  const onsets: number[] = [];
  const timeline: Array<[number, number, number]> = [];
  let last: FrameFeatures | undefined;
  let frames = 0;
  let nextSecond = 1;

  const started = performance.now();
  splitter.push(audio.samples, audio.channels, (hop) => {
    const frame = analyzer.process(hop);
    if (frames < frameCount) {
      for (const [band, values] of levels.entries()) values[frames] = frame.bands[band] as number;
      rmsLevels[frames] = frame.rms;
    }
    frames++;
    if (frame.isBeat) beats.push(round(frame.timeS, 4));
    if (frame.isOnset) onsets.push(round(frame.timeS, 4));
    while (frame.timeS >= nextSecond) {
      timeline.push([nextSecond, round(frame.bpm, 2), round(frame.bpmConfidence, 3)]);
      nextSecond++;
    }
    options.onFrame?.(frame);
    last = frame;
  });
  const analysisS = (performance.now() - started) / 1000;
  const durationS = audio.frames / audio.sampleRate;

  const levelSummary: Record<string, LevelStats> = {};
  for (const [band, name] of BandNames.entries())
    levelSummary[name] = levelStats(levels[band] as Float32Array, frames);
  levelSummary.rms = levelStats(rmsLevels, frames);

  return {
    file: name,
    duration_s: round(durationS, 3),
    sample_rate: audio.sampleRate,
    channels: audio.channels,
    frames,
    bpm: round(last?.bpm ?? 0, 2),
    bpm_confidence: round(last?.bpmConfidence ?? 0, 3),
    beats_s: beats,
    onsets_s: onsets,
    bpm_timeline: timeline,
    levels: levelSummary,
    analysis_s: round(analysisS, 3),
    speed_x_realtime: analysisS > 0 ? round(durationS / analysisS, 1) : 0,
  };
}

/**
 * Decodes a file (WAV natively, other formats through ffmpeg) and analyses it.
 *
 * @throws VjError from the decoder for a missing, unreadable or unsupported file.
 */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<AnalysisSummary> {
  const audio = await readAudioFile(path);
  return analyzeDecoded(audio, path, options);
}
