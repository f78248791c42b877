/**
 * Settings of the rhythm tracker. Defaults merge in one place
 * (`resolveRhythmConfig`), are checked, then frozen.
 */
import { VjError } from '@vj/bus';

/** Resolved settings of a RhythmTracker. */
export interface RhythmConfig {
  /** Sample rate in Hz of the analysed audio. */
  sampleRate: number;
  /** Hop length in samples: the tracker takes one spectrum per hop. */
  hopSize: number;
  /** Length in samples of the window behind each spectrum, a power of two. */
  windowSize: number;
  /** Lowest and highest tempo in BPM that may be reported (default 60–200, within 30–300). */
  bpmRange: readonly [number, number];
  /** Tempo range in BPM that the octave prior prefers (default 90–180, the usual range of dance music). */
  preferredBpmRange: readonly [number, number];
  /** Lock mode: once locked, a tempo jump of more than `jumpTolerance` is accepted only after it has held for `lockHoldS` (default true). */
  lockMode: boolean;
  /** Seconds a new tempo must hold before lock mode accepts it (default 1.5). */
  lockHoldS: number;
  /** Relative tempo difference counted as the same tempo (default 0.03, that is 3 %). */
  jumpTolerance: number;
  /** Seconds a locked tempo is held through a break in the rhythm before the tracker reports no estimate (default 10). */
  holdS: number;
  /** Beats per bar for `/audio/bar` (default 4). */
  beatsPerBar: number;
}

/** Options of `new RhythmTracker(…)`: any subset of RhythmConfig, with the frame geometry required. */
export type RhythmOptions = Partial<RhythmConfig> &
  Pick<RhythmConfig, 'sampleRate' | 'hopSize' | 'windowSize'>;

/** Default settings. The frame geometry has no default because it comes from the analyser. */
export const DEFAULT_RHYTHM_CONFIG: Readonly<Omit<RhythmConfig, 'sampleRate' | 'hopSize' | 'windowSize'>> =
  Object.freeze({
    bpmRange: Object.freeze([60, 200] as const),
    preferredBpmRange: Object.freeze([90, 180] as const),
    lockMode: true,
    lockHoldS: 1.5,
    jumpTolerance: 0.03,
    holdS: 10,
    beatsPerBar: 4,
  });

/**
 * Merges `options` over the defaults, checks every field and freezes the result.
 *
 * @throws VjError `VJ_AUDIO_ANALYSIS_INVALID_CONFIG` naming the first invalid field, its value and the accepted range.
 * @example
 * const config = resolveRhythmConfig({ sampleRate: 48000, hopSize: 512, windowSize: 1024, lockMode: false });
 */
export function resolveRhythmConfig(options: RhythmOptions): Readonly<RhythmConfig> {
  const config: RhythmConfig = { ...DEFAULT_RHYTHM_CONFIG, ...options };
  checkRange('sampleRate', config.sampleRate, 8000, 384000);
  checkInteger('windowSize', config.windowSize, 256, 8192);
  if ((config.windowSize & (config.windowSize - 1)) !== 0) {
    throw invalid('windowSize', config.windowSize, 'a power of two from 256 to 8192');
  }
  checkInteger('hopSize', config.hopSize, 1, config.windowSize);
  // The onset function needs at least about 40 frames per second to place beats within ±70 ms.
  checkRange('hopSize', config.hopSize / config.sampleRate, 0, 0.025, 'a hop of at most 25 ms');
  checkOrderedPair('bpmRange', config.bpmRange, 30, 300);
  checkOrderedPair('preferredBpmRange', config.preferredBpmRange, 30, 300);
  checkRange('lockHoldS', config.lockHoldS, 0, 30);
  checkRange('jumpTolerance', config.jumpTolerance, 0.005, 0.2);
  checkRange('holdS', config.holdS, 0, 120);
  checkInteger('beatsPerBar', config.beatsPerBar, 1, 16);
  return Object.freeze(config);
}

function checkRange(field: string, value: unknown, min: number, max: number, expected?: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(field, value, expected ?? `a number from ${min} to ${max}`);
  }
}

function checkInteger(field: string, value: unknown, min: number, max: number): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw invalid(field, value, `an integer from ${min} to ${max}`);
  }
}

function checkOrderedPair(field: string, value: unknown, min: number, max: number): void {
  const pair = value as readonly unknown[];
  const valid =
    Array.isArray(pair) &&
    pair.length === 2 &&
    typeof pair[0] === 'number' &&
    typeof pair[1] === 'number' &&
    pair[0] >= min &&
    pair[0] < pair[1] &&
    pair[1] <= max;
  if (!valid) {
    throw invalid(field, value, `two increasing numbers from ${min} to ${max}`);
  }
}

function invalid(field: string, value: unknown, expected: string): VjError {
  return new VjError(
    'VJ_AUDIO_ANALYSIS_INVALID_CONFIG',
    `Rhythm setting ${field} must be ${expected}, received ${JSON.stringify(value)}`,
    { field, value, shortMessage: `invalid rhythm setting ${field}` },
  );
}
