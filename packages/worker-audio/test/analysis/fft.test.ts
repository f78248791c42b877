import { Fft, hannWindow, RealFft } from '../../src/analysis/fft';

function naiveDft(signal: number[]): { real: number[]; imag: number[] } {
  const n = signal.length;
  const real: number[] = [];
  const imag: number[] = [];
  for (let k = 0; k < n; k++) {
    let sumRe = 0;
    let sumIm = 0;
    for (let t = 0; t < n; t++) {
      sumRe += (signal[t] as number) * Math.cos((2 * Math.PI * k * t) / n);
      sumIm -= (signal[t] as number) * Math.sin((2 * Math.PI * k * t) / n);
    }
    real.push(sumRe);
    imag.push(sumIm);
  }
  return { real, imag };
}

const signal = Array.from({ length: 128 }, (_, i) => Math.sin(i * 0.37) + ((i * 29) % 13) / 13 - 0.5);
const expected = naiveDft(signal);

describe('Fft', () => {
  test('transform matches the direct DFT', () => {
    const real = Float64Array.from(signal);
    const imag = new Float64Array(signal.length);
    new Fft(signal.length).transform(real, imag);
    for (let k = 0; k < signal.length; k++) {
      expect(real[k]).toBeCloseTo(expected.real[k] as number, 9);
      expect(imag[k]).toBeCloseTo(expected.imag[k] as number, 9);
    }
  });

  test('constructor rejects a size that is not a power of two', () => {
    expect(() => new Fft(100)).toThrow(RangeError);
  });
});

describe('RealFft', () => {
  test('transform matches the direct DFT on bins 0 to N/2', () => {
    const real = new Float64Array(signal.length / 2 + 1);
    const imag = new Float64Array(signal.length / 2 + 1);
    new RealFft(signal.length).transform(signal, real, imag);
    for (let k = 0; k <= signal.length / 2; k++) {
      expect(real[k]).toBeCloseTo(expected.real[k] as number, 9);
      expect(imag[k]).toBeCloseTo(expected.imag[k] as number, 9);
    }
  });
});

describe('hannWindow', () => {
  test('hannWindow is periodic: 0 at the start and 1 at the middle', () => {
    const window = hannWindow(8);
    expect(window[0]).toBe(0);
    expect(window[4]).toBeCloseTo(1, 12);
    expect(window[2]).toBeCloseTo(window[6] as number, 12);
  });
});
