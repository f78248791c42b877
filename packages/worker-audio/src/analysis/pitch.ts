/**
 * Fundamental frequency by YIN (de Cheveigné and Kawahara, "YIN, a fundamental
 * frequency estimator for speech and music", JASA 111(4), 2002): the
 * difference function d(τ), its cumulative mean normalised form d′(τ), an
 * absolute threshold, then parabolic interpolation around the chosen lag.
 *
 * The search runs in two steps. The input is first decimated to a fine rate
 * at which the highest pitch still spans at least 8 samples: 22.05 kHz from
 * 44.1 kHz with a 2 kHz limit. A half-band filter then halves it again to a
 * coarse rate. On the coarse signal d′ is computed for every lag, with the
 * autocorrelation inside d(τ) from FFTs instead of the O(W·τmax) direct sum,
 * and the threshold picks a lag. Then d(τ) is summed directly on the fine
 * signal at the few lags around twice that lag. The parabola through the
 * smallest of them gives the period.
 *
 * The coarse step halves the FFTs (to 512 points at 44.1 kHz), and the fine
 * step keeps the precision of the fine rate. Picking and interpolating on the
 * coarse signal alone read one of the test sines from 55 to 1500 Hz 0.83 %
 * off, beyond the 0.5 % the tests allow. On the 2-core development machine
 * `estimate` took 16.5 µs per call at 44.1 kHz, against 22 µs with the whole
 * search at the fine rate. On the music clips 90–100 % of the voiced frames
 * kept their pitch within 1 %.
 */
import { Fft, RealFft } from './fft';

/** First-dip threshold on d′: the first lag whose d′ falls below it is taken. */
const DIP_THRESHOLD = 0.15;
/** Without a dip under DIP_THRESHOLD, the global minimum of d′ counts as voiced only below this value. */
const VOICED_THRESHOLD = 0.35;

/** Result of one pitch estimate. `hz` and `confidence` are 0 when unvoiced. */
export interface PitchEstimate {
  hz: number;
  confidence: number;
}

/** Shortest period, in fine samples, of the highest pitch in range. */
const MIN_PERIOD_SAMPLES = 8;
/** Shortest period, in coarse samples, of the highest pitch in range; with less the coarse step is skipped. */
const MIN_COARSE_PERIOD_SAMPLES = 4;
/** Fine lags on each side of twice the coarse lag where d(τ) is summed first. */
const FINE_SEARCH_LAGS = 1;
/** Further fine lags the search may walk while the smallest d(τ) lies at its edge. */
const FINE_EXTRA_LAGS = 3;
/**
 * Half-band low-pass applied before taking every second fine sample: taps at
 * offsets 0, ±1 and ±3 (those at ±2 are zero). It passes the band of the
 * pitch search and keeps most of the band above the coarse Nyquist frequency
 * from folding back into it.
 */
const HALF_BAND_CENTRE = 16 / 32;
const HALF_BAND_NEAR = 9 / 32;
const HALF_BAND_FAR = -1 / 32;
/** Samples of margin on each side of the fine signal, so that the half-band filter reads its edges without bounds checks. */
const FINE_MARGIN = 3;

/**
 * YIN pitch detector for frequencies in `rangeHz`. It reads the last
 * `inputLength` samples: twice the integration window W, where W is the
 * smallest power of two above the longest period at the coarse rate. That is
 * 2048 samples (46 ms) at 44.1 and 48 kHz with a 50 Hz lower limit, longer
 * than the default analysis window of 1024 samples, which contains less than
 * two periods of 43 Hz.
 */
