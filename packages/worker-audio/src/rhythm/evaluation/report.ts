/**
 * The rhythm evaluation as Markdown: one row per clip with our figures beside
 * the anchors' (aubio tempo, aubiotrack, bpm-tools), then the totals
 * against the goals, then the cost per frame.
 */
import { type ClipScore, TEMPO_TOLERANCE } from './scoring';

/** Reference results of established tools, as the manifest's `anchors` give them. */
export interface Anchors {
  aubio_bpm?: number;
  bpm_tools_bpm?: number;
  aubiotrack_median_bpm?: number;
  aubiotrack_beats?: number;
}

/** One clip's scores with its anchors. */
export interface ScoredClip {
  score: ClipScore;
  anchors: Anchors;
}

/** Percentiles of the cost per frame in microseconds. */
export interface CostSummary {
  frames: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

/**
 * Mean beat F-measure of aubiotrack (aubio 0.4.9) on the steady clips. NOTE:
 * quoted, not measured here, because the manifest lists no aubiotrack beat
 * times from which this script could recompute it.
 */
const AUBIOTRACK_MEAN_BEAT_F = 0.57;
const OCTAVE_FACTORS = [1, 2, 0.5, 3, 1 / 3];

/** Builds the Markdown section: per-clip table, goals and costs. */
export function formatReport(
  clips: readonly ScoredClip[],
  cost: CostSummary,
  analyzerCost: CostSummary,
  analyzerClip: string,
): string {
  const lines = [
    '| clip | truth | ours at 10 s | ours at end (confidence) | alternative | A1 | A2 | lock (s) | jumps | beat F | beats (predicted) | aubio tempo | aubiotrack | bpm-tools | aubiotrack beats |',
    '| --- | ---: | ---: | ---: | ---: | :-: | :-: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { score, anchors } of clips) {
    const truth = score.truthBpm;
    lines.push(
      `| ${[
        score.name.replace(/\.wav$/, ''),
        truth === null ? '—' : fixed(truth, 1),
        fixed(score.bpmAt10S, 1),
        `${fixed(score.bpmAtEnd, 1)} (${fixed(score.confidenceAtEnd, 2)})`,
        fixed(score.altBpmAtEnd, 1),
        mark(score.accuracy1),
        mark(score.accuracy2),
        lockCell(score),
        String(score.jumps),
        score.beatF === null ? '—' : fixed(score.beatF, 2),
        `${score.beats} (${score.predictedBeats})`,
        anchorCell(anchors.aubio_bpm, truth),
        anchorCell(anchors.aubiotrack_median_bpm, truth),
        anchorCell(anchors.bpm_tools_bpm, truth),
        anchors.aubiotrack_beats === undefined ? '—' : String(anchors.aubiotrack_beats),
      ].join(' | ')} |`,
    );
  }
  return [
    ...lines,
    '',
    'A1: within 4 % of the truth at the end of the clip. A2: within 4 % of 1, 2, ½, 3 or ⅓ times it. Lock: first time from which the tempo stays within 4 % of the truth (or of an octave of it, where marked) for 4 s. Jumps: frame-to-frame tempo changes over 2 % after the first estimate. Beat F: F-measure of the tracked beats against the ground-truth beats, ±70 ms, first 5 s left out. Anchor cells give the BPM, marked ✓ for A1 and ~ for A2 only.',
    '',
    ...formatGoals(clips),
    '',
    '| cost per frame | frames | mean | p50 | p99 | max |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    costRow('`RhythmTracker.process`, every clip', cost),
    costRow(`whole \`Analyzer.process\` (every feature), ${analyzerClip}`, analyzerCost),
    '',
    'Costs are wall-clock µs per call, measured in this process after a warm-up pass. The p99 goal of the whole analysis is 1000 µs. The max is a single call and includes any garbage collection or scheduling pause that fell into it.',
  ].join('\n');
}

/** Summarises per-frame costs in microseconds. */
export function summarizeCost(costs: readonly Float64Array[]): CostSummary {
  let frames = 0;
  for (const values of costs) {
    frames += values.length;
  }
  const all = new Float64Array(frames);
  let offset = 0;
  let sum = 0;
  for (const values of costs) {
    all.set(values, offset);
    offset += values.length;
  }
  for (const value of all) {
    sum += value;
  }
  all.sort();
  const at = (fraction: number): number => all[Math.min(frames - 1, Math.floor(fraction * frames))] ?? 0;
  return { frames, meanUs: frames > 0 ? sum / frames : 0, p50Us: at(0.5), p99Us: at(0.99), maxUs: at(1) };
}

function costRow(label: string, cost: CostSummary): string {
  return `| ${label} | ${cost.frames} | ${fixed(cost.meanUs, 1)} µs | ${fixed(cost.p50Us, 1)} µs | ${fixed(cost.p99Us, 1)} µs | ${fixed(cost.maxUs, 1)} µs |`;
}

function formatGoals(clips: readonly ScoredClip[]): string[] {
  const steady = clips.filter(
    ({ score }) => score.truthBpm !== null && !isChange(score) && !isNegative(score),
  );
  const changes = clips.filter(({ score }) => isChange(score));
  const negatives = clips.filter(({ score }) => isNegative(score));
  const dance = steady.filter(({ score }) => score.category === 'dance');
  const count = (predicate: (clip: ScoredClip) => boolean): number => steady.filter(predicate).length;
  const anchorCount = (key: keyof Anchors, factors: number[]): number =>
    count(({ score, anchors }) => isNear(anchors[key], score.truthBpm, factors));
  const meanF = (list: readonly ScoredClip[]): number =>
    list.reduce((sum, { score }) => sum + (score.beatF ?? 0), 0) / Math.max(1, list.length);
  const locks = steady.map(({ score }) => score.lockS ?? score.lockOctaveS);
  const slowestLock = locks.some((lock) => lock === null)
    ? 'never on some clip'
    : `${fixed(Math.max(...(locks as number[])), 1)} s`;

  return [
    '| figure | goal | ours | aubio tempo | aubiotrack | bpm-tools |',
    '| --- | --- | --- | --- | --- | --- |',
    `| steady clips within 4 % (A1) | ≥ 9 of ${steady.length} | ${count(({ score }) => score.accuracy1 === true)} | ${anchorCount('aubio_bpm', [1])} | ${anchorCount('aubiotrack_median_bpm', [1])} | ${anchorCount('bpm_tools_bpm', [1])} |`,
    `| steady clips within 4 % or an octave (A2) | all ${steady.length} | ${count(({ score }) => score.accuracy2 === true)} | ${anchorCount('aubio_bpm', OCTAVE_FACTORS)} | ${anchorCount('aubiotrack_median_bpm', OCTAVE_FACTORS)} | ${anchorCount('bpm_tools_bpm', OCTAVE_FACTORS)} |`,
    `| slowest lock on the steady clips (to the octave reported) | ≤ 4 s | ${slowestLock} | | | |`,
    `| tempo jumps over 2 % on the steady clips | 0 | ${steady.reduce((sum, { score }) => sum + score.jumps, 0)} | | | |`,
    `| mean beat F-measure, steady clips | | ${fixed(meanF(steady), 2)} | | ${AUBIOTRACK_MEAN_BEAT_F} | |`,
    `| mean beat F-measure, steady dance clips | ≥ 0.8 | ${fixed(meanF(dance), 2)} | | | |`,
    ...changes.map(
      ({ score, anchors }) =>
        `| ${score.name}: change to holding the new tempo | ≤ 4 s | ${score.relockS === null ? 'never' : `${fixed(score.relockS, 1)} s`} | ${fixed(anchors.aubio_bpm ?? 0, 1)} BPM | ${fixed(anchors.aubiotrack_median_bpm ?? 0, 1)} BPM | ${fixed(anchors.bpm_tools_bpm ?? 0, 1)} BPM |`,
    ),
    ...negatives.map(
      ({ score, anchors }) =>
        `| ${score.name}: highest confidence after 10 s, beats per 10 s | < 0.3, < 1 | ${fixed(score.maxConfidenceAfter10S, 2)}, ${fixed(score.beatsPer10S, 1)} | ${fixed(anchors.aubio_bpm ?? 0, 1)} BPM | ${anchors.aubiotrack_beats ?? '—'} beats | ${fixed(anchors.bpm_tools_bpm ?? 0, 1)} BPM |`,
    ),
  ];
}

function isChange(score: ClipScore): boolean {
  return score.category === 'tempo-change';
}

function isNegative(score: ClipScore): boolean {
  return score.category === 'negative-speech' || score.category === 'test-tone';
}

function isNear(bpm: number | undefined, truth: number | null, factors: readonly number[]): boolean {
  if (bpm === undefined || truth === null) {
    return false;
  }
  return factors.some((factor) => Math.abs(bpm / (truth * factor) - 1) <= TEMPO_TOLERANCE);
}

function anchorCell(bpm: number | undefined, truth: number | null): string {
  if (bpm === undefined) {
    return '—';
  }
  const tag = isNear(bpm, truth, [1]) ? ' ✓' : isNear(bpm, truth, OCTAVE_FACTORS) ? ' ~' : '';
  return `${fixed(bpm, 1)}${tag}`;
}

function lockCell(score: ClipScore): string {
  if (score.lockS !== null) {
    return fixed(score.lockS, 1);
  }
  return score.lockOctaveS === null ? '—' : `${fixed(score.lockOctaveS, 1)} (octave)`;
}

function mark(value: boolean | null): string {
  if (value === null) {
    return '—';
  }
  return value ? '✓' : '✗';
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}
