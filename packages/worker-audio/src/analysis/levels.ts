/**
 * Level features of one frame: the 7 bands with their hits and presence
 * envelopes, the overall RMS and the 32-bin log spectrum, each normalised by
 * an adaptive peak, compressed and smoothed.
 */
import { HitsEnvelope, PresenceEnvelope } from './envelopes';
import { type NormalizerSettings, PeakNormalizer } from './normalizer';
import { logSpacedRanges, SpectralBank } from './spectral-bank';
import { signalRms } from './spectral-shape';
import type { Spectrum } from './spectrum';
import type { AnalysisConfig } from './types';

/** Bins of the log spectrum, from 20 Hz to min(20 kHz, Nyquist). */
export const SPECTRUM_BINS = 32;
/** A band's adaptive peak stays within 40 dB of the loudest band's peak (see PeakNormalizer). */
const BAND_RELATIVE_FLOOR = 0.01;
const BAND_COUNT = 7;

/** Band, RMS and log-spectrum levels. Each `process` overwrites the arrays it exposes. */
export class LevelTracker {
  /** Power of each band before gain: its mean-square contribution in full-scale units. */
  readonly bandPower = new Float64Array(BAND_COUNT);
  readonly bands: PeakNormalizer;
  readonly rms: PeakNormalizer;
  readonly spectrum: PeakNormalizer;
  readonly hits: HitsEnvelope;
  readonly presence: PresenceEnvelope;
  private readonly bandLevels = new Float64Array(BAND_COUNT);
  private readonly rmsLevel = new Float64Array(1);
  private readonly logLevels = new Float64Array(SPECTRUM_BINS);
  private readonly binHz: number;
  private readonly binCount: number;
  private config: Readonly<AnalysisConfig>;
  private bandBank: SpectralBank;
  private readonly logBank: SpectralBank;

  constructor(config: Readonly<AnalysisConfig>, spectrum: Spectrum) {
    this.config = config;
    this.binHz = spectrum.binHz;
    this.binCount = spectrum.binCount;
    const hopS = config.hopSize / config.sampleRate;
    this.bands = new PeakNormalizer(BAND_COUNT, false, normalizerSettings(config, BAND_RELATIVE_FLOOR));
    this.rms = new PeakNormalizer(1, false, normalizerSettings(config, 0));
    this.spectrum = new PeakNormalizer(SPECTRUM_BINS, true, normalizerSettings(config, 0));
    this.hits = new HitsEnvelope(BAND_COUNT, hopS, config.hitsReleaseS);
    this.presence = new PresenceEnvelope(BAND_COUNT, hopS, config.presenceTimeS);
    this.bandBank = new SpectralBank(config.bandEdgesHz, this.binHz, this.binCount, false);
    const highHz = Math.min(20000, config.sampleRate / 2);
    this.logBank = new SpectralBank(
      logSpacedRanges(SPECTRUM_BINS, 20, highHz),
      this.binHz,
      this.binCount,
      true,
    );
  }

  /** Applies new settings and keeps the peaks and envelopes. */
  configure(config: Readonly<AnalysisConfig>): void {
    const hopS = config.hopSize / config.sampleRate;
    if (config.bandEdgesHz !== this.config.bandEdgesHz) {
      this.bandBank = new SpectralBank(config.bandEdgesHz, this.binHz, this.binCount, false);
    }
    this.config = config;
    this.bands.configure(normalizerSettings(config, BAND_RELATIVE_FLOOR));
    this.rms.configure(normalizerSettings(config, 0));
    this.spectrum.configure(normalizerSettings(config, 0));
    this.hits.configure(hopS, config.hitsReleaseS);
    this.presence.configure(hopS, config.presenceTimeS);
  }

  reset(): void {
    this.bands.reset();
    this.rms.reset();
    this.spectrum.reset();
    this.hits.reset();
    this.presence.reset();
  }

  /**
   * Updates every level from `spectrum` and the analysis `window`, and the log
   * spectrum only when it is enabled. `gated` frames count as silence.
   */
  process(spectrum: Spectrum, window: Float32Array, gated: boolean): void {
    const { bandGains, features } = this.config;
    this.bandBank.apply(spectrum.power, this.bandPower);
    for (let band = 0; band < BAND_COUNT; band++) {
      this.bandLevels[band] = Math.sqrt(this.bandPower[band] as number) * (bandGains[band] as number);
    }
    this.bands.process(this.bandLevels, gated);
    this.hits.process(this.bands.instant);
    this.presence.process(this.bands.instant);
    this.rmsLevel[0] = signalRms(window);
    this.rms.process(this.rmsLevel, gated);

    if (features.spectrum) {
      this.logBank.apply(spectrum.power, this.logLevels);
      for (let bin = 0; bin < SPECTRUM_BINS; bin++) {
        this.logLevels[bin] = Math.sqrt(this.logLevels[bin] as number);
      }
      this.spectrum.process(this.logLevels, gated);
    }
  }
}

function normalizerSettings(config: Readonly<AnalysisConfig>, relativeFloor: number): NormalizerSettings {
  return {
    hopS: config.hopSize / config.sampleRate,
    releaseS: config.normalizationReleaseS,
    // The peak never falls below the noise gate, so a signal just above the gate is not pumped to full scale.
    floor: 10 ** (config.noiseGateDbfs / 20),
    relativeFloor,
    compression: config.compression,
    smoothing: config.smoothing,
  };
}
