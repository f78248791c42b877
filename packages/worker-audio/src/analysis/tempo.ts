/**
 * First tempo estimate: the autocorrelation of the onset strength, weighted
 * exponentially over the last seconds. Each beat period L is scored with the
 * autocorrelation at L, 2L and L/2 (the bar and the off-beat pulse of the
 * same tempo) and a prior that favours 90–180 BPM. Kept apart from onset
 * detection so that a precise beat tracker can replace it without touching the rest.
 */

/** Time constant in seconds of the autocorrelation's exponential window (about 8 s of effective memory). */
const MEMORY_S = 4;
/** Time constant in seconds of the running mean removed from the onset strength. */
const MEAN_S = 1.5;
/** Seconds from the first non-silent frame to the first estimate. */
const WARMUP_S = 3;
/** Prior: a Gaussian on log2(BPM) centred on 127.3 BPM (the geometric mean of 90 and 180) whose standard deviation reaches 90 and 180. */
const PRIOR_CENTER_BPM = Math.sqrt(90 * 180);
const PRIOR_WIDTH_OCTAVES = 0.5;
/**
 * RMS of the centred onset strength below which the input has no rhythm to
 * speak of (a steady tone measures about 0.0002, the quietest music clip tried 0.02).
 */
const STRENGTH_RMS_FLOOR = 0.01;
/** Confidence below which the estimate counts as none, so `bpm` reads 0 (speech and steady tones stay below it). */
const MIN_CONFIDENCE = 0.05;
/** Slowest tempo any bpmRange may request. The buffers are sized for it so that the range can change live. */
const SLOWEST_BPM = 30;
/**
 * Contrast of the normalised autocorrelation (its maximum over the range
 * minus its mean) that maps to confidence 0 and to confidence 1. NOTE: set
 * from the 15 development clips, where speech peaks at 0.22 and steady music
 * stays above 0.40. A larger labelled set would place these limits better.
 */
const CONTRAST_NO_CONFIDENCE = 0.15;
const CONTRAST_FULL_CONFIDENCE = 0.45;

/** Tempo estimator over one onset-strength value per frame. */
export class TempoEstimator {
  /** Tempo in BPM, 0 while there is no estimate or its confidence is below 0.05. */
  bpm = 0;
  /** Confidence 0–1 of `bpm`. */
  confidence = 0;
  private readonly framesPerSecond: number;
  private bpmRange: readonly [number, number] = [SLOWEST_BPM, SLOWEST_BPM];
  private minLag = 2;
  private maxLag = 2;
  private readonly history: Float64Array;
  private readonly autocorrelation: Float64Array;
  private readonly prior: Float64Array;
  private readonly scores: Float64Array;
  private readonly decay: number;
  private readonly meanFactor: number;
  private readonly warmupFrames: number;
  private writeIndex = 0;
  private mean = 0;
  private activeFrames = 0;

  constructor(hopS: number, bpmRange: readonly [number, number]) {
    this.framesPerSecond = 1 / hopS;
    const longestLag = Math.ceil((60 * this.framesPerSecond) / SLOWEST_BPM);
    this.history = new Float64Array(2 * longestLag + 3);
    this.autocorrelation = new Float64Array(2 * longestLag + 3);
    this.scores = new Float64Array(longestLag + 2);
    this.prior = new Float64Array(longestLag + 2);
    for (let lag = 1; lag < this.prior.length; lag++) {
      this.prior[lag] = tempoPrior((60 * this.framesPerSecond) / lag);
    }
    this.decay = Math.exp(-hopS / MEMORY_S);
    this.meanFactor = 1 - Math.exp(-hopS / MEAN_S);
    this.warmupFrames = Math.round(WARMUP_S * this.framesPerSecond);
    this.setRange(bpmRange);
  }

  /** Restricts the estimate to `bpmRange` (within 30–300 BPM) and keeps the autocorrelation. */
  setRange(bpmRange: readonly [number, number]): void {
    this.bpmRange = bpmRange;
    this.minLag = Math.max(2, Math.ceil((60 * this.framesPerSecond) / bpmRange[1]));
    this.maxLag = Math.max(this.minLag, Math.floor((60 * this.framesPerSecond) / bpmRange[0]));
  }

