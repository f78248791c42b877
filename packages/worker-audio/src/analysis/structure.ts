/**
 * Song structure cues for visuals: the energy trend of the last seconds, a
 * build-up flag while the trend keeps rising, a drop flag when the low end
 * jumps after a build-up or a quiet part, and brightness from the centroid.
 */

/** Length in seconds of the window over which the energy slope is fitted. */
const TREND_WINDOW_S = 4;
/** Slope in dB per second that maps to a trend of tanh(1) ≈ 0.76. */
const TREND_SCALE_DB_PER_S = 2;
/** Trend above which energy counts as rising, and how long it must rise to be a build-up. */
const BUILDUP_TREND = 0.25;
const BUILDUP_MIN_S = 3;
/** Time constants in seconds of the fast and slow low-band followers, and of the long-term energy. */
const LOW_FAST_S = 0.1;
const LOW_SLOW_S = 2;
const ENERGY_LONG_S = 20;
/** Rise in dB of the fast low band over the slow one that marks a drop. */
const DROP_RISE_DB = 9;
/** A quiet part: the slow energy at least this many dB below the long-term energy. */
const QUIET_BELOW_DB = 6;
/** How long a build-up or quiet part still primes a drop after it ends, how long the flag stays up, and the hold-off after it. */
const PRIMED_S = 4;
const DROP_HOLD_S = 0.5;
const DROP_REFRACTORY_S = 8;

/** Structure follower fed with one frame of levels at a time. */
export class StructureTracker {
  energyTrend = 0;
  isBuildup = false;
  isDrop = false;
  private readonly hopS: number;
  private readonly energyHistory: Float64Array;
  private readonly fastFactor: number;
  private readonly slowFactor: number;
  private readonly longFactor: number;
  private writeIndex = 0;
  private filled = 0;
  private risingS = 0;
  private primedS = 0;
  private dropHeldS = 0;
  private sinceDropS = DROP_REFRACTORY_S;
  private lowFastDb = Number.NaN;
  private lowSlowDb = Number.NaN;
  private energySlowDb = Number.NaN;
  private energyLongDb = Number.NaN;

  constructor(hopS: number) {
    this.hopS = hopS;
    this.energyHistory = new Float64Array(Math.max(4, Math.round(TREND_WINDOW_S / hopS)));
    this.fastFactor = 1 - Math.exp(-hopS / LOW_FAST_S);
    this.slowFactor = 1 - Math.exp(-hopS / LOW_SLOW_S);
    this.longFactor = 1 - Math.exp(-hopS / ENERGY_LONG_S);
  }

  reset(): void {
    this.energyHistory.fill(0);
    this.writeIndex = 0;
    this.filled = 0;
    this.risingS = 0;
    this.primedS = 0;
    this.dropHeldS = 0;
    this.sinceDropS = DROP_REFRACTORY_S;
    this.lowFastDb = Number.NaN;
    this.lowSlowDb = Number.NaN;
    this.energySlowDb = Number.NaN;
    this.energyLongDb = Number.NaN;
    this.energyTrend = 0;
    this.isBuildup = false;
    this.isDrop = false;
  }

  /**
   * Advances one frame. `energyDb` is the RMS level of the hop and `lowDb` the
   * level of the two lowest bands, both in dBFS and already clamped at the noise gate.
   */
  process(energyDb: number, lowDb: number): void {
    this.energySlowDb = follow(this.energySlowDb, energyDb, this.slowFactor);
    this.energyLongDb = follow(this.energyLongDb, energyDb, this.longFactor);
    this.updateTrend(this.energySlowDb);

    this.risingS = this.energyTrend > BUILDUP_TREND ? this.risingS + this.hopS : 0;
    this.isBuildup = this.risingS >= BUILDUP_MIN_S;
    const quiet = this.energySlowDb < this.energyLongDb - QUIET_BELOW_DB;
    this.primedS = this.isBuildup || quiet ? PRIMED_S : Math.max(0, this.primedS - this.hopS);

    this.lowFastDb = follow(this.lowFastDb, lowDb, this.fastFactor);
    this.lowSlowDb = follow(this.lowSlowDb, lowDb, this.slowFactor);
    this.sinceDropS += this.hopS;
    this.dropHeldS = Math.max(0, this.dropHeldS - this.hopS);
    const jumped = this.lowFastDb - this.lowSlowDb > DROP_RISE_DB;
    if (jumped && this.primedS > 0 && this.sinceDropS >= DROP_REFRACTORY_S) {
      this.sinceDropS = 0;
      this.dropHeldS = DROP_HOLD_S;
      this.primedS = 0;
      this.risingS = 0;
    }
    this.isDrop = this.dropHeldS > 0;
  }

  /** Fits a line to the slow energy over the trend window and maps its slope to −1…1. */
  private updateTrend(energyDb: number): void {
    const size = this.energyHistory.length;
    this.energyHistory[this.writeIndex] = energyDb;
    this.writeIndex = (this.writeIndex + 1) % size;
    this.filled = Math.min(this.filled + 1, size);
    const count = this.filled;
    if (count < 4) {
      this.energyTrend = 0;
      return;
    }

    // Least squares over x = 0…count−1, oldest first. Σx and Σx² have closed forms.
    const sumX = (count * (count - 1)) / 2;
    const sumXX = ((count - 1) * count * (2 * count - 1)) / 6;
    let sumY = 0;
    let sumXY = 0;
    // The oldest entry is at writeIndex − count, wrapped. The index wraps once instead of taking a modulo per entry.
    let index = this.writeIndex - count < 0 ? this.writeIndex - count + size : this.writeIndex - count;
    for (let x = 0; x < count; x++) {
      const y = this.energyHistory[index] as number;
      sumY += y;
      sumXY += x * y;
      index = index + 1 === size ? 0 : index + 1;
    }
    const slopePerFrame = (count * sumXY - sumX * sumY) / (count * sumXX - sumX * sumX);
    this.energyTrend = Math.tanh(slopePerFrame / this.hopS / TREND_SCALE_DB_PER_S);
  }
}

/** Returns the log-axis position 0–1 of `centroidHz` between 20 Hz and `nyquistHz`. */
export function brightnessOf(centroidHz: number, nyquistHz: number): number {
  if (!(centroidHz > 20)) {
    return 0;
  }
  return Math.min(1, Math.log(centroidHz / 20) / Math.log(nyquistHz / 20));
}

function follow(current: number, target: number, factor: number): number {
  return Number.isNaN(current) ? target : current + factor * (target - current);
}
