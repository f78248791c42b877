/**
 * Scores of one rhythm trace against a clip's ground truth, as the
 * development set's manifest defines them. Accuracy1 is within 4 % of the
 * true tempo, Accuracy2 also at 2, ½, 3 or ⅓ times it. The others are time to
 * lock, beat F-measure (±70 ms, after the first 5 s), re-lock time after a
 * tempo change, and confidence and beat rate on clips without a beat.
 */
import type { RhythmTrace } from './trace';

/** Relative tempo error accepted by Accuracy1 and Accuracy2. */
export const TEMPO_TOLERANCE = 0.04;
/** Seconds the tempo must stay within tolerance to count as locked. */
export const LOCK_HOLD_S = 4;
/** Distance in seconds within which a beat matches a ground-truth beat. */
export const BEAT_TOLERANCE_S = 0.07;
/** Seconds at the start of a clip left out of the beat F-measure. */
export const BEAT_SKIP_S = 5;
/** Relative change between consecutive frames that counts as a tempo jump. */
export const JUMP_LIMIT = 0.02;
const OCTAVE_FACTORS = [1, 2, 0.5, 3, 1 / 3];

/** The manifest fields that the scores read. */
export interface ClipTruth {
  name: string;
  category: string;
  tempo_stable: boolean;
  ground_truth_bpm: number | null;
  ground_truth_beats_s?: number[];
  tempo_map?: Array<{ start_s: number; bpm: number }>;
}

/** Scores of one clip; null where the clip has no truth for the figure. */
export interface ClipScore {
  name: string;
  category: string;
  truthBpm: number | null;
  bpmAt10S: number;
  bpmAtEnd: number;
  confidenceAtEnd: number;
  altBpmAtEnd: number;
  accuracy1: boolean | null;
  accuracy2: boolean | null;
  /** First time in seconds from which the tempo stays within 4 % of the truth for 4 s. */
  lockS: number | null;
  /** The same, also accepting 2, ½, 3 or ⅓ times the truth. */
  lockOctaveS: number | null;
  /** Frame-to-frame tempo changes of more than 2 % after the first lock, drops to 0 included. */
  jumps: number;
  beatF: number | null;
  /** Seconds from the last tempo change to the first frame after which the tempo stays within 4 % of the new one to the end. */
  relockS: number | null;
  /** Highest confidence after the first 10 s. */
  maxConfidenceAfter10S: number;
  beats: number;
  predictedBeats: number;
  /** Beats per 10 s of audio. */
  beatsPer10S: number;
}

/** Scores `trace` against `clip`. */
export function scoreClip(clip: ClipTruth, trace: RhythmTrace): ClipScore {
  const last = trace.timesS.length - 1;
  const durationS = trace.timesS[last] ?? 0;
  const truth = clip.ground_truth_bpm;
  const bpmAtEnd = trace.bpm[last] ?? 0;
  return {
    name: clip.name,
    category: clip.category,
    truthBpm: truth,
    bpmAt10S: trace.bpm[frameAt(trace, 10)] ?? 0,
    bpmAtEnd,
    confidenceAtEnd: trace.confidence[last] ?? 0,
    altBpmAtEnd: trace.altBpm[last] ?? 0,
    accuracy1: truth === null ? null : isWithin(bpmAtEnd, truth),
    accuracy2: truth === null ? null : OCTAVE_FACTORS.some((factor) => isWithin(bpmAtEnd, truth * factor)),
    lockS: truth === null ? null : lockTime(clip, trace, [1]),
    lockOctaveS: truth === null ? null : lockTime(clip, trace, OCTAVE_FACTORS),
    jumps: countJumps(trace),
    beatF:
      clip.ground_truth_beats_s === undefined ? null : beatFMeasure(trace.beatsS, clip.ground_truth_beats_s),
    relockS: relockTime(clip, trace),
    maxConfidenceAfter10S: maxFrom(trace.confidence, frameAt(trace, 10)),
    beats: trace.beatsS.length,
    predictedBeats: trace.predictedBeats,
    beatsPer10S: durationS > 0 ? (10 * trace.beatsS.length) / durationS : 0,
  };
}

