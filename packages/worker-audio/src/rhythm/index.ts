/**
 * Rhythm tracking: onsets, tempo with confidence and octave alternative, and
 * a phase-locked beat clock with bar position and performer overrides.
 */
export { DEFAULT_RHYTHM_CONFIG, type RhythmConfig, type RhythmOptions, resolveRhythmConfig } from './config';
export { type RhythmOverrides, RhythmTracker } from './rhythm-tracker';
export type { RhythmFrame, RhythmInput, RhythmOverride } from './types';
