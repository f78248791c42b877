/**
 * Chroma (pitch-class profile) of one frame with Meyda 5.6.3's chroma filter
 * bank. The weighted sums are computed here over a flattened copy of the
 * bank: Meyda's `chroma` extractor builds arrays and closures on every call
 * and took 45 µs p50 per frame at 1024 samples on the 2-core development
 * machine, far above the few µs of this loop.
 */
import { createChromaFilterBank } from 'meyda/dist/node/utilities.js';

const PITCH_CLASSES = 12;

/** Chroma of spectra from an FFT of `fftSize` samples at `sampleRate`, with the bank built once. */
export class Chroma {
  private readonly weights: Float64Array;
  private readonly binCount: number;
  private readonly sums = new Float64Array(PITCH_CLASSES);

  constructor(fftSize: number, sampleRate: number) {
    const bank = createChromaFilterBank(PITCH_CLASSES, sampleRate, fftSize);
    this.binCount = fftSize / 2 + 1;
    this.weights = new Float64Array(PITCH_CLASSES * this.binCount);
    bank.forEach((row, pitchClass) => {
      this.weights.set(row.slice(0, this.binCount), pitchClass * this.binCount);
    });
  }

  /**
   * Returns 12 values 0–1, C first, scaled so that the strongest pitch class
   * reads 1 (as Meyda does). A silent spectrum gives 12 zeros.
   */
  compute(amplitude: Float32Array): number[] {
    let max = 0;
    for (let pitchClass = 0; pitchClass < PITCH_CLASSES; pitchClass++) {
      const offset = pitchClass * this.binCount;
      let sum = 0;
      for (let k = 0; k < this.binCount; k++) {
        sum += (this.weights[offset + k] as number) * (amplitude[k] as number);
      }
      this.sums[pitchClass] = sum;
      max = Math.max(max, sum);
    }

    const chroma = new Array<number>(PITCH_CLASSES);
    for (let pitchClass = 0; pitchClass < PITCH_CLASSES; pitchClass++) {
      chroma[pitchClass] = max > 0 ? (this.sums[pitchClass] as number) / max : 0;
    }
    return chroma;
  }
}