/**
 * Returns the F-measure of `beatsS` against `truthS`, each truth beat matched
 * to at most one beat within ±70 ms, both lists without their first 5 s.
 * Both lists must be sorted.
 *
 * @example
 * beatFMeasure([5.0, 5.5, 6.02], [5.0, 5.5, 6.0]); // 1
 */
export function beatFMeasure(beatsS: readonly number[], truthS: readonly number[]): number {
  const beats = beatsS.filter((time) => time >= BEAT_SKIP_S);
  const truth = truthS.filter((time) => time >= BEAT_SKIP_S);
  if (beats.length === 0 || truth.length === 0) {
    return 0;
  }
  let matched = 0;
  let next = 0;
  for (const truthS of truth) {
    while (next < beats.length && (beats[next] as number) < truthS - BEAT_TOLERANCE_S) {
      next++;
    }
    if (next < beats.length && Math.abs((beats[next] as number) - truthS) <= BEAT_TOLERANCE_S) {
      matched++;
      next++;
    }
  }
  const precision = matched / beats.length;
  const recall = matched / truth.length;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function isWithin(bpm: number, truth: number): boolean {
  return Math.abs(bpm / truth - 1) <= TEMPO_TOLERANCE;
}

function frameAt(trace: RhythmTrace, timeS: number): number {
  const times = trace.timesS;
  let index = 0;
  while (index < times.length - 1 && (times[index] as number) < timeS) {
    index++;
  }
  return index;
}

/** True tempo at `timeS`: the tempo map's entry in force, or the clip's tempo. */
function truthAt(clip: ClipTruth, timeS: number): number {
  let bpm = clip.ground_truth_bpm ?? 0;
  if (clip.tempo_map !== undefined) {
    for (const entry of clip.tempo_map) {
      if (entry.start_s <= timeS) {
        bpm = entry.bpm;
      }
    }
  }
  return bpm;
}

function lockTime(clip: ClipTruth, trace: RhythmTrace, factors: readonly number[]): number | null {
  const times = trace.timesS;
  let since = -1;
  for (let i = 0; i < times.length; i++) {
    const timeS = times[i] as number;
    const bpm = trace.bpm[i] as number;
    const truth = truthAt(clip, timeS);
    if (factors.some((factor) => isWithin(bpm, truth * factor))) {
      if (since < 0) {
        since = timeS;
      }
      if (timeS - since >= LOCK_HOLD_S) {
        return since;
      }
    } else {
      since = -1;
    }
  }
  return null;
}

function relockTime(clip: ClipTruth, trace: RhythmTrace): number | null {
  const map = clip.tempo_map;
  if (clip.tempo_stable || map === undefined || map.length < 2) {
    return null;
  }
  const change = map[map.length - 1] as { start_s: number; bpm: number };
  let from = -1;
  for (let i = trace.timesS.length - 1; i >= 0; i--) {
    if (!isWithin(trace.bpm[i] as number, change.bpm)) {
      break;
    }
    from = trace.timesS[i] as number;
  }
  return from < 0 ? null : Math.max(0, from - change.start_s);
}

function countJumps(trace: RhythmTrace): number {
  let jumps = 0;
  let started = false;
  for (let i = 1; i < trace.bpm.length; i++) {
    const before = trace.bpm[i - 1] as number;
    const now = trace.bpm[i] as number;
    if (before > 0) {
      started = true;
    }
    if (started && (before === 0 ? now > 0 : Math.abs(now / before - 1) > JUMP_LIMIT)) {
      jumps++;
    }
  }
  return jumps;
}

function maxFrom(values: Float64Array, start: number): number {
  let max = 0;
  for (let i = start; i < values.length; i++) {
    max = Math.max(max, values[i] as number);
  }
  return max;
}