export class YinPitch {
  readonly inputLength: number;
  /** Input samples averaged into one fine sample: 1, 2 or 4. */
  private readonly fineDecimation: number;
  /** Fine samples per coarse sample: 1 (no coarse step) or 2. */
  private readonly coarseFactor: number;
  private readonly fineRate: number;
  private readonly rangeHz: readonly [number, number];
  /** Coarse lags searched by the threshold. */
  private readonly minLag: number;
  private readonly maxLag: number;
  /** Coarse samples in the integration window W. */
  private readonly integrationLength: number;
  /** Fine lags the refinement may read. */
  private readonly minFineLag: number;
  private readonly maxFineLag: number;
  /** The fine signal, `fineLength` samples from index FINE_MARGIN, its first and last sample repeated in the margins. */
  private readonly fine: Float64Array;
  private readonly fineLength: number;
  private readonly fft: Fft;
  private readonly realFft: RealFft;
  private readonly real: Float64Array;
  private readonly imag: Float64Array;
  private readonly productReal: Float64Array;
  private readonly productImag: Float64Array;
  private readonly correlation: Float64Array;
  private readonly cumulativeEnergy: Float64Array;
  private readonly normalized: Float64Array;
  /** Lags 0…normalizedLength − 1 of `normalized` hold d′ of the current estimate. */
  private normalizedLength = 0;
  /** Sum of d over lags 1…normalizedLength − 1, the denominator of d′. */
  private runningSum = 0;
  /** d(τ)·τ on the fine signal around the current fine lag, NaN where not summed yet; index τ − fineBase. */
  private readonly fineDifference: Float64Array;
  private fineBase = 0;

  constructor(sampleRate: number, rangeHz: readonly [number, number]) {
    const headroom = Math.floor(sampleRate / (MIN_PERIOD_SAMPLES * rangeHz[1]));
    this.fineDecimation = 1;
    if (headroom >= 4) {
      this.fineDecimation = 4;
    } else if (headroom >= 2) {
      this.fineDecimation = 2;
    }
    this.fineRate = sampleRate / this.fineDecimation;
    this.coarseFactor = this.fineRate / (2 * rangeHz[1]) >= MIN_COARSE_PERIOD_SAMPLES ? 2 : 1;
    const coarseRate = this.fineRate / this.coarseFactor;
    this.rangeHz = rangeHz;
    this.minLag = Math.max(2, Math.floor(coarseRate / rangeHz[1]));
    this.maxLag = Math.ceil(coarseRate / rangeHz[0]) + 1;
    // A shift gives an integer that V8 stores as one: `2 **` gave a double, and every index derived from
    // it then took a conversion per access (13.3 instead of 14.9 µs per estimate).
    this.integrationLength = 1 << Math.ceil(Math.log2(this.maxLag + 2));
    const size = 2 * this.integrationLength;
    this.fineLength = size * this.coarseFactor;
    this.fine = new Float64Array(this.fineLength + 2 * FINE_MARGIN);
    this.inputLength = this.fineLength * this.fineDecimation;
    this.minFineLag = Math.max(2, Math.floor(this.fineRate / rangeHz[1]) - 1);
    // d(τ) on the fine signal sums the fine integration window against the window τ later, inside the input.
    this.maxFineLag = this.fineLength - this.integrationLength * this.coarseFactor - 1;
    this.fineDifference = new Float64Array(2 * (FINE_SEARCH_LAGS + FINE_EXTRA_LAGS + 1) + 1);
    this.fft = new Fft(size);
    this.real = new Float64Array(size);
    this.imag = new Float64Array(size);
    this.realFft = new RealFft(size);
    this.productReal = new Float64Array(size / 2 + 1);
    this.productImag = new Float64Array(size / 2 + 1);
    // d′ reads the correlation up to lag maxLag + 1, so the inverse FFT writes no further.
    this.correlation = new Float64Array(this.maxLag + 2);
    this.cumulativeEnergy = new Float64Array(size + 1);
    this.normalized = new Float64Array(this.maxLag + 2);
  }

  /**
   * Estimates the pitch of `samples`, whose last `inputLength` values are
   * read (the array may be longer), and writes it to `out`. It writes 0 Hz
   * with confidence 0 when unvoiced and when the first half of those samples,
   * the integration window, is digital silence.
   */
  estimate(samples: Float32Array, out: PitchEstimate): void {
    out.hz = 0;
    out.confidence = 0;
    this.decimate(samples);
    // With a digitally silent integration window, d(τ) only measures the energy of the shifted window, and
    // rounding in the FFT turns its zeros into random dips: a false pitch with confidence 1 after every gap.
    if (!((this.cumulativeEnergy[this.integrationLength] as number) > 0)) {
      return;
    }
    this.computeCorrelation();
    const lag = this.chooseLag();
    if (lag < 0) {
      return;
    }

    const period = this.coarseFactor === 1 ? this.interpolate(this.normalized, lag, 0) : this.refine(lag);
    const hz = this.fineRate / period;
    // Interpolation can step just past a limit of the range, so such a result counts as unvoiced.
    if (hz < this.rangeHz[0] || hz > this.rangeHz[1]) {
      return;
    }
    out.hz = hz;
    out.confidence = Math.max(0, Math.min(1, 1 - (this.normalized[lag] as number)));
  }

