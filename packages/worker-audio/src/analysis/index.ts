/**
 * Public names of the analysis, for the package's src/index.ts to re-export.
 */
export { Analyzer } from './analyzer';
export {
  type AnalysisChanges,
  type AnalysisOptions,
  DEFAULT_ANALYSIS_CONFIG,
  resolveAnalysisConfig,
} from './config';
export { CLIPPING_LEVEL, SILENT_DBFS } from './diagnostics';
export { HopSplitter } from './hop-splitter';
export { SPECTRUM_BINS } from './levels';
export { SILENT_LUFS } from './loudness';
export type { AnalysisConfig, FrameFeatures, InputLevelStatus } from './types';
