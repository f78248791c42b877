/**
 * Sparse weights that turn a power spectrum into bands: the 7 analysis bands
 * and the 32 bins of the log spectrum. Each output integrates the power
 * spectrum, linearly interpolated between bin centres, over its frequency
 * range. So an output narrower than an FFT bin reads the interpolated value
 * instead of 0, and adjacent outputs share a bin in proportion to overlap.
 */

/** Precomputed weights of one bank. `apply` allocates nothing. */
export class SpectralBank {
  readonly size: number;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly weights: Float64Array;

  /**
   * @param rangesHz one [lowHz, highHz] per output
   * @param binHz width of an FFT bin in Hz (sampleRate / fftSize)
   * @param binCount bins of the one-sided spectrum (fftSize / 2 + 1)
   * @param averaged true to divide each integral by its width in bins (a mean power density); false for the sum
   */
  constructor(
    rangesHz: ReadonlyArray<readonly [number, number]>,
    binHz: number,
    binCount: number,
    averaged: boolean,
  ) {
    this.size = rangesHz.length;
    this.starts = new Int32Array(this.size);
    this.lengths = new Int32Array(this.size);
    const rows = rangesHz.map(([lowHz, highHz]) => {
      const lowBin = Math.min(lowHz / binHz, binCount - 1);
      const highBin = Math.min(highHz / binHz, binCount - 1);
      return integrationWeights(lowBin, highBin, averaged);
    });
    this.weights = new Float64Array(rows.reduce((total, row) => total + row.weights.length, 0));

    let offset = 0;
    rows.forEach((row, index) => {
      this.starts[index] = row.firstBin;
      this.lengths[index] = row.weights.length;
      this.weights.set(row.weights, offset);
      offset += row.weights.length;
    });
  }

  /** Fills `out[i]` with the weighted sum of `power` for output i. */
  apply(power: Float64Array, out: Float64Array): void {
    let offset = 0;
    for (let i = 0; i < this.size; i++) {
      const start = this.starts[i] as number;
      const length = this.lengths[i] as number;
      let sum = 0;
      for (let j = 0; j < length; j++) {
        sum += (this.weights[offset + j] as number) * (power[start + j] as number);
      }
      out[i] = sum;
      offset += length;
    }
  }
}

/** Returns the edges in Hz of `count` bins spaced evenly on a log axis from `lowHz` to `highHz`. */
export function logSpacedRanges(count: number, lowHz: number, highHz: number): Array<[number, number]> {
  const ratio = highHz / lowHz;
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    ranges.push([lowHz * ratio ** (i / count), lowHz * ratio ** ((i + 1) / count)]);
  }
  return ranges;
}

/**
 * Weights w[k] such that Σ w[k]·P[k] is the integral over [lowBin, highBin]
 * of the piecewise-linear P through the bin centres.
 */
function integrationWeights(
  lowBin: number,
  highBin: number,
  averaged: boolean,
): { firstBin: number; weights: Float64Array } {
  const firstBin = Math.floor(lowBin);
  if (highBin <= lowBin) {
    return { firstBin, weights: new Float64Array(0) };
  }
  const lastBin = Math.ceil(highBin);
  const weights = new Float64Array(lastBin - firstBin + 1);

  for (let k = firstBin; k < lastBin; k++) {
    // On segment [k, k+1], P(k + t) = P[k]·(1 − t) + P[k+1]·t for t in [0, 1].
    const t0 = Math.max(lowBin - k, 0);
    const t1 = Math.min(highBin - k, 1);
    if (t1 <= t0) {
      continue;
    }
    const integralOfT = (t1 * t1 - t0 * t0) / 2;
    weights[k - firstBin] = (weights[k - firstBin] as number) + (t1 - t0) - integralOfT;
    weights[k + 1 - firstBin] = (weights[k + 1 - firstBin] as number) + integralOfT;
  }

  if (averaged) {
    const width = highBin - lowBin;
    for (let i = 0; i < weights.length; i++) {
      weights[i] = (weights[i] as number) / width;
    }
  }
  return { firstBin, weights };
}