  /**
   * Decimates the last `inputLength` samples to the fine signal, then to the
   * coarse signal b, and a, the first W samples of b zero-padded: b as the
   * imaginary part and a as the real part of one complex FFT input. It also
   * fills the running sum of b². The fine decimation averages each group of
   * `fineDecimation` samples, a boxcar low-pass that is enough against
   * aliasing for a period search.
   */
  private decimate(samples: Float32Array): void {
    const { fine, fineLength, fineDecimation: factor } = this;
    // factor is 1, 2 or 4, so multiplying by its inverse rounds exactly as dividing by it would.
    const scale = 1 / factor;
    let source = samples.length - this.inputLength;
    const end = FINE_MARGIN + fineLength;
    if (factor === 2) {
      for (let n = FINE_MARGIN; n < end; n++) {
        fine[n] = ((samples[source] as number) + (samples[source + 1] as number)) * scale;
        source += 2;
      }
    } else {
      for (let n = FINE_MARGIN; n < end; n++) {
        let sum = 0;
        for (let j = 0; j < factor; j++) {
          sum += samples[source++] as number;
        }
        fine[n] = sum * scale;
      }
    }
    const first = fine[FINE_MARGIN] as number;
    const lastValue = fine[end - 1] as number;
    for (let n = 0; n < FINE_MARGIN; n++) {
      fine[n] = first;
      fine[end + n] = lastValue;
    }

    const { real, imag, integrationLength: width } = this;
    const energy = this.cumulativeEnergy;
    const reversed = this.fft.bitReversed;
    const coarse = this.coarseFactor === 2;
    energy[0] = 0;
    let total = 0;
    for (let n = 0; n < real.length; n++) {
      let value: number;
      if (coarse) {
        // The half-band filter centred on fine sample 2n.
        const centre = FINE_MARGIN + 2 * n;
        value =
          HALF_BAND_CENTRE * (fine[centre] as number) +
          HALF_BAND_NEAR * ((fine[centre - 1] as number) + (fine[centre + 1] as number)) +
          HALF_BAND_FAR * ((fine[centre - 3] as number) + (fine[centre + 3] as number));
      } else {
        value = fine[FINE_MARGIN + n] as number;
      }
      // Stored in bit-reversed order, the order in which the FFT reads its input.
      const index = reversed[n] as number;
      real[index] = n < width ? value : 0;
      imag[index] = value;
      total += value * value;
      energy[n + 1] = total;
    }
  }

  private computeCorrelation(): void {
    const { real, imag, productReal, productImag, correlation } = this;
    const size = real.length;
    this.fft.transformPermuted(real, imag);

    // The correlation is real, so bins 0…size/2 of its spectrum are enough for the half-size inverse below.
    const halfSize = size >> 1;
    for (let k = 0; k <= halfSize; k++) {
      const mirror = (size - k) & (size - 1);
      const zr = real[k] as number;
      const zi = imag[k] as number;
      const mr = real[mirror] as number;
      const mi = imag[mirror] as number;
      const ar = (zr + mr) * 0.5;
      const ai = (zi - mi) * 0.5;
      const br = (zi + mi) * 0.5;
      const bi = (mr - zr) * 0.5;
      // conj(A)·B is the spectrum of the cross-correlation r(τ) = Σ a[j]·b[j+τ].
      productReal[k] = ar * br + ai * bi;
      productImag[k] = ar * bi - ai * br;
    }
    this.realFft.inverse(productReal, productImag, correlation);
    this.normalized[0] = 1;
    this.normalizedLength = 1;
    this.runningSum = 0;
  }

  /**
   * Extends d′ up to and including `lag`. The search stops at the first dip,
   * so d′ is computed only as far as it reads: for a 440 Hz tone that is 55
   * of 443 lags.
   */
  private extendNormalized(lag: number): void {
    const { correlation, integrationLength: width } = this;
    const energy = this.cumulativeEnergy;
    const windowEnergy = energy[width] as number;
    const d = this.normalized;
    let runningSum = this.runningSum;
    const last = Math.min(lag, d.length - 1);
    for (let tau = this.normalizedLength; tau <= last; tau++) {
      const shiftedEnergy = (energy[tau + width] as number) - (energy[tau] as number);
      const difference = Math.max(0, windowEnergy + shiftedEnergy - 2 * (correlation[tau] as number));
      runningSum += difference;
      d[tau] = runningSum > 0 ? (difference * tau) / runningSum : 1;
    }
    this.runningSum = runningSum;
    this.normalizedLength = Math.max(this.normalizedLength, last + 1);
  }

