/**
 * The contract between the rhythm tracker and its callers: one RhythmInput in
 * per analysis frame, one RhythmFrame out.
 */

/** Input of the tracker for one analysis frame. */
export interface RhythmInput {
  /** Amplitude spectrum of the frame, bins 0…windowSize/2 in full-scale units (as `Spectrum.amplitude`). */
  amplitude: Float32Array;
  /** Time in seconds of the frame, on the clock that `tap` uses. */
  timeS: number;
  /** True when the frame is below the noise gate and counts as silence. */
  gated: boolean;
}

/** Performer override in force: `none` when the tracker runs on its own. */
export type RhythmOverride = 'none' | 'tap' | 'octave' | 'nudge' | 'resync';

/** Rhythm state after one frame. The tracker reuses one object; copy what you keep. */
export interface RhythmFrame {
  /** True when the frame is an onset (spectral-flux peak above the adaptive threshold). */
  isOnset: boolean;
  /** Onset strength 0–1 of the frame, relative to the recent peak. */
  onsetStrength: number;
  /** Tempo in BPM, 0 when there is no estimate. */
  bpm: number;
  /** Confidence 0–1 of `bpm`, 0 when there is no estimate. */
  bpmConfidence: number;
  /** Best alternative octave (double or half of `bpm`) in BPM, 0 when there is none. */
  bpmAlt: number;
  /** Confidence 0–1 of `bpmAlt`. */
  bpmAltConfidence: number;
  /** True when a beat of the beat clock falls in this frame. The clock runs ahead of the onset curve, so the beat leaves with its onset, not after it. */
  isBeat: boolean;
  /**
   * True in the frame where the onset check of the last beat ended. That is
   * the beat's own frame when an onset came just before it. Otherwise it is
   * the frame where its onset arrived or the check window closed, up to about
   * 50 ms after the beat.
   */
  beatChecked: boolean;
  /** True when no onset came from 70 ms before the checked beat to about 40 ms after it, so only the clock placed it. Meaningful when `beatChecked` is true. */
  predicted: boolean;
  /** Time in seconds of the checked beat, meaningful when `beatChecked` is true. */
  checkedBeatTimeS: number;
  /** Position in the bar (1 to beatsPerBar) of the checked beat, meaningful when `beatChecked` is true. */
  checkedBarBeat: number;
  /** Beat phase 0–1: 0 on the beat, rising linearly to the next; 0 when the clock is stopped. */
  beatPhase: number;
  /** Position of the current beat in the bar, 1 to beatsPerBar (1 is the downbeat); 0 when the clock is stopped. */
  barBeat: number;
  /** True when beat 1 comes from downbeat detection or a resync, false while the bar counts from the first beat after lock. */
  downbeatKnown: boolean;
  /** Beats since the clock locked, −1 when it is stopped. */
  beatIndex: number;
  /** True while a tempo is reported and the beat clock runs. */
  locked: boolean;
  /** Performer override in force, the latest one when several are. */
  override: RhythmOverride;
}

/** Returns the rhythm state before any frame: no onset, no tempo and a stopped clock. */
export function emptyRhythmFrame(): RhythmFrame {
  return {
    isOnset: false,
    onsetStrength: 0,
    bpm: 0,
    bpmConfidence: 0,
    bpmAlt: 0,
    bpmAltConfidence: 0,
    isBeat: false,
    beatChecked: false,
    predicted: false,
    checkedBeatTimeS: 0,
    checkedBarBeat: 0,
    beatPhase: 0,
    barBeat: 0,
    downbeatKnown: false,
    beatIndex: -1,
    locked: false,
    override: 'none',
  };
}
