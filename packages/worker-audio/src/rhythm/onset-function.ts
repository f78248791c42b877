/**
 * Onset detection function for rhythm tracking: log-compressed spectral flux
 * over bands of a third of an octave, with an adaptive threshold (the median
 * of the last 0.25 s plus a fraction of the recent peak) and a minimum
 * inter-onset interval. Summing bins into bands first makes a single
 * fluctuating partial count less than a drum hit that rises in many bands.
 * It also gives the analyser's onset flag and flux. Meyda 5.6.3's
 * `spectralFlux` is not used: it reads the time-domain signal at negative
 * indices and assigns an undeclared variable.
 */

/** Log compression γ applied to band amplitudes in full-scale units. */
const COMPRESSION_GAMMA = 1000;
/** Bands per octave of the filter bank. */
const BANDS_PER_OCTAVE = 3;
/** Lowest and highest frequency in Hz of the filter bank. */
const LOWEST_HZ = 30;
const HIGHEST_HZ = 16000;
/** Upper edge in Hz of the bands whose flux forms the beat novelty: kick, snare body, bass and chords, without the hi-hats. */
const BEAT_HIGH_HZ = 2000;
/** Length in seconds of the median that forms the threshold's base. */
const MEDIAN_S = 0.25;
/** Threshold margin above the median, as a fraction of the recent peak. */
const THRESHOLD_DELTA = 0.1;
/** Minimum time in seconds between two onsets. */
const MIN_INTER_ONSET_S = 0.06;
/** Time constant in seconds of the peak's release. */
const PEAK_RELEASE_S = 5;
/**
 * Lowest peak, so that the residual flux of a steady tone or hiss does not
 * raise onsets. A −6 dBFS 440 Hz sine leaks into the lowest bands through the
 * window, and the leak of its positive and negative frequency beats from
 * frame to frame: up to 0.0065 nats per band. The onsets of every music clip
 * of the development set are 0.11 or more.
 */
const PEAK_FLOOR = 0.1;
/** Time constant in seconds of the running mean removed to form the novelty curve. */
const MEAN_S = 1;

/**
 * Spectral-flux onset detector over one amplitude spectrum per frame.
 *
 * @example
 * const onsets = new OnsetFunction(513, 44100 / 1024, 512 / 44100);
 * onsets.process(spectrum.amplitude, false);
 * if (onsets.isOnset) flash(onsets.strength);
 */
export class OnsetFunction {
  /** Flux of the last frame in nats per band, 0 when gated. */
  strength = 0;
  /** Flux above its running mean, never negative: the curve that tempo and beat tracking read. */
  novelty = 0;
  /** Rise of the band amplitudes since the last frame, summed in full-scale units without log compression: how loud the onset is. */
  loudness = 0;
  /** Flux of the bands from 30 Hz to 2 kHz above its running mean, never negative. */
  beatNovelty = 0;
  /** True when the last frame is an onset. */
  isOnset = false;
  /** Strength 0–1 of the last frame relative to the recent peak. */
  normalized = 0;
  private readonly bandOfBin: Int16Array;
  private readonly bandLevels: Float64Array;
  private readonly previousLevels: Float64Array;
  private readonly previousAmplitudes: Float64Array;
  private readonly beatLastBand: number;
  private readonly history: Float64Array;
  private readonly sorted: Float64Array;
  private readonly minIntervalFrames: number;
  private readonly peakRelease: number;
  private readonly meanFactor: number;
  private historyIndex = 0;
  private framesSinceOnset = 0;
  private lastStrength = 0;
  private peak = PEAK_FLOOR;
  private mean = 0;
  private beatMean = 0;
  private primed = false;

  constructor(binCount: number, binHz: number, hopS: number) {
    const layout = bandLayout(binCount, binHz);
    this.bandOfBin = layout.bandOfBin;
    this.bandLevels = new Float64Array(layout.bandCount);
    this.previousLevels = new Float64Array(layout.bandCount);
    this.previousAmplitudes = new Float64Array(layout.bandCount);
    this.beatLastBand = layout.beatLastBand;

    this.history = new Float64Array(Math.max(3, Math.round(MEDIAN_S / hopS)));
    this.sorted = new Float64Array(this.history.length);
    this.minIntervalFrames = Math.max(1, Math.round(MIN_INTER_ONSET_S / hopS));
    this.peakRelease = Math.exp(-hopS / PEAK_RELEASE_S);
    this.meanFactor = 1 - Math.exp(-hopS / MEAN_S);
    this.reset();
  }

  /** Forgets all frames. */
  reset(): void {
    this.previousLevels.fill(0);
    this.previousAmplitudes.fill(0);
    this.history.fill(0);
    this.historyIndex = 0;
    this.framesSinceOnset = this.minIntervalFrames;
    this.lastStrength = 0;
    this.peak = PEAK_FLOOR;
    this.mean = 0;
    this.beatMean = 0;
    this.primed = false;
    this.strength = 0;
    this.novelty = 0;
    this.beatNovelty = 0;
    this.loudness = 0;
    this.isOnset = false;
    this.normalized = 0;
  }

