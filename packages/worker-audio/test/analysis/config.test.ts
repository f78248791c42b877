import { isVjError } from '@vj/bus';
import { DEFAULT_ANALYSIS_CONFIG, resolveAnalysisConfig } from '../../src/analysis/config';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isVjError(error) ? error.code : 'not a VjError';
  }
  return undefined;
}

describe('resolveAnalysisConfig', () => {
  test('defaults fill every field and the result is frozen', () => {
    const config = resolveAnalysisConfig({ sampleRate: 48000 });
    expect(config.windowSize).toBe(1024);
    expect(config.hopSize).toBe(512);
    expect(config.bandEdgesHz).toEqual(DEFAULT_ANALYSIS_CONFIG.bandEdgesHz);
    expect(config.features.pitch).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('partial features merge over the defaults', () => {
    const config = resolveAnalysisConfig({ sampleRate: 48000, features: { pitch: false } as never });
    expect(config.features.pitch).toBe(false);
    expect(config.features.bpm).toBe(true);
  });

  test.each([
    ['windowSize not a power of two', { windowSize: 1000 }],
    ['hopSize above windowSize', { hopSize: 4096 }],
    ['smoothing of 1', { smoothing: 1 }],
    ['compression of 0', { compression: 0 }],
    ['six band gains', { bandGains: [1, 1, 1, 1, 1, 1] }],
    ['reversed bpmRange', { bpmRange: [180, 90] as const }],
    [
      'band edges low above high',
      { bandEdgesHz: [[60, 20], ...DEFAULT_ANALYSIS_CONFIG.bandEdgesHz.slice(1)] },
    ],
  ])('%s is rejected with VJ_AUDIO_ANALYSIS_INVALID_CONFIG', (_case, options) => {
    expect(codeOf(() => resolveAnalysisConfig({ sampleRate: 44100, ...(options as object) }))).toBe(
      'VJ_AUDIO_ANALYSIS_INVALID_CONFIG',
    );
  });
});
