/**
 * Adaptive peak normalisation shared by the bands, the overall RMS and the
 * log spectrum: a peak follower with instant rise and slow release scales each
 * level to 0–1, then a power law compresses it and a one-pole filter smooths it.
 */

/** Settings of a PeakNormalizer, derived from AnalysisConfig and the hop duration. */
export interface NormalizerSettings {
  /** Duration of one hop in seconds. */
  hopS: number;
  /** Time constant in seconds of the peak's exponential release. */
  releaseS: number;
  /** Lowest value of the peak, in the units of the input (linear RMS). */
  floor: number;
  /** Lowest value of a channel's peak relative to the largest peak, 0–1, used only with per-channel peaks (0 disables it). */
  relativeFloor: number;
  /** Exponent applied to the normalised level, 0.1–1. */
  compression: number;
  /** One-pole smoothing coefficient per frame, 0–1. */
  smoothing: number;
}

/**
 * Normaliser of `count` levels with either one peak per level (bands) or one
 * peak shared by all levels (log spectrum, so that its shape is kept).
 */
export class PeakNormalizer {
  /** Normalised and compressed levels of the last frame, before smoothing. */
  readonly instant: Float64Array;
  /** `instant` after one-pole smoothing. */
  readonly smoothed: Float64Array;
  private readonly peaks: Float64Array;
  private readonly sharedPeak: boolean;
  private releaseFactor = 1;
  private settings: NormalizerSettings;

  constructor(count: number, sharedPeak: boolean, settings: NormalizerSettings) {
    this.instant = new Float64Array(count);
    this.smoothed = new Float64Array(count);
    this.peaks = new Float64Array(sharedPeak ? 1 : count);
    this.sharedPeak = sharedPeak;
    this.settings = settings;
    this.configure(settings);
    this.reset();
  }

  /** Changes the settings and keeps the peaks and smoothed levels. */
  configure(settings: NormalizerSettings): void {
    this.settings = settings;
    this.releaseFactor = Math.exp(-settings.hopS / settings.releaseS);
  }

  /** Forgets the peaks and levels. */
  reset(): void {
    this.peaks.fill(this.settings.floor);
    this.instant.fill(0);
    this.smoothed.fill(0);
  }

  /**
   * Normalises one frame of `levels`. When `gated` is true the input counts as
   * silence: the levels fall towards 0 and the peaks neither rise nor release,
   * so the next sound after a pause starts from the peak before it.
   */
  process(levels: Float64Array, gated: boolean): void {
    if (gated) {
      this.instant.fill(0);
    } else {
      this.updatePeaks(levels);
      this.normalise(levels);
    }

    const { smoothing } = this.settings;
    for (let i = 0; i < this.smoothed.length; i++) {
      this.smoothed[i] =
        smoothing * (this.smoothed[i] as number) + (1 - smoothing) * (this.instant[i] as number);
    }
  }

  private updatePeaks(levels: Float64Array): void {
    const { floor, relativeFloor } = this.settings;
    if (this.sharedPeak) {
      let max = 0;
      for (let i = 0; i < levels.length; i++) {
        max = Math.max(max, levels[i] as number);
      }
      this.peaks[0] = Math.max(max, (this.peaks[0] as number) * this.releaseFactor, floor);
      return;
    }

    let largest = 0;
    for (let i = 0; i < this.peaks.length; i++) {
      const peak = Math.max(levels[i] as number, (this.peaks[i] as number) * this.releaseFactor, floor);
      this.peaks[i] = peak;
      largest = Math.max(largest, peak);
    }
    // A band that contains only leakage or hiss far below the loudest band is not pumped up to full scale.
    const bandFloor = largest * relativeFloor;
    for (let i = 0; i < this.peaks.length; i++) {
      this.peaks[i] = Math.max(this.peaks[i] as number, bandFloor);
    }
  }

  private normalise(levels: Float64Array): void {
    const { compression } = this.settings;
    for (let i = 0; i < this.instant.length; i++) {
      const peak = this.peaks[this.sharedPeak ? 0 : i] as number;
      const ratio = Math.min((levels[i] as number) / peak, 1);
      this.instant[i] = ratio ** compression;
    }
  }
}
