/** Percentiles of the benchmark's samples and the median across runs. */

/** Summary of one set of durations, in ms. */
export interface DurationSummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
}

/**
 * Summarises durations in ms. Percentiles use the nearest-rank method, so
 * every reported value is one of the samples. An empty list gives NaN.
 *
 * @example
 * summarizeDurations([120, 80, 100]).p50Ms // 100
 */
export function summarizeDurations(samplesMs: readonly number[]): DurationSummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    minMs: sorted[0] ?? Number.NaN,
    p50Ms: nearestRank(sorted, 0.5),
    p90Ms: nearestRank(sorted, 0.9),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Returns the median of a list: the mean of the two middle values when the count is even, NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  if (sorted.length % 2 === 1) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function nearestRank(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
