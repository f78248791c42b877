/**
 * Short-time spectrum of the analysis window: Hann window, FFT, then the
 * one-sided power and amplitude spectra, reused every frame.
 */
import { hannWindow, RealFft } from './fft';

/**
 * Power and amplitude spectrum of the last `windowSize` samples.
 *
 * `power[k]` is scaled so that the sum over bins 0…N/2 is the mean square of
 * the signal (Parseval, corrected for the window's energy): a sine of
 * amplitude A sums to A²/2 over its bins. `amplitude[k]` is √power[k].
 * Both arrays have N/2 + 1 bins and are overwritten by each `compute`.
 */
export class Spectrum {
  readonly windowSize: number;
  readonly binCount: number;
  readonly binHz: number;
  readonly power: Float64Array;
  readonly amplitude: Float32Array;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly real: Float64Array;
  private readonly imag: Float64Array;
  private readonly powerScale: number;

  constructor(windowSize: number, sampleRate: number) {
    this.windowSize = windowSize;
    this.binCount = windowSize / 2 + 1;
    this.binHz = sampleRate / windowSize;
    this.power = new Float64Array(this.binCount);
    this.amplitude = new Float32Array(this.binCount);
    this.fft = new RealFft(windowSize);
    this.window = hannWindow(windowSize);
    this.real = new Float64Array(this.binCount);
    this.imag = new Float64Array(this.binCount);

    let windowEnergy = 0;
    for (let n = 0; n < windowSize; n++) {
      windowEnergy += (this.window[n] as number) ** 2;
    }
    // One-sided spectrum: bins 1…N/2−1 stand for their mirror images too, hence the factor 2.
    this.powerScale = 2 / (windowSize * windowEnergy);
  }

  /** Computes the spectrum of `samples`, which must contain exactly `windowSize` samples. */
  compute(samples: Float32Array): void {
    const { real, imag } = this;
    this.fft.transform(samples, real, imag, this.window);

    const { power, amplitude, powerScale } = this;
    const last = this.binCount - 1;
    for (let k = 0; k <= last; k++) {
      const re = real[k] as number;
      const im = imag[k] as number;
      const binPower = (re * re + im * im) * powerScale;
      power[k] = binPower;
      amplitude[k] = Math.sqrt(binPower);
    }
    // Bins 0 and N/2 have no mirror image, so they do not take the one-sided factor 2.
    power[0] = (power[0] as number) * 0.5;
    amplitude[0] = Math.sqrt(power[0] as number);
    power[last] = (power[last] as number) * 0.5;
    amplitude[last] = Math.sqrt(power[last] as number);
  }
}
