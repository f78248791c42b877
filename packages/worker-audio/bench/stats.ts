/**
 * Order statistics of the bench's samples.
 */

/** Summary of a sample, in the sample's unit. */
export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Returns the median, 99th percentile (nearest rank), maximum and mean of
 * `values`, or zeros for an empty sample. It sorts a copy.
 */
export function distributionOf(values: readonly number[]): Distribution {
  if (values.length === 0) {
    return { count: 0, p50: 0, p99: 0, max: 0, mean: 0 };
  }
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const value of sorted) {
    sum += value;
  }
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] as number,
    mean: sum / sorted.length,
  };
}

/** Returns the nearest-rank `fraction` percentile of an ascending array. */
function percentile(sorted: readonly number[], fraction: number): number {
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}
