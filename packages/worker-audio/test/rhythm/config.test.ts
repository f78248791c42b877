import { VjError } from '@vj/bus';
import { resolveRhythmConfig } from '../../src/rhythm/config';

const GEOMETRY = { sampleRate: 44100, hopSize: 512, windowSize: 1024 };

describe('resolveRhythmConfig', () => {
  test('defaults fill every field and are frozen', () => {
    const config = resolveRhythmConfig(GEOMETRY);
    expect(config.bpmRange).toEqual([60, 200]);
    expect(config.preferredBpmRange).toEqual([90, 180]);
    expect(config.lockMode).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test.each([
    ['bpmRange', { bpmRange: [200, 60] }],
    ['bpmRange', { bpmRange: [20, 100] }],
    ['lockHoldS', { lockHoldS: -1 }],
    ['jumpTolerance', { jumpTolerance: 0.5 }],
    ['hopSize', { hopSize: 4096, windowSize: 4096 }],
    ['windowSize', { windowSize: 1000 }],
    ['beatsPerBar', { beatsPerBar: 0 }],
  ])('invalid %s raises VJ_AUDIO_ANALYSIS_INVALID_CONFIG', (field, options) => {
    let caught: unknown;
    try {
      resolveRhythmConfig({ ...GEOMETRY, ...options } as Parameters<typeof resolveRhythmConfig>[0]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VjError);
    expect((caught as VjError).code).toBe('VJ_AUDIO_ANALYSIS_INVALID_CONFIG');
    expect((caught as VjError).message).toContain(field);
  });
});
