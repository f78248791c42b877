/**
 * Tempo decisions over the raw readings of TempoEstimator: when to report a
 * tempo at all, when to accept a new one, and how long to hold a tempo
 * through a break. The raw reading jumps whenever the music is ambiguous for
 * a moment; what visuals need is a tempo that changes only when the music does.
 */
import type { RhythmConfig } from './config';
import type { TempoReading } from './tempo-estimator';

/**
 * Periodicity (mean normalised autocorrelation over the beat multiples) that
 * maps to confidence 0 and to confidence 1. NOTE: set from the 15 development
 * clips, where speech stays below 0.10 and music lies between 0.15 (a quiet
 * blues) and 0.85. A larger labelled set would place these limits better.
 */
const PERIODICITY_NO_CONFIDENCE = 0.08;
const PERIODICITY_FULL_CONFIDENCE = 0.25;
/** RMS of the centred novelty curve below which there is no rhythm to speak of: a steady tone measures below 0.01, music above 0.04. */
const NOVELTY_RMS_FLOOR = 0.02;
/**
 * Activity (recent novelty RMS over its peak in the last seconds) at which
 * the rhythm counts as gone, and from which it counts as fully present. Only
 * a near stop lowers the confidence: when the drums drop out, activity falls
 * to about 0.25 while the tempo is still plain in the remaining parts.
 */
const NO_ACTIVITY = 0.05;
const FULL_ACTIVITY = 0.2;
/** Lowest raw confidence that counts as evidence for a tempo. */
const SUPPORT_CONFIDENCE = 0.3;
/** Seconds a first tempo must hold before it is reported. */
const ACQUIRE_S = 1;
/** A jump by an octave (double or half) must hold this many times longer than another jump, because it is usually a misreading. */
const OCTAVE_HOLD_FACTOR = 3;
/** Seconds after the first report during which a jump needs only the short hold, because the first seconds of a track often mislead. */
const TENTATIVE_S = 4;
/** Seconds a jump must hold when lock mode is off or the tempo is still tentative. */
const UNLOCKED_HOLD_S = 0.5;
/** Fraction of the distance to a supporting reading by which the reported tempo moves per update. */
const TEMPO_SMOOTHING = 0.05;
/** Fraction of the distance to the raw confidence by which the reported confidence moves per update. */
const CONFIDENCE_SMOOTHING = 0.1;

/**
 * Reported tempo state, refreshed by `TempoTracker.update`.
 *
 * @example
 * const tracker = new TempoTracker(resolveRhythmConfig({ sampleRate: 44100, hopSize: 512, windowSize: 1024 }));
 * tracker.update(estimator.update(), timeS);
 * send(tracker.bpm, tracker.confidence);
 */
export class TempoTracker {
  /** Reported tempo in BPM, 0 when there is no estimate. */
  bpm = 0;
  /** Confidence 0–1 of `bpm`, 0 when there is no estimate. */
  confidence = 0;
  /** Best alternative octave in BPM, 0 when there is none. */
  altBpm = 0;
  /** Confidence 0–1 of `altBpm`. */
  altConfidence = 0;
  /** True while a tempo is reported. */
  locked = false;
  private config: Readonly<RhythmConfig>;
  private candidateBpm = 0;
  private candidateSinceS = 0;
  private lastSupportS = 0;
  private acquiredS = 0;

  constructor(config: Readonly<RhythmConfig>) {
    this.config = config;
  }

  /** Applies new settings and keeps the state. */
  configure(config: Readonly<RhythmConfig>): void {
    this.config = config;
  }

  /** Forgets the tempo. */
  reset(): void {
    this.bpm = 0;
    this.confidence = 0;
    this.altBpm = 0;
    this.altConfidence = 0;
    this.locked = false;
    this.candidateBpm = 0;
    this.candidateSinceS = 0;
    this.lastSupportS = 0;
    this.acquiredS = 0;
  }

