import { TapTempo } from '../../src/rhythm/tap-tempo';

describe('TapTempo', () => {
  test('two taps give the tempo of their interval', () => {
    const taps = new TapTempo();
    taps.tap(10);
    expect(taps.bpm).toBe(0);
    taps.tap(10.5);
    expect(taps.bpm).toBeCloseTo(120, 6);
  });

  test('tempo is the mean interval of the last eight taps', () => {
    const taps = new TapTempo();
    // Ten taps: the first two at 100 BPM are dropped, the last eight are at 125 BPM.
    const times = [0, 0.6, 1.08, 1.56, 2.04, 2.52, 3.0, 3.48, 3.96, 4.44];
    for (const timeS of times) {
      taps.tap(timeS);
    }
    expect(taps.bpm).toBeCloseTo(125, 6);
  });

  test('pause over 2 s starts a new series', () => {
    const taps = new TapTempo();
    taps.tap(1);
    taps.tap(1.5);
    taps.tap(4);
    expect(taps.taps).toBe(1);
    expect(taps.bpm).toBe(0);
    taps.tap(4.4);
    expect(taps.bpm).toBeCloseTo(150, 6);
  });

  test('tap earlier than the last starts a new series', () => {
    const taps = new TapTempo();
    taps.tap(5);
    taps.tap(5.5);
    taps.tap(3);
    expect(taps.taps).toBe(1);
  });
});
