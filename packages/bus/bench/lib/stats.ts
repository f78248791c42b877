/** Percentiles and run summaries for the bus benchmarks. */

/** Latency percentiles of one sample, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * Sorts the first `count` samples in place and summarises them. Percentiles
 * use the nearest-rank method, so each reported value is one real sample.
 *
 * @example
 * summarizeLatencies(new Float64Array([0.2, 0.1, 0.3]), 3).p50Ms // 0.2
 */
export function summarizeLatencies(samplesMs: Float64Array, count: number): LatencySummary {
  if (count === 0)
    return {
      count: 0,
      p50Ms: Number.NaN,
      p90Ms: Number.NaN,
      p99Ms: Number.NaN,
      maxMs: Number.NaN,
      meanMs: Number.NaN,
    };

  const sorted = samplesMs.subarray(0, count).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i] ?? 0;
  return {
    count,
    p50Ms: nearestRank(sorted, 0.5),
    p90Ms: nearestRank(sorted, 0.9),
    p99Ms: nearestRank(sorted, 0.99),
    maxMs: sorted[count - 1] ?? Number.NaN,
    meanMs: sum / count,
  };
}

/** Median of a list of numbers; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function nearestRank(sorted: Float64Array, fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
