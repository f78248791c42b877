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
  private momentarySum = 0;
  private shortTermSum = 0;
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
    this.momentarySum = 0;
    this.shortTermSum = 0;
    this.momentaryLufs = SILENT_LUFS;
    this.shortTermLufs = SILENT_LUFS;
  }

  /** Filters one hop and updates `momentaryLufs` and `shortTermLufs`. */
  process(hop: Float32Array): void {
    const energies = this.hopEnergy;
    const length = energies.length;
    const energy = this.filterHop(hop);
    // Running sums: the hop entering each window is added and the one leaving it subtracted, instead of
    // summing 258 hops per frame. The ring is summed afresh once per turn, so rounding cannot build up.
    if (this.hopsSeen >= this.momentaryHops) {
      const leaving = this.writeIndex - this.momentaryHops;
      this.momentarySum -= energies[leaving < 0 ? leaving + length : leaving] as number;
    }
    if (this.hopsSeen === length) {
      this.shortTermSum -= energies[this.writeIndex] as number;
    }
    energies[this.writeIndex] = energy;
    this.momentarySum += energy;
    this.shortTermSum += energy;
    this.writeIndex = this.writeIndex + 1 === length ? 0 : this.writeIndex + 1;
    this.hopsSeen = Math.min(this.hopsSeen + 1, length);
    if (this.writeIndex === 0) {
      this.resum();
    }

    const momentaryCount = Math.min(this.hopsSeen, this.momentaryHops) * this.hopSize;
    this.momentaryLufs = toLufs(this.momentarySum / momentaryCount);
    this.shortTermLufs = toLufs(this.shortTermSum / (this.hopsSeen * this.hopSize));
  }

  /** Sums both windows over the ring again, newest hop first. */
  private resum(): void {
    const energies = this.hopEnergy;
    const length = energies.length;
    let index = this.writeIndex - 1 < 0 ? length - 1 : this.writeIndex - 1;
    let shortTermSum = 0;
    let momentarySum = 0;
    for (let age = 0; age < this.hopsSeen; age++) {
      const energy = energies[index] as number;
      shortTermSum += energy;
      if (age < this.momentaryHops) {
        momentarySum += energy;
      }
      index = index === 0 ? length - 1 : index - 1;
    }
    this.shortTermSum = shortTermSum;
    this.momentarySum = momentarySum;
  }

  /** Returns the sum of squares of the K-weighted hop (direct form II transposed, both stages). */
  private filterHop(hop: Float32Array): number {
    const { b0: sb0, b1: sb1, b2: sb2, a1: sa1, a2: sa2 } = this.shelf;
    const { b0: pb0, b1: pb1, b2: pb2, a1: pa1, a2: pa2 } = this.highPass;
    let z1 = this.state[0] as number;
    let z2 = this.state[1] as number;
    let w1 = this.state[2] as number;
    let w2 = this.state[3] as number;
    let energy = 0;
    for (let n = 0; n < hop.length; n++) {
      const x = hop[n] as number;
      const y = sb0 * x + z1;
      z1 = sb1 * x - sa1 * y + z2;
      z2 = sb2 * x - sa2 * y;
      const k = pb0 * y + w1;
      w1 = pb1 * y - pa1 * k + w2;
      w2 = pb2 * y - pa2 * k;
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
