/**
 * Chroma (pitch-class profile) of one frame with Meyda 5.6.3's chroma filter
 * bank. The weighted sums are computed here over a sparse copy of the
 * bank: Meyda's `chroma` extractor builds arrays and closures on every call
 * and took 45 µs p50 per frame at 1024 samples on the 2-core development
 * machine, far above the few µs of this loop.
 */
import { createChromaFilterBank } from 'meyda/dist/node/utilities.js';

const PITCH_CLASSES = 12;
/**
 * Weights below this fraction of their row's largest weight are dropped. At 1024 samples and
 * 44.1 kHz, 4 005 of the bank's 6 156 weights are exactly 0 and 1 250 more lie below it, so
 * each frame sums 901 terms: 1.1 µs instead of 7 µs. Over the 15 development clips, no chroma
 * value differed by more than 1e-15 from the sum over the whole bank.
 */
const NEGLIGIBLE_WEIGHT = 1e-15;

/**
 * Chroma of spectra from an FFT of `fftSize` samples at `sampleRate`, with the bank built once.
 * Each row is stored as a run of (bin, weight) pairs in bin order, without its negligible weights.
 */
export class Chroma {
  private readonly rowStarts = new Int32Array(PITCH_CLASSES + 1);
  private readonly bins: Int32Array;
  private readonly weights: Float64Array;
  private readonly sums = new Float64Array(PITCH_CLASSES);

  constructor(fftSize: number, sampleRate: number) {
    const bank = createChromaFilterBank(PITCH_CLASSES, sampleRate, fftSize);
    const binCount = fftSize / 2 + 1;
    const bins: number[] = [];
    const weights: number[] = [];
    bank.forEach((row, pitchClass) => {
      const threshold = NEGLIGIBLE_WEIGHT * Math.max(...row.slice(0, binCount));
      for (let k = 0; k < binCount; k++) {
        const weight = row[k] as number;
        if (weight > threshold) {
          bins.push(k);
          weights.push(weight);
        }
      }
      this.rowStarts[pitchClass + 1] = bins.length;
    });
    this.bins = Int32Array.from(bins);
    this.weights = Float64Array.from(weights);
  }

  /**
   * Returns 12 values 0–1, C first, scaled so that the strongest pitch class
   * reads 1 (as Meyda does). A silent spectrum gives 12 zeros.
   */
  compute(amplitude: Float32Array): number[] {
    const { rowStarts, bins, weights, sums } = this;
    let max = 0;
    for (let pitchClass = 0; pitchClass < PITCH_CLASSES; pitchClass++) {
      const end = rowStarts[pitchClass + 1] as number;
      let sum = 0;
      for (let i = rowStarts[pitchClass] as number; i < end; i++) {
        sum += (weights[i] as number) * (amplitude[bins[i] as number] as number);
      }
      sums[pitchClass] = sum;
      max = Math.max(max, sum);
    }

    const chroma = new Array<number>(PITCH_CLASSES);
    for (let pitchClass = 0; pitchClass < PITCH_CLASSES; pitchClass++) {
      chroma[pitchClass] = max > 0 ? (sums[pitchClass] as number) / max : 0;
    }
    return chroma;
  }
}
