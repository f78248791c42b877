/**
 * Momentary and short-term loudness after ITU-R BS.1770-4: K-weighting (a
 * high shelf then a high pass), mean square over 400 ms and 3 s, and
 * L = −0.691 + 10·log10(mean square) LUFS. The analyser receives mono, so
 * this is the loudness of the mono mix as one channel with weight 1: a
 * 0 dBFS 997 Hz sine reads −3.01 LUFS, as BS.1770-4 states for one channel.
 */

/** Loudness reported for digital silence, where the definition gives −∞. */
export const SILENT_LUFS = -120;

/** Coefficients of one biquad section, normalised so that a0 = 1. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/**
 * Returns the two K-weighting stages for `sampleRate`. The analogue
 * prototypes are a shelf at 1681.97 Hz (+4.0 dB, Q 0.7072) and a high pass
 * at 38.14 Hz (Q 0.5003). The bilinear transform with prewarping maps them
 * to any rate, and at 48 kHz it gives the coefficients of BS.1770-4 Tables 1
 * and 2 to 10 decimals (checked in the tests).
 */
export function kWeightingFilters(sampleRate: number): [shelf: Biquad, highPass: Biquad] {
  const shelfK = Math.tan((Math.PI * 1681.974450955533) / sampleRate);
  const shelfQ = 0.7071752369554196;
  const shelfGain = 10 ** (3.999843853973347 / 20);
  const shelfBandGain = shelfGain ** 0.4996667741545416;
  const shelfA0 = 1 + shelfK / shelfQ + shelfK * shelfK;
  const shelf: Biquad = {
    b0: (shelfGain + (shelfBandGain * shelfK) / shelfQ + shelfK * shelfK) / shelfA0,
    b1: (2 * (shelfK * shelfK - shelfGain)) / shelfA0,
    b2: (shelfGain - (shelfBandGain * shelfK) / shelfQ + shelfK * shelfK) / shelfA0,
    a1: (2 * (shelfK * shelfK - 1)) / shelfA0,
    a2: (1 - shelfK / shelfQ + shelfK * shelfK) / shelfA0,
  };

  const passK = Math.tan((Math.PI * 38.13547087602444) / sampleRate);
  const passQ = 0.5003270373238773;
  const passA0 = 1 + passK / passQ + passK * passK;
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (passK * passK - 1)) / passA0,
    a2: (1 - passK / passQ + passK * passK) / passA0,
  };
  return [shelf, highPass];
}

/**
 * Running K-weighted loudness over the last 400 ms and 3 s. Both windows are
 * rounded to whole hops (394.7 ms and 3.0 s at 44.1 kHz with 512-sample
 * hops). Until a window has filled, the mean covers the samples seen so far.
 */
export class LoudnessMeter {
  private readonly shelf: Biquad;
  private readonly highPass: Biquad;
  private readonly state = new Float64Array(4);
  private readonly hopEnergy: Float64Array;
  private readonly momentaryHops: number;
  private readonly hopSize: number;
  private writeIndex = 0;
  private hopsSeen = 0;
  momentaryLufs = SILENT_LUFS;
  shortTermLufs = SILENT_LUFS;

  constructor(sampleRate: number, hopSize: number) {
    [this.shelf, this.highPass] = kWeightingFilters(sampleRate);
    this.hopSize = hopSize;
    this.momentaryHops = Math.max(1, Math.round((0.4 * sampleRate) / hopSize));
    this.hopEnergy = new Float64Array(Math.max(1, Math.round((3 * sampleRate) / hopSize)));
  }

  reset(): void {
    this.state.fill(0);
    this.hopEnergy.fill(0);
    this.writeIndex = 0;
    this.hopsSeen = 0;
    this.momentaryLufs = SILENT_LUFS;
    this.shortTermLufs = SILENT_LUFS;
  }

  /** Filters one hop and updates `momentaryLufs` and `shortTermLufs`. */
  process(hop: Float32Array): void {
    this.hopEnergy[this.writeIndex] = this.filterHop(hop);
    this.writeIndex = (this.writeIndex + 1) % this.hopEnergy.length;
    this.hopsSeen = Math.min(this.hopsSeen + 1, this.hopEnergy.length);

    let shortTermSum = 0;
    let momentarySum = 0;
    const length = this.hopEnergy.length;
    // Newest first: the index steps back through the ring and wraps once, instead of taking a modulo per hop.
    let index = this.writeIndex - 1 < 0 ? length - 1 : this.writeIndex - 1;
    for (let age = 0; age < this.hopsSeen; age++) {
      const energy = this.hopEnergy[index] as number;
      shortTermSum += energy;
      if (age < this.momentaryHops) {
        momentarySum += energy;
      }
      index = index === 0 ? length - 1 : index - 1;
    }
    const momentaryCount = Math.min(this.hopsSeen, this.momentaryHops) * this.hopSize;
    this.momentaryLufs = toLufs(momentarySum / momentaryCount);
    this.shortTermLufs = toLufs(shortTermSum / (this.hopsSeen * this.hopSize));
  }

  /** Returns the sum of squares of the K-weighted hop (direct form II transposed, both stages). */
  private filterHop(hop: Float32Array): number {
    const s = this.shelf;
    const p = this.highPass;
    let z1 = this.state[0] as number;
    let z2 = this.state[1] as number;
    let w1 = this.state[2] as number;
    let w2 = this.state[3] as number;
    let energy = 0;
    for (let n = 0; n < hop.length; n++) {
      const x = hop[n] as number;
      const y = s.b0 * x + z1;
      z1 = s.b1 * x - s.a1 * y + z2;
      z2 = s.b2 * x - s.a2 * y;
      const k = p.b0 * y + w1;
      w1 = p.b1 * y - p.a1 * k + w2;
      w2 = p.b2 * y - p.a2 * k;
      energy += k * k;
    }
    this.state[0] = z1;
    this.state[1] = z2;
    this.state[2] = w1;
    this.state[3] = w2;
    return energy;
  }
}

function toLufs(meanSquare: number): number {
  // Below 1e-12 (−120 dB) the input is digital silence or denormal residue of the filters.
  if (!(meanSquare > 1e-12)) {
    return SILENT_LUFS;
  }
  return Math.max(SILENT_LUFS, -0.691 + 10 * Math.log10(meanSquare));
}
