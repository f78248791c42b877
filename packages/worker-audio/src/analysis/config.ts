/**
 * Defaults and validation of AnalysisConfig. Defaults merge in one place
 * (`resolveAnalysisConfig`), are checked, then frozen.
 */
import { BandEdgesHz, BandNames, VjError } from '@vj/bus';
import type { AnalysisConfig } from './types';

/** Options of `new Analyzer(…)`: any subset of AnalysisConfig, with the sample rate required. */
export type AnalysisOptions = Partial<AnalysisConfig> & { sampleRate: number };

/** Hot settings that `Analyzer.reconfigure` accepts. Window, hop and sample rate need a new Analyzer. */
export type AnalysisChanges = Partial<Omit<AnalysisConfig, 'sampleRate' | 'windowSize' | 'hopSize'>>;

/** Default settings. The sample rate has no default because it comes from the source. */
export const DEFAULT_ANALYSIS_CONFIG: Readonly<Omit<AnalysisConfig, 'sampleRate'>> = Object.freeze({
  windowSize: 1024,
  hopSize: 512,
  bandEdgesHz: Object.freeze(BandNames.map((name) => BandEdgesHz[name])),
  bandGains: Object.freeze([1, 1, 1, 1, 1, 1, 1]),
  smoothing: 0.5,
  compression: 0.6,
  noiseGateDbfs: -60,
  normalizationReleaseS: 10,
  hitsReleaseS: 0.1,
  presenceTimeS: 2,
  bpmRange: Object.freeze([60, 200] as const),
  tempoLock: true,
  tempoHoldS: 10,
  pitchRangeHz: Object.freeze([50, 2000] as const),
  features: Object.freeze({
    spectrum: true,
    onset: true,
    bpm: true,
    pitch: true,
    loudness: true,
    structure: true,
    chroma: true,
  }),
});

/**
 * Merges `options` over the defaults, checks every field and freezes the result.
 *
 * @throws VjError `VJ_AUDIO_ANALYSIS_INVALID_CONFIG` naming the first invalid field, its value and the accepted range.
 * @example
 * const config = resolveAnalysisConfig({ sampleRate: 48000, smoothing: 0.7 });
 */
export function resolveAnalysisConfig(options: AnalysisOptions): Readonly<AnalysisConfig> {
  const config: AnalysisConfig = {
    ...DEFAULT_ANALYSIS_CONFIG,
    ...options,
    features: { ...DEFAULT_ANALYSIS_CONFIG.features, ...options.features },
  };
  validateAnalysisConfig(config);
  return Object.freeze(config);
}

/**
 * Applies hot `changes` to a resolved config and returns the new frozen config.
 *
 * @throws VjError `VJ_AUDIO_ANALYSIS_INVALID_CONFIG` when a changed field is invalid or names window, hop or sample rate.
 */
export function mergeAnalysisChanges(
  config: Readonly<AnalysisConfig>,
  changes: AnalysisChanges,
): Readonly<AnalysisConfig> {
  for (const key of ['sampleRate', 'windowSize', 'hopSize'] as const) {
    if (key in changes) {
      throw invalid(
        key,
        (changes as Record<string, unknown>)[key],
        'a hot change; create a new Analyzer to change it',
      );
    }
  }
  return resolveAnalysisConfig({
    ...config,
    ...changes,
    features: { ...config.features, ...changes.features },
  });
}

function validateAnalysisConfig(config: AnalysisConfig): void {
  checkRange('sampleRate', config.sampleRate, 8000, 384000);
  const { windowSize, hopSize } = config;
  if (
    !Number.isInteger(windowSize) ||
    windowSize < 256 ||
    windowSize > 8192 ||
    (windowSize & (windowSize - 1)) !== 0
  ) {
    throw invalid('windowSize', windowSize, 'a power of two from 256 to 8192');
  }
  if (!Number.isInteger(hopSize) || hopSize < 1 || hopSize > windowSize) {
    throw invalid('hopSize', hopSize, `an integer from 1 to windowSize (${windowSize})`);
  }
  checkPairs(config);
  checkRange('smoothing', config.smoothing, 0, 0.99);
  checkRange('compression', config.compression, 0.1, 1);
  checkRange('noiseGateDbfs', config.noiseGateDbfs, -140, 0);
  checkRange('normalizationReleaseS', config.normalizationReleaseS, 0.1, 600);
  checkRange('hitsReleaseS', config.hitsReleaseS, 0.01, 10);
  checkRange('presenceTimeS', config.presenceTimeS, 0.05, 60);
  checkOrderedPair('bpmRange', config.bpmRange, 30, 300);
  if (typeof config.tempoLock !== 'boolean') throw invalid('tempoLock', config.tempoLock, 'true or false');
  checkRange('tempoHoldS', config.tempoHoldS, 1, 60);
  checkOrderedPair('pitchRangeHz', config.pitchRangeHz, 20, config.sampleRate / 4);
}

function checkPairs(config: AnalysisConfig): void {
  const nyquistHz = config.sampleRate / 2;
  if (config.bandEdgesHz.length !== BandNames.length) {
    throw invalid('bandEdgesHz', config.bandEdgesHz, `${BandNames.length} pairs [lowHz, highHz]`);
  }
  config.bandEdgesHz.forEach((pair, index) => {
    checkOrderedPair(`bandEdgesHz[${index}]`, pair, 0, Math.max(nyquistHz, 20000));
  });
  if (config.bandGains.length !== BandNames.length) {
    throw invalid('bandGains', config.bandGains, `${BandNames.length} gains`);
  }
  config.bandGains.forEach((gain, index) => {
    checkRange(`bandGains[${index}]`, gain, 0, 1000);
  });
}

function checkRange(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(field, value, `a number from ${min} to ${max}`);
  }
}

function checkOrderedPair(field: string, value: unknown, min: number, max: number): void {
  const pair = value as readonly unknown[];
  const valid =
    Array.isArray(pair) &&
    pair.length === 2 &&
    typeof pair[0] === 'number' &&
    typeof pair[1] === 'number' &&
    pair[0] >= min &&
    pair[0] < pair[1] &&
    pair[1] <= max;
  if (!valid) {
    throw invalid(field, value, `two increasing numbers from ${min} to ${max}`);
  }
}

function invalid(field: string, value: unknown, expected: string): VjError {
  return new VjError(
    'VJ_AUDIO_ANALYSIS_INVALID_CONFIG',
    `Analysis setting ${field} must be ${expected}, received ${JSON.stringify(value)}`,
    { field, value, shortMessage: `invalid analysis setting ${field}` },
  );
}