  /** Returns the chosen lag in samples, or −1 when unvoiced. */
  private chooseLag(): number {
    const d = this.normalized;
    let best = -1;
    let bestValue = Number.POSITIVE_INFINITY;
    this.extendNormalized(this.minLag);
    for (let lag = this.minLag; lag <= this.maxLag; lag++) {
      this.extendNormalized(lag + 1);
      const value = d[lag] as number;
      if (value < DIP_THRESHOLD) {
        let dip = lag;
        while (dip < this.maxLag && (d[dip + 1] as number) < (d[dip] as number)) {
          dip++;
          this.extendNormalized(dip + 1);
        }
        return dip;
      }
      if (value < bestValue) {
        bestValue = value;
        best = lag;
      }
    }
    return bestValue < VOICED_THRESHOLD ? best : -1;
  }

  /**
   * Returns the period in fine samples around the coarse `lag`. d(τ) is
   * summed on the fine signal at the lags next to 2·lag, and the search walks
   * on while the smallest value lies at its edge. A parabola through the
   * smallest and its neighbours then places the minimum between lags.
   */
  private refine(lag: number): number {
    const values = this.fineDifference;
    const reach = FINE_SEARCH_LAGS + FINE_EXTRA_LAGS + 1;
    const centre = this.coarseFactor * lag;
    this.fineBase = centre - reach;
    values.fill(Number.NaN);
    const low = Math.max(this.minFineLag, centre - FINE_SEARCH_LAGS);
    const high = Math.min(this.maxFineLag, centre + FINE_SEARCH_LAGS);
    let best = low;
    for (let tau = low; tau <= high; tau++) {
      if (this.fineDifferenceAt(tau) < this.fineDifferenceAt(best)) {
        best = tau;
      }
    }
    const lowest = Math.max(this.minFineLag, centre - reach + 1);
    const highest = Math.min(this.maxFineLag, centre + reach - 1);
    while (best > lowest && this.fineDifferenceAt(best - 1) < this.fineDifferenceAt(best)) {
      best--;
    }
    while (best < highest && this.fineDifferenceAt(best + 1) < this.fineDifferenceAt(best)) {
      best++;
    }
    if (best <= this.minFineLag || best >= this.maxFineLag) {
      return best;
    }
    this.fineDifferenceAt(best - 1);
    this.fineDifferenceAt(best + 1);
    return this.interpolate(values, best - this.fineBase, this.fineBase);
  }

  /** Returns d(τ)·τ of the fine signal, summing it on first use for this estimate. */
  private fineDifferenceAt(tau: number): number {
    const slot = tau - this.fineBase;
    const known = this.fineDifference[slot] as number;
    if (!Number.isNaN(known)) {
      return known;
    }
    const fine = this.fine;
    const end = FINE_MARGIN + this.integrationLength * this.coarseFactor;
    let sum = 0;
    for (let j = FINE_MARGIN; j < end; j++) {
      const difference = (fine[j] as number) - (fine[j + tau] as number);
      sum += difference * difference;
    }
    // d′(τ) is d(τ)·τ over the sum of d up to τ, a sum that hardly changes across the few lags read
    // here, so d(τ)·τ has its minimum where d′ has it. The old single-rate search interpolated d′, and
    // d alone moved the reading of a tone cut mid-window by 2.8 Hz.
    const weighted = sum * tau;
    this.fineDifference[slot] = weighted;
    return weighted;
  }

  /** Returns `base` + `index` moved to the vertex of the parabola through values[index − 1…index + 1], by at most half a lag. */
  private interpolate(values: Float64Array, index: number, base: number): number {
    const before = values[index - 1] as number;
    const at = values[index] as number;
    const after = values[index + 1] as number;
    const curvature = before - 2 * at + after;
    const shift = curvature > 0 ? (0.5 * (before - after)) / curvature : 0;
    return base + index + Math.max(-0.5, Math.min(0.5, shift));
  }
}
