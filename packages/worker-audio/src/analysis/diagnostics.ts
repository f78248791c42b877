/**
 * Input level diagnostics of one hop, measured before any gain.
 */
import type { InputLevelStatus } from './types';

/** Level reported for digital silence, where 20·log10(0) gives −∞. */
export const SILENT_DBFS = -120;

/** Absolute sample value from which a hop counts as clipping (−0.009 dBFS). */
export const CLIPPING_LEVEL = 0.999;

/** Peak and RMS level of one hop and the resulting input status. */
export interface InputLevel {
  peakDbfs: number;
  rmsDbfs: number;
  status: InputLevelStatus;
}

/**
 * Measures `hop` and writes the result to `out`: `clipping` when any
 * |sample| ≥ 0.999, `silent` when the RMS is below `noiseGateDbfs`,
 * `signal` otherwise.
 */
export function measureInputLevel(hop: Float32Array, noiseGateDbfs: number, out: InputLevel): void {
  let peak = 0;
  let sumOfSquares = 0;
  for (let n = 0; n < hop.length; n++) {
    const sample = hop[n] as number;
    const magnitude = Math.abs(sample);
    if (magnitude > peak) {
      peak = magnitude;
    }
    sumOfSquares += sample * sample;
  }

  out.peakDbfs = toDbfs(peak);
  out.rmsDbfs = toDbfs(Math.sqrt(sumOfSquares / Math.max(1, hop.length)));
  if (peak >= CLIPPING_LEVEL) {
    out.status = 'clipping';
  } else if (out.rmsDbfs < noiseGateDbfs) {
    out.status = 'silent';
  } else {
    out.status = 'signal';
  }
}

/** Returns 20·log10(`amplitude`), at least −120 dBFS. */
export function toDbfs(amplitude: number): number {
  return amplitude > 0 ? Math.max(SILENT_DBFS, 20 * Math.log10(amplitude)) : SILENT_DBFS;
}
