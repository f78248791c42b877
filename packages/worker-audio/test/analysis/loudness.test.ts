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

describe('LoudnessMeter running sums', () => {
  test('match a direct sum over the ring', () => {
    const sampleRate = 44100;
    const hopSize = 512;
    const meter = new LoudnessMeter(sampleRate, hopSize);
    const [shelf, highPass] = kWeightingFilters(sampleRate);
    const filter = (section: typeof shelf) => {
      let z1 = 0;
      let z2 = 0;
      return (x: number) => {
        const y = section.b0 * x + z1;
        z1 = section.b1 * x - section.a1 * y + z2;
        z2 = section.b2 * x - section.a2 * y;
        return y;
      };
    };
    const shelfStage = filter(shelf);
    const passStage = filter(highPass);
    const squares: number[] = [];
    let seed = 7;
    const hops = 700;
    for (let h = 0; h < hops; h++) {
      // The level drops by 60 dB every 40 hops, so a loud hop left in a sum by mistake shows at once.
      const level = h % 80 < 40 ? 0.5 : 0.0005;
      const hop = new Float32Array(hopSize);
      for (let n = 0; n < hopSize; n++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        hop[n] = level * (seed / 1073741824 - 1);
        squares.push(passStage(shelfStage(hop[n] as number)) ** 2);
      }
      meter.process(hop);
      const expected = (windowHops: number) => {
        const window = squares.slice(-windowHops * hopSize);
        return -0.691 + 10 * Math.log10(window.reduce((sum, value) => sum + value, 0) / window.length);
      };
      if (h % 37 === 0 || h === hops - 1) {
        expect(meter.momentaryLufs).toBeCloseTo(expected(Math.round((0.4 * sampleRate) / hopSize)), 6);
        expect(meter.shortTermLufs).toBeCloseTo(expected(Math.round((3 * sampleRate) / hopSize)), 6);
      }
    }
  });
});
