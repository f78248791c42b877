/**
 * Tap tempo: the period of the performer's last taps, restarted when the
 * taps pause.
 */

/** Seconds without a tap after which the next tap starts a new series. */
const SERIES_GAP_S = 2;
/** Taps kept per series: the tempo is the mean interval over them. */
const MAX_TAPS = 8;

/**
 * Tap tempo over tap times in seconds.
 *
 * @example
 * const taps = new TapTempo();
 * taps.tap(10.0);
 * taps.tap(10.5);
 * taps.bpm; // 120
 */
export class TapTempo {
  private readonly tapsS = new Float64Array(MAX_TAPS);
  private count = 0;

  /** Number of taps in the current series. */
  get taps(): number {
    return this.count;
  }

  /** Time in seconds of the last tap, NaN before the first. */
  get lastTapS(): number {
    return this.count === 0 ? Number.NaN : (this.tapsS[(this.count - 1) % MAX_TAPS] as number);
  }

  /** Tempo in BPM from the current series, 0 with fewer than two taps. */
  get bpm(): number {
    if (this.count < 2) {
      return 0;
    }
    const kept = Math.min(this.count, MAX_TAPS);
    const firstS = this.tapsS[(this.count - kept) % MAX_TAPS] as number;
    return (60 * (kept - 1)) / (this.lastTapS - firstS);
  }

  /** Records a tap at `timeS`; a tap more than 2 s after the previous one, or before it, starts a new series. */
  tap(timeS: number): void {
    const lastS = this.lastTapS;
    if (this.count > 0 && !(timeS - lastS > 0 && timeS - lastS <= SERIES_GAP_S)) {
      this.count = 0;
    }
    this.tapsS[this.count % MAX_TAPS] = timeS;
    this.count++;
  }

  /** Forgets all taps. */
  reset(): void {
    this.count = 0;
  }
}
