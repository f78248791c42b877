/**
 * The contract between the analyser and its outputs (OSC, telemetry, the
 * offline `vj-audio analyze`). The analyser takes mono hops and returns one
 * FrameFeatures per hop. Every field is a plain number, boolean or string, so
 * an output can send it without further work.
 */
import type { RhythmOverride } from '../rhythm/types';

/** Settings of the analysis; every field has a default in `DEFAULT_ANALYSIS_CONFIG`. */
export interface AnalysisConfig {
  /** Sample rate in Hz of the mono input. */
  sampleRate: number;
  /** Window length in samples, a power of two from 256 to 8192 (default 1024). */
  windowSize: number;
  /** Hop length in samples: one frame of features per hop (default 512). */
  hopSize: number;
  /** Band edges in Hz, 7 pairs in the order of BandNames. */
  bandEdgesHz: ReadonlyArray<readonly [number, number]>;
  /** Linear gain per band applied before normalisation, 7 values (default 1). */
  bandGains: readonly number[];
  /** Smoothing 0–1 of band levels and spectrum: 0 follows every frame, 0.9 is very slow (default 0.5). */
  smoothing: number;
  /** Compression exponent 0.1–1 applied to normalised levels: below 1 lifts quiet parts (default 0.6). */
  compression: number;
  /** Noise gate in dBFS: below it the input counts as silence and adaptive normalisation does not rise (default -60). */
  noiseGateDbfs: number;
  /** Release time in seconds of the adaptive peak that normalises each band (default 10). */
  normalizationReleaseS: number;
  /** Release time in seconds of the fast "hits" envelope (default 0.1). */
  hitsReleaseS: number;
  /** Time constant in seconds of the slow "presence" envelope (default 2). */
  presenceTimeS: number;
  /** Lowest and highest tempo in BPM that the tempo estimate may return (default 60–200). */
  bpmRange: readonly [number, number];
  /** Lock mode of the tempo: once locked, a jump of more than 3 % is accepted only after it has held (default true). */
  tempoLock: boolean;
  /** Seconds a tempo is held through a break in the rhythm before it reads as no estimate (default 10). */
  tempoHoldS: number;
  /** Lowest and highest pitch in Hz that the pitch detector looks for (default 50–2000). */
  pitchRangeHz: readonly [number, number];
  /** Features to compute; the others read 0 (loudness reads -120 LUFS). Bands, RMS, centroid, rolloff, flatness and the input level are always computed. */
  features: {
    spectrum: boolean;
    onset: boolean;
    bpm: boolean;
    pitch: boolean;
    loudness: boolean;
    structure: boolean;
    chroma: boolean;
  };
}

/** Input diagnostics: what a person checks first when nothing moves. */
export type InputLevelStatus = 'silent' | 'signal' | 'clipping';

/** One frame of features, computed for each hop. */
export interface FrameFeatures {
  /** Index of the frame since the analyser was created or reset. */
  frame: number;
  /** Time of the frame's last sample in seconds since the first sample. */
  timeS: number;
  /** 7 band levels 0–1 after gain, adaptive normalisation, compression and smoothing. */
  bands: number[];
  /** 7 fast envelopes 0–1 (instant attack, short release). */
  hits: number[];
  /** 7 slow envelopes 0–1 (seconds). */
  presence: number[];
  /** Overall RMS 0–1 of the mono mix, normalised like the bands. */
  rms: number;
  /** 32 bins 0–1 on a logarithmic frequency axis from 20 Hz to 20 kHz (or Nyquist). */
  spectrum: number[];
  /** Spectral centroid in Hz. */
  centroidHz: number;
  /** Brightness 0–1: the centroid on a logarithmic axis from 20 Hz to Nyquist. */
  brightness: number;
  /** Spectral flux 0–1 (normalised by its recent peak). */
  flux: number;
  /** Spectral rolloff (85 %) in Hz. */
  rolloffHz: number;
  /** Spectral flatness 0–1. */
  flatness: number;
  /** 12 chroma values 0–1, C first. */
  chroma: number[];
  /** True when an onset was detected in this frame. */
  isOnset: boolean;
  /** Tempo in BPM from the rhythm tracker, 0 when there is no estimate. */
  bpm: number;
  /** Confidence 0–1 of the tempo estimate, 0 when there is no estimate. */
  bpmConfidence: number;
  /** Best alternative octave of `bpm` (double or half) in BPM, 0 when there is none. */
  bpmAlt: number;
  /** Confidence 0–1 of `bpmAlt`. */
  bpmAltConfidence: number;
  /** True when a tracked beat falls in this frame: the beat clock, which also ticks through masked onsets. */
  isBeat: boolean;
  /** Beat phase 0–1: 0 on the beat, rising linearly to the next; 0 while there is no tempo. */
  beatPhase: number;
  /** Position of the current beat in a 4-beat bar, 1–4 (1 is the downbeat); 0 while there is no tempo. */
  barBeat: number;
  /** True when beat 1 comes from downbeat detection or a resync, false while the bar counts from the first beat. */
  downbeatKnown: boolean;
  /** The performer's override of the beat tracking in force, `none` when it runs on its own. */
  beatOverride: RhythmOverride;
  /** True in the frame where the onset check of the last beat ended, up to about 50 ms after that beat. */
  beatChecked: boolean;
  /** True when the checked beat had no onset, so only the beat clock placed it; false when `beatChecked` is false. */
  beatPredicted: boolean;
  /** Frame index of the checked beat, −1 when `beatChecked` is false. */
  checkedBeatFrame: number;
  /** Time in seconds of the checked beat, −1 when `beatChecked` is false. */
  checkedBeatTimeS: number;
  /** Bar position 1–4 of the checked beat, 0 when `beatChecked` is false. */
  checkedBarBeat: number;
  /** Fundamental frequency in Hz, 0 when unvoiced. */
  pitchHz: number;
  /** Confidence 0–1 of the pitch estimate, 0 when unvoiced. */
  pitchConfidence: number;
  /** Momentary loudness (400 ms, K-weighted, ITU-R BS.1770) in LUFS; -Infinity is reported as -120. */
  loudnessMomentaryLufs: number;
  /** Short-term loudness (3 s) in LUFS, -120 when silent. */
  loudnessShortTermLufs: number;
  /** True while energy is rising steadily (a build-up). */
  isBuildup: boolean;
  /** True for the frames just after a drop: a sudden rise in low-end energy after a build-up or a break. */
  isDrop: boolean;
  /** Energy trend -1…1 over the last seconds: negative falling, positive rising. */
  energyTrend: number;
  /** Input peak level of the hop in dBFS (-120 for digital silence), before any gain. */
  inputPeakDbfs: number;
  /** Input RMS level of the hop in dBFS (-120 for digital silence), before any gain. */
  inputRmsDbfs: number;
  /** Input diagnostics: silent (hop RMS below the noise gate), signal, or clipping (any |sample| ≥ 0.999, about -0.01 dBFS). */
  inputStatus: InputLevelStatus;
}
