import { FRESH_FOR_MS, freshValue } from '../../src/model/telemetry';

describe('freshValue', () => {
  const received = { value: { bpm: 128 }, receivedAtMs: 10_000 };

  test('returns a recent payload', () => {
    expect(freshValue(received, 10_000 + FRESH_FOR_MS.audio, FRESH_FOR_MS.audio)).toEqual({ bpm: 128 });
  });

  test('hides a payload older than its limit', () => {
    expect(freshValue(received, 10_001 + FRESH_FOR_MS.audio, FRESH_FOR_MS.audio)).toBeUndefined();
  });

  test('returns undefined before any payload', () => {
    expect(freshValue(undefined, 10_000, FRESH_FOR_MS.audio)).toBeUndefined();
  });
});
