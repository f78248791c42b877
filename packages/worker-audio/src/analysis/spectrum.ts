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
  private readonly windowed: Float64Array;
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
    this.windowed = new Float64Array(windowSize);
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
    const { real, imag, window, windowed, windowSize } = this;
    for (let n = 0; n < windowSize; n++) {
      windowed[n] = (samples[n] as number) * (window[n] as number);
    }
    this.fft.transform(windowed, real, imag);

    const last = this.binCount - 1;
    for (let k = 0; k <= last; k++) {
      const re = real[k] as number;
      const im = imag[k] as number;
      const edgeFactor = k === 0 || k === last ? 0.5 : 1;
      const power = (re * re + im * im) * this.powerScale * edgeFactor;
      this.power[k] = power;
      this.amplitude[k] = Math.sqrt(power);
    }
  }
}