  reset(): void {
    this.history.fill(0);
    this.autocorrelation.fill(0);
    this.writeIndex = 0;
    this.mean = 0;
    this.activeFrames = 0;
    this.bpm = 0;
    this.confidence = 0;
  }

  /**
   * Advances one frame with the onset `strength`. Gated (silent) frames still
   * advance time with their strength of 0, because the gaps between hits are
   * part of the rhythm. Gated frames before the first non-gated one are skipped.
   */
  process(strength: number, gated: boolean): void {
    if (gated && this.activeFrames === 0) {
      return;
    }
    this.mean += this.meanFactor * (strength - this.mean);
    const value = strength - this.mean;
    const size = this.history.length;
    this.history[this.writeIndex] = value;
    // Two loops instead of a modulo per lag: lags up to writeIndex read back to the start of the ring, the rest wrap to its end.
    for (let lag = 0; lag <= this.writeIndex; lag++) {
      const past = this.history[this.writeIndex - lag] as number;
      this.autocorrelation[lag] = this.decay * (this.autocorrelation[lag] as number) + value * past;
    }
    for (let lag = this.writeIndex + 1; lag < size; lag++) {
      const past = this.history[this.writeIndex - lag + size] as number;
      this.autocorrelation[lag] = this.decay * (this.autocorrelation[lag] as number) + value * past;
    }
    this.writeIndex = (this.writeIndex + 1) % size;
    this.activeFrames++;
    if (this.activeFrames >= this.warmupFrames) {
      this.estimate();
    }
  }

  private estimate(): void {
    const acf = this.autocorrelation;
    const energy = acf[0] as number;
    if (!(energy > 0)) {
      this.bpm = 0;
      this.confidence = 0;
      return;
    }

    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    let maxCorrelation = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (let lag = this.minLag; lag <= this.maxLag; lag++) {
      const half = lag / 2;
      const halfIndex = Math.floor(half);
      const offBeat =
        half === halfIndex
          ? (acf[halfIndex] as number)
          : ((acf[halfIndex] as number) + (acf[halfIndex + 1] as number)) / 2;
      const correlation = acf[lag] as number;
      const score =
        (this.prior[lag] as number) * (correlation + 0.5 * (acf[2 * lag] as number) + 0.5 * offBeat);
      this.scores[lag] = score;
      sum += correlation;
      maxCorrelation = Math.max(maxCorrelation, correlation);
      if (score > bestScore) {
        bestScore = score;
        best = lag;
      }
    }

    const lag = this.refineLag(best);
    const contrast = (maxCorrelation - sum / (this.maxLag - this.minLag + 1)) / energy;
    const strengthRms = Math.sqrt(energy * (1 - this.decay));
    const confidence =
      clamp01((contrast - CONTRAST_NO_CONFIDENCE) / (CONTRAST_FULL_CONFIDENCE - CONTRAST_NO_CONFIDENCE)) *
      clamp01(strengthRms / STRENGTH_RMS_FLOOR);
    if (confidence < MIN_CONFIDENCE) {
      this.bpm = 0;
      this.confidence = 0;
      return;
    }
    this.bpm = Math.max(this.bpmRange[0], Math.min(this.bpmRange[1], (60 * this.framesPerSecond) / lag));
    this.confidence = confidence;
  }

  /** Returns `lag` refined by a parabola through its score and its neighbours' scores. */
  private refineLag(lag: number): number {
    if (lag <= this.minLag || lag >= this.maxLag) {
      return lag;
    }
    const before = this.scores[lag - 1] as number;
    const at = this.scores[lag] as number;
    const after = this.scores[lag + 1] as number;
    const curvature = before - 2 * at + after;
    if (!(curvature < 0)) {
      return lag;
    }
    return lag + Math.max(-0.5, Math.min(0.5, (0.5 * (before - after)) / curvature));
  }
}

function tempoPrior(bpm: number): number {
  const deviation = Math.log2(bpm / PRIOR_CENTER_BPM) / PRIOR_WIDTH_OCTAVES;
  return Math.exp(-0.5 * deviation * deviation);
}

function clamp01(value: number): number {
  return Math.max(0, Math.min(1, value));
}