  /**
   * Takes one raw reading made at `timeS` and updates the reported tempo.
   * While `silent` (the input is below the noise gate) a reading backs no
   * tempo, so the hold starts at once instead of when the autocorrelation,
   * which remembers about 2 s, has faded.
   */
  update(reading: TempoReading, timeS: number, silent = false): void {
    const rawConfidence = confidenceOf(reading);
    const supported = !silent && rawConfidence >= SUPPORT_CONFIDENCE;
    if (supported) {
      this.followCandidate(reading.bpm, timeS);
    }
    if (!this.locked) {
      this.acquire(rawConfidence, timeS);
      return;
    }

    const tolerance = this.config.jumpTolerance;
    if (supported && isNear(reading.bpm, this.bpm, tolerance)) {
      this.lastSupportS = timeS;
      this.bpm += TEMPO_SMOOTHING * (reading.bpm - this.bpm);
      this.confidence += CONFIDENCE_SMOOTHING * (rawConfidence - this.confidence);
      this.setAlternative(reading, this.confidence);
    } else if (supported && isOctave(reading.bpm, this.bpm, tolerance)) {
      // The other octave of the same pulse also backs the tempo, and switching to it needs a long hold.
      this.lastSupportS = timeS;
      this.confidence += CONFIDENCE_SMOOTHING * (rawConfidence - this.confidence);
      this.altBpm = reading.bpm;
      this.altConfidence = rawConfidence;
      this.switchAfter(OCTAVE_HOLD_FACTOR * this.jumpHoldS(timeS), timeS);
    } else if (supported) {
      this.switchAfter(this.jumpHoldS(timeS), timeS);
    } else {
      this.confidence += CONFIDENCE_SMOOTHING * (rawConfidence - this.confidence);
    }
    if (timeS - this.lastSupportS > this.config.holdS) {
      this.reset();
    }
  }

  /** Tempo of the current candidate: the raw tempo that has held since `candidateSinceS`. */
  private followCandidate(bpm: number, timeS: number): void {
    if (this.candidateBpm > 0 && isNear(bpm, this.candidateBpm, this.config.jumpTolerance)) {
      this.candidateBpm += 0.2 * (bpm - this.candidateBpm);
      return;
    }
    this.candidateBpm = bpm;
    this.candidateSinceS = timeS;
  }

  private acquire(rawConfidence: number, timeS: number): void {
    if (rawConfidence < SUPPORT_CONFIDENCE || this.candidateBpm === 0) {
      return;
    }
    if (timeS - this.candidateSinceS < ACQUIRE_S) {
      return;
    }
    this.locked = true;
    this.bpm = this.candidateBpm;
    this.confidence = rawConfidence;
    this.lastSupportS = timeS;
    this.acquiredS = timeS;
  }

  private switchAfter(holdS: number, timeS: number): void {
    if (timeS - this.candidateSinceS < holdS) {
      return;
    }
    this.bpm = this.candidateBpm;
    this.lastSupportS = timeS;
  }

  private jumpHoldS(timeS: number): number {
    if (!this.config.lockMode || timeS - this.acquiredS < TENTATIVE_S) {
      return UNLOCKED_HOLD_S;
    }
    return this.config.lockHoldS;
  }

  private setAlternative(reading: TempoReading, confidence: number): void {
    if (reading.altBpm === 0) {
      this.altBpm = 0;
      this.altConfidence = 0;
      return;
    }
    this.altBpm = reading.altBpm * (this.bpm / reading.bpm);
    this.altConfidence = confidence * reading.altRatio;
  }
}

/** Maps a raw reading to a confidence 0–1: periodicity, scaled down when the onset curve is nearly flat or much quieter than it was. */
export function confidenceOf(reading: TempoReading): number {
  if (reading.bpm === 0) {
    return 0;
  }
  const periodicity = clamp01(
    (reading.periodicity - PERIODICITY_NO_CONFIDENCE) /
      (PERIODICITY_FULL_CONFIDENCE - PERIODICITY_NO_CONFIDENCE),
  );
  return (
    periodicity *
    clamp01(reading.noveltyRms / NOVELTY_RMS_FLOOR) *
    clamp01((reading.activity - NO_ACTIVITY) / (FULL_ACTIVITY - NO_ACTIVITY))
  );
}

function isNear(bpm: number, reference: number, tolerance: number): boolean {
  return Math.abs(bpm / reference - 1) <= tolerance;
}

function isOctave(bpm: number, reference: number, tolerance: number): boolean {
  return isNear(bpm, 2 * reference, tolerance) || isNear(bpm, reference / 2, tolerance);
}

function clamp01(value: number): number {
  return Math.max(0, Math.min(1, value));
}
