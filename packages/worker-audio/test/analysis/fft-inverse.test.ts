import { RealFft } from '../../src/analysis/fft';

const SIZE = 256;
const signal = Float64Array.from({ length: SIZE }, (_, i) => Math.cos(i * 0.21) + ((i * 17) % 11) / 11 - 0.5);

describe('RealFft inverse', () => {
  test('inverse of transform returns the signal', () => {
    const fft = new RealFft(SIZE);
    const real = new Float64Array(SIZE / 2 + 1);
    const imag = new Float64Array(SIZE / 2 + 1);
    const output = new Float64Array(SIZE);
    fft.transform(signal, real, imag);
    fft.inverse(real, imag, output);
    for (let n = 0; n < SIZE; n++) {
      expect(output[n]).toBeCloseTo(signal[n] as number, 12);
    }
  });

  test('inverse of one bin is a cosine at that frequency', () => {
    const fft = new RealFft(SIZE);
    const real = new Float64Array(SIZE / 2 + 1);
    const imag = new Float64Array(SIZE / 2 + 1);
    const output = new Float64Array(SIZE);
    // Bin 5 and its mirror image at SIZE − 5 each contribute half of the amplitude.
    real[5] = SIZE / 2;
    fft.inverse(real, imag, output);
    for (let n = 0; n < SIZE; n++) {
      expect(output[n]).toBeCloseTo(Math.cos((2 * Math.PI * 5 * n) / SIZE), 12);
    }
  });

  test('inverse ignores the imaginary parts of bins 0 and size/2', () => {
    const fft = new RealFft(SIZE);
    const real = new Float64Array(SIZE / 2 + 1);
    const imag = new Float64Array(SIZE / 2 + 1);
    const output = new Float64Array(SIZE);
    real[0] = SIZE;
    imag[0] = 7;
    imag[SIZE / 2] = -3;
    fft.inverse(real, imag, output);
    for (let n = 0; n < SIZE; n++) {
      expect(output[n]).toBeCloseTo(1, 12);
    }
  });
});

describe('RealFft inverse output length', () => {
  test('inverse writes only the first output.length samples', () => {
    const fft = new RealFft(SIZE);
    const real = new Float64Array(SIZE / 2 + 1);
    const imag = new Float64Array(SIZE / 2 + 1);
    const full = new Float64Array(SIZE);
    const start = new Float64Array(37);
    fft.transform(signal, real, imag);
    fft.inverse(real, imag, full);
    fft.inverse(real, imag, start);
    for (let n = 0; n < start.length; n++) {
      expect(start[n]).toBe(full[n]);
    }
  });
});
