/**
 * Types for the part of Meyda 5.6.3 that the analysis calls: the per-feature
 * extractors (typed `any` in Meyda's own declarations) and the chroma filter
 * bank builder, which Meyda's package exposes only as a CommonJS file without types.
 */
declare module 'meyda/dist/node/utilities.js' {
  /** Chroma filter bank: `numFilters` rows of `bufferSize / 2 + 1` weights, C first when `baseC`. */
  export function createChromaFilterBank(
    numFilters: number,
    sampleRate: number,
    bufferSize: number,
    centerOctave?: number,
    octaveWidth?: number,
    baseC?: boolean,
    A440?: number,
  ): number[][];
}
