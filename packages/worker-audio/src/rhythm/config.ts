/**
 * Settings of the rhythm tracker. Defaults merge in one place
 * (`resolveRhythmConfig`), are checked, then frozen.
 */
import { SettingChecks } from '../analysis/setting-checks';

const checks = new SettingChecks('Rhythm');

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
  checks.range('sampleRate', config.sampleRate, 8000, 384000);
  checks.integer('windowSize', config.windowSize, 256, 8192);
  if ((config.windowSize & (config.windowSize - 1)) !== 0) {
    throw checks.invalid('windowSize', config.windowSize, 'a power of two from 256 to 8192');
  }
  checks.integer('hopSize', config.hopSize, 1, config.windowSize);
  // The onset function needs at least about 40 frames per second to place beats within ±70 ms.
  checks.range('hopSize', config.hopSize / config.sampleRate, 0, 0.025, 'a hop of at most 25 ms');
  checks.orderedPair('bpmRange', config.bpmRange, 30, 300);
  checks.orderedPair('preferredBpmRange', config.preferredBpmRange, 30, 300);
  checks.range('lockHoldS', config.lockHoldS, 0, 30);
  checks.range('jumpTolerance', config.jumpTolerance, 0.005, 0.2);
  checks.range('holdS', config.holdS, 0, 120);
  checks.integer('beatsPerBar', config.beatsPerBar, 1, 16);
  return Object.freeze(config);
}