  /**
   * Advances one frame. When `gated` is true the frame counts as silence:
   * no onset, strength 0, and the threshold does not adapt.
   */
  process(amplitude: Float32Array, gated: boolean): void {
    const levels = this.bandLevels;
    levels.fill(0);
    const bandOfBin = this.bandOfBin;
    for (let k = 1; k < bandOfBin.length; k++) {
      const band = bandOfBin[k] as number;
      if (band >= 0) {
        levels[band] = (levels[band] as number) + (amplitude[k] as number);
      }
    }

    const previous = this.previousLevels;
    let flux = 0;
    let beatFlux = 0;
    let loudness = 0;
    const previousAmplitudes = this.previousAmplitudes;
    for (let band = 0; band < levels.length; band++) {
      const amplitudeSum = levels[band] as number;
      loudness += Math.max(0, amplitudeSum - (previousAmplitudes[band] as number));
      previousAmplitudes[band] = amplitudeSum;
      const level = Math.log1p(COMPRESSION_GAMMA * amplitudeSum);
      const rise = level - (previous[band] as number);
      previous[band] = level;
      if (rise > 0) {
        flux += rise;
        if (band <= this.beatLastBand) {
          beatFlux += rise;
        }
      }
    }
    // The first frame rises from zero everywhere and is not an onset.
    if (!this.primed) {
      this.primed = true;
      flux = 0;
      beatFlux = 0;
      loudness = 0;
    }
    this.framesSinceOnset++;
    if (gated) {
      this.setSilent();
      return;
    }

    const strength = flux / levels.length;
    this.strength = strength;
    this.loudness = loudness;
    const beatStrength = beatFlux / (this.beatLastBand + 1);
    this.beatMean += this.meanFactor * (beatStrength - this.beatMean);
    this.beatNovelty = Math.max(0, beatStrength - this.beatMean);
    this.mean += this.meanFactor * (strength - this.mean);
    this.novelty = Math.max(0, strength - this.mean);
    this.peak = Math.max(strength, this.peak * this.peakRelease, PEAK_FLOOR);
    this.normalized = Math.min(1, strength / this.peak);
    const threshold = this.median() + THRESHOLD_DELTA * this.peak;
    this.isOnset =
      strength > threshold && strength > this.lastStrength && this.framesSinceOnset >= this.minIntervalFrames;
    if (this.isOnset) {
      this.framesSinceOnset = 0;
    }
    this.history[this.historyIndex] = strength;
    this.historyIndex = (this.historyIndex + 1) % this.history.length;
    this.lastStrength = strength;
  }

  private setSilent(): void {
    this.strength = 0;
    this.novelty = 0;
    this.beatNovelty = 0;
    this.loudness = 0;
    this.normalized = 0;
    this.isOnset = false;
    this.lastStrength = 0;
  }

  private median(): number {
    const values = this.sorted;
    values.set(this.history);
    // Insertion sort: the history contains about 20 values, so this beats a general sort and allocates nothing.
    for (let i = 1; i < values.length; i++) {
      const value = values[i] as number;
      let j = i - 1;
      while (j >= 0 && (values[j] as number) > value) {
        values[j + 1] = values[j] as number;
        j--;
      }
      values[j + 1] = value;
    }
    return values[values.length >> 1] as number;
  }
}

/** Band of each bin (−1 outside the bank), the number of bands, and the last band of the beat novelty. */
interface BandLayout {
  bandOfBin: Int16Array;
  bandCount: number;
  beatLastBand: number;
}

/** Assigns the bins from 30 Hz to 16 kHz to bands of a third of an octave. */
function bandLayout(binCount: number, binHz: number): BandLayout {
  const bandOfBin = new Int16Array(binCount).fill(-1);
  let bandCount = 0;
  let lastRawBand = -1;
  let beatLastBand = -1;
  for (let k = 1; k < binCount; k++) {
    const hz = k * binHz;
    if (hz < LOWEST_HZ || hz > HIGHEST_HZ) {
      continue;
    }
    const rawBand = Math.floor(BANDS_PER_OCTAVE * Math.log2(hz / LOWEST_HZ));
    // Below a few hundred hertz a band is narrower than a bin, so consecutive bins take consecutive bands.
    if (rawBand !== lastRawBand) {
      bandCount++;
      lastRawBand = rawBand;
      if (hz <= BEAT_HIGH_HZ) {
        beatLastBand = bandCount - 1;
      }
    }
    bandOfBin[k] = bandCount - 1;
  }
  return { bandOfBin, bandCount, beatLastBand: Math.max(0, beatLastBand) };
}
