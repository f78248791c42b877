/**
 * A window of recent timings (milliseconds) with percentiles, for the
 * once-a-second `audio.stats`. Fixed capacity, so memory stays bounded
 * whatever the frame rate.
 */
export interface TimingSummary {
  p50: number;
  p99: number;
  max: number;
}

export class TimingWindow {
  private readonly values: Float64Array;
  private readonly sorted: Float64Array;
  private count = 0;
  private next = 0;

  /** @param capacity Timings kept; the oldest is replaced once full. */
  constructor(capacity = 1024) {
    this.values = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  add(valueMs: number): void {
    this.values[this.next] = valueMs;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  /** Summarises the timings added since the last reset; all zero when there were none. */
  summary(): TimingSummary {
    if (this.count === 0) return { p50: 0, p99: 0, max: 0 };
    const view = this.sorted.subarray(0, this.count);
    view.set(this.values.subarray(0, this.count));
    view.sort();
    const at = (fraction: number): number =>
      view[Math.min(this.count - 1, Math.floor(fraction * this.count))] as number;
    return { p50: round3(at(0.5)), p99: round3(at(0.99)), max: round3(view[this.count - 1] as number) };
  }

  reset(): void {
    this.count = 0;
    this.next = 0;
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
