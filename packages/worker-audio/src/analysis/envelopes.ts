/**
 * Per-band envelopes of the normalised levels: "hits" jump to each new peak
 * and fall quickly, "presence" follows the level slowly in both directions.
 */

/** Level below which the hits envelope counts as finished: −40 dB of full scale. */
const HITS_END_LEVEL = 0.01;

/**
 * Hits envelope with instant attack and exponential release that takes
 * `releaseS` to fall from 1 to 0.01 (−40 dB).
 */
export class HitsEnvelope {
  readonly values: Float64Array;
  private releaseFactor = 0;

  constructor(count: number, hopS: number, releaseS: number) {
    this.values = new Float64Array(count);
    this.configure(hopS, releaseS);
  }

  configure(hopS: number, releaseS: number): void {
    this.releaseFactor = HITS_END_LEVEL ** (hopS / releaseS);
  }

  reset(): void {
    this.values.fill(0);
  }

  /** Advances one frame with the unsmoothed normalised `levels` (0–1). */
  process(levels: Float64Array): void {
    for (let i = 0; i < this.values.length; i++) {
      const released = (this.values[i] as number) * this.releaseFactor;
      this.values[i] = Math.max(levels[i] as number, released < HITS_END_LEVEL ? 0 : released);
    }
  }
}

/** Presence envelope: a one-pole low-pass with time constant `timeS` seconds. */
export class PresenceEnvelope {
  readonly values: Float64Array;
  private coefficient = 0;

  constructor(count: number, hopS: number, timeS: number) {
    this.values = new Float64Array(count);
    this.configure(hopS, timeS);
  }

  configure(hopS: number, timeS: number): void {
    this.coefficient = 1 - Math.exp(-hopS / timeS);
  }

  reset(): void {
    this.values.fill(0);
  }

  /** Advances one frame with the unsmoothed normalised `levels` (0–1). */
  process(levels: Float64Array): void {
    for (let i = 0; i < this.values.length; i++) {
      const value = this.values[i] as number;
      this.values[i] = value + this.coefficient * ((levels[i] as number) - value);
    }
  }
}
