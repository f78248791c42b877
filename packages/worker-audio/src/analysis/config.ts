/**
 * Defaults and validation of AnalysisConfig. Defaults merge in one place
 * (`resolveAnalysisConfig`), are checked, then frozen.
 */
import { BandEdgesHz, BandNames } from '@vj/bus';
import { SettingChecks } from './setting-checks';
import type { AnalysisConfig } from './types';

const checks = new SettingChecks('Analysis');

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
      throw checks.invalid(
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
  checks.range('sampleRate', config.sampleRate, 8000, 384000);
  const { windowSize, hopSize } = config;
  if (
    !Number.isInteger(windowSize) ||
    windowSize < 256 ||
    windowSize > 8192 ||
    (windowSize & (windowSize - 1)) !== 0
  ) {
    throw checks.invalid('windowSize', windowSize, 'a power of two from 256 to 8192');
  }
  if (!Number.isInteger(hopSize) || hopSize < 1 || hopSize > windowSize) {
    throw checks.invalid('hopSize', hopSize, `an integer from 1 to windowSize (${windowSize})`);
  }
  checkPairs(config);
  checks.range('smoothing', config.smoothing, 0, 0.99);
  checks.range('compression', config.compression, 0.1, 1);
  checks.range('noiseGateDbfs', config.noiseGateDbfs, -140, 0);
  checks.range('normalizationReleaseS', config.normalizationReleaseS, 0.1, 600);
  checks.range('hitsReleaseS', config.hitsReleaseS, 0.01, 10);
  checks.range('presenceTimeS', config.presenceTimeS, 0.05, 60);
  checks.orderedPair('bpmRange', config.bpmRange, 30, 300);
  if (typeof config.tempoLock !== 'boolean')
    throw checks.invalid('tempoLock', config.tempoLock, 'true or false');
  checks.range('tempoHoldS', config.tempoHoldS, 1, 60);
  checks.orderedPair('pitchRangeHz', config.pitchRangeHz, 20, config.sampleRate / 4);
}

function checkPairs(config: AnalysisConfig): void {
  const nyquistHz = config.sampleRate / 2;
  if (config.bandEdgesHz.length !== BandNames.length) {
    throw checks.invalid('bandEdgesHz', config.bandEdgesHz, `${BandNames.length} pairs [lowHz, highHz]`);
  }
  config.bandEdgesHz.forEach((pair, index) => {
    checks.orderedPair(`bandEdgesHz[${index}]`, pair, 0, Math.max(nyquistHz, 20000));
  });
  if (config.bandGains.length !== BandNames.length) {
    throw checks.invalid('bandGains', config.bandGains, `${BandNames.length} gains`);
  }
  config.bandGains.forEach((gain, index) => {
    checks.range(`bandGains[${index}]`, gain, 0, 1000);
  });
}
