import { BandNames } from '@vj/bus';
import { DEFAULT_ANALYSIS_CONFIG } from '../../src/analysis/config';
import { logSpacedRanges, SpectralBank } from '../../src/analysis/spectral-bank';
import { Spectrum } from '../../src/analysis/spectrum';

function spectrumOfSine(
  frequencyHz: number,
  amplitude: number,
  windowSize: number,
  sampleRate: number,
): Spectrum {
  const spectrum = new Spectrum(windowSize, sampleRate);
  const samples = new Float32Array(windowSize);
  for (let n = 0; n < windowSize; n++) {
    samples[n] = amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / sampleRate + 0.3);
  }
  spectrum.compute(samples);
  return spectrum;
}

describe.each([44100, 48000])('band bank at %i Hz', (sampleRate) => {
  test.each(BandNames.map((name, index) => [name, index] as const))(
    'sine at the centre of %s lands mostly in that band',
    (_name, index) => {
      const [lowHz, highHz] = DEFAULT_ANALYSIS_CONFIG.bandEdgesHz[index] as readonly [number, number];
      const spectrum = spectrumOfSine(Math.sqrt(lowHz * highHz), 0.5, 1024, sampleRate);
      const bank = new SpectralBank(
        DEFAULT_ANALYSIS_CONFIG.bandEdgesHz,
        spectrum.binHz,
        spectrum.binCount,
        false,
      );
      const bandPower = new Float64Array(7);
      bank.apply(spectrum.power, bandPower);
      const total = bandPower.reduce((sum, value) => sum + value, 0);

      // The sub-bass band (20–60 Hz) spans about one bin of a 1024-sample window, so part of its sine leaks into bass.
      expect((bandPower[index] as number) / total).toBeGreaterThan(0.6);
      expect(Math.max(...bandPower)).toBe(bandPower[index]);
    },
  );
});

describe('Spectrum', () => {
  test('power of a sine sums to its mean square', () => {
    const spectrum = spectrumOfSine(1000, 0.5, 1024, 44100);
    const total = spectrum.power.reduce((sum, value) => sum + value, 0);
    expect(total).toBeCloseTo(0.125, 3);
  });
});

describe('log spectrum bank', () => {
  test('bins narrower than an FFT bin interpolate instead of reading 0', () => {
    const spectrum = new Spectrum(1024, 44100);
    spectrum.power.fill(1);
    const bank = new SpectralBank(logSpacedRanges(32, 20, 20000), spectrum.binHz, spectrum.binCount, true);
    const out = new Float64Array(32);
    bank.apply(spectrum.power, out);
    for (const value of out) {
      expect(value).toBeCloseTo(1, 9);
    }
  });

  test('logSpacedRanges spans 20 Hz to the upper limit with a constant ratio', () => {
    const ranges = logSpacedRanges(32, 20, 20000);
    expect(ranges[0]?.[0]).toBeCloseTo(20, 9);
    expect(ranges[31]?.[1]).toBeCloseTo(20000, 6);
    const ratio = (ranges[0]?.[1] as number) / (ranges[0]?.[0] as number);
    expect((ranges[20]?.[1] as number) / (ranges[20]?.[0] as number)).toBeCloseTo(ratio, 9);
  });
});
