import { analyzeSignal, sine, whiteNoise } from './helpers/run';

describe.each([44100, 48000])('pitch at %i Hz', (sampleRate) => {
  test('440 Hz sine reads 440 ± 2 Hz with high confidence', () => {
    const frames = analyzeSignal(sine(440, 0.5, 1, sampleRate), 1, { sampleRate });
    for (const frame of frames.slice(10)) {
      expect(frame.pitchHz).toBeGreaterThan(438);
      expect(frame.pitchHz).toBeLessThan(442);
      expect(frame.pitchConfidence).toBeGreaterThan(0.9);
    }
  });

  test('sines across the default range read within 0.5 %', () => {
    for (const frequencyHz of [55, 110, 261.63, 880, 1500]) {
      const frames = analyzeSignal(sine(frequencyHz, 0.3, 0.5, sampleRate), 1, { sampleRate });
      const last = frames[frames.length - 1];
      expect(Math.abs((last?.pitchHz as number) / frequencyHz - 1)).toBeLessThan(0.005);
    }
  });

  test('white noise reads unvoiced or with low confidence', () => {
    const frames = analyzeSignal(whiteNoise(0.1, 1, sampleRate), 1, { sampleRate });
    const confident = frames.slice(10).filter((frame) => frame.pitchConfidence > 0.5);
    expect(confident.length).toBeLessThan(frames.length * 0.05);
  });
});

describe('pitch limits', () => {
  test('sine below the noise gate reads 0 Hz with confidence 0', () => {
    const frames = analyzeSignal(sine(440, 0.0005, 0.5, 44100), 1, { sampleRate: 44100 });
    const last = frames[frames.length - 1];
    expect(last?.pitchHz).toBe(0);
    expect(last?.pitchConfidence).toBe(0);
  });

  test('pitch stays within pitchRangeHz for a sine above it', () => {
    // YIN may report a subharmonic (3000 / 3 or / 4), which is in range; it must not report 3000 Hz.
    const frames = analyzeSignal(sine(3000, 0.5, 0.5, 44100), 1, {
      sampleRate: 44100,
      pitchRangeHz: [50, 1000],
    });
    for (const frame of frames) {
      expect(frame.pitchHz).toBeLessThanOrEqual(1000);
      expect(frame.pitchHz).toBeGreaterThanOrEqual(0);
    }
  });
});
