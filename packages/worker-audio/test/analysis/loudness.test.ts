import { kWeightingFilters, LoudnessMeter, SILENT_LUFS } from '../../src/analysis/loudness';
import { analyzeSignal, sine } from './helpers/run';

describe('kWeightingFilters', () => {
  test('coefficients at 48 kHz match the tables of BS.1770-4', () => {
    const [shelf, highPass] = kWeightingFilters(48000);
    expect(shelf.b0).toBeCloseTo(1.53512485958697, 10);
    expect(shelf.b1).toBeCloseTo(-2.69169618940638, 10);
    expect(shelf.b2).toBeCloseTo(1.19839281085285, 10);
    expect(shelf.a1).toBeCloseTo(-1.69065929318241, 10);
    expect(shelf.a2).toBeCloseTo(0.73248077421585, 10);
    expect(highPass.b0).toBe(1);
    expect(highPass.b1).toBe(-2);
    expect(highPass.b2).toBe(1);
    expect(highPass.a1).toBeCloseTo(-1.99004745483398, 10);
    expect(highPass.a2).toBeCloseTo(0.99007225036621, 10);
  });
});

describe.each([44100, 48000])('LoudnessMeter at %i Hz', (sampleRate) => {
  // BS.1770-4: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS, so a sine of peak A reads -3.01 + 20·log10(A).
  test('-20 dBFS 1 kHz sine reads about -23.01 LUFS', () => {
    const amplitude = 10 ** (-20 / 20);
    const expectedLufs = -3.01 + 20 * Math.log10(amplitude);
    const frames = analyzeSignal(sine(1000, amplitude, 3.5, sampleRate), 1, { sampleRate });
    const last = frames[frames.length - 1];
    expect(Math.abs((last?.loudnessMomentaryLufs as number) - expectedLufs)).toBeLessThan(0.5);
    expect(Math.abs((last?.loudnessShortTermLufs as number) - expectedLufs)).toBeLessThan(0.5);
  });

  test('digital silence reads -120 LUFS', () => {
    const meter = new LoudnessMeter(sampleRate, 512);
    meter.process(new Float32Array(512));
    expect(meter.momentaryLufs).toBe(SILENT_LUFS);
    expect(meter.shortTermLufs).toBe(SILENT_LUFS);
  });

  test('momentary loudness forgets a tone 400 ms after it stops, short-term keeps it', () => {
    const meter = new LoudnessMeter(sampleRate, 512);
    const tone = sine(1000, 0.1, 1, sampleRate);
    for (let offset = 0; offset + 512 <= tone.length; offset += 512) {
      meter.process(tone.subarray(offset, offset + 512));
    }
    const silence = new Float32Array(512);
    for (let hop = 0; hop < Math.ceil((0.5 * sampleRate) / 512); hop++) {
      meter.process(silence);
    }
    expect(meter.momentaryLufs).toBeLessThan(-100);
    expect(meter.shortTermLufs).toBeGreaterThan(-35);
  });
});
