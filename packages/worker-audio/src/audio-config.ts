/**
 * Settings of the audio analyser worker: defaults, the check of each
 * `set_config` key, and which keys apply at once and which reopen the input.
 */
import { BandEdgesHz, BandNames } from '@vj/bus';
import { checkOscTarget, type OscTarget } from './output/osc-sender';
import type { SourceKind } from './sources/source';

/** Switches of the analysis features; a feature switched off reads 0. */
export interface FeatureSwitches extends Record<string, boolean> {
  spectrum: boolean;
  onset: boolean;
  bpm: boolean;
  pitch: boolean;
  loudness: boolean;
  structure: boolean;
  chroma: boolean;
}

/** Settings that set_config may change at run time. Keys are snake_case, as on the wire. */
export interface AudioConfig extends Record<string, unknown> {
  /** Input: `auto` takes a device when one exists, else the demo loop. */
  source: 'auto' | SourceKind;
  /** Input device by name (exact, then a case-insensitive part) or index; null for the saved choice or the default. */
  device: string | number | null;
  /** Audio file for the `file` source. */
  file: string | null;
  /** Plays the file again from the start when it ends. */
  loop: boolean;
  /** `realtime` plays the file at the pace of the audio; `fast` analyses it as fast as possible. */
  pace: 'realtime' | 'fast';
  /** Sample format of raw PCM on stdin. */
  stdin_format: 'f32le' | 's16le';
  /** Sample rate in Hz of raw PCM on stdin. */
  stdin_rate: number;
  /** Channels of raw PCM on stdin. */
  stdin_channels: number;
  /** Tempo in BPM of the demo loop. */
  demo_bpm: number;
  /** Device sample rate in Hz; null takes the device's default rate. */
  sample_rate: number | null;
  /** Analysis window in samples, a power of two from 256 to 8192. */
  window_size: number;
  /** Samples between analysis frames, 64 up to the window size. */
  hop_size: number;
  /** Smoothing of levels and spectrum 0–0.99. */
  smoothing: number;
  /** Compression exponent 0.1–1 of normalised levels. */
  compression: number;
  /** Linear gain of each of the 7 bands, 0–16. */
  band_gains: number[];
  /** Band edges in Hz, 7 pairs [low, high]. */
  band_edges: Array<[number, number]>;
  /** Noise gate in dBFS, -120 to 0. */
  noise_gate_dbfs: number;
  /** Lowest and highest tempo in BPM that the tracker may report, 30–300. */
  bpm_range: [number, number];
  /** Once the tempo is locked, a jump of more than 3 % is accepted only after it has held for a while. */
  tempo_lock: boolean;
  /** Seconds the tempo is held through a break before it reads as no estimate, 1–60. */
  tempo_hold_s: number;
  /** Features to compute; set_config may name only some of them. */
  features: FeatureSwitches;
  /** OSC destinations. */
  osc_targets: OscTarget[];
  /** Sends each frame as one OSC bundle instead of one datagram per address. */
  osc_bundle: boolean;
  /** Rate of `audio.features` in frames per second, 1–120. */
  telemetry_hz: number;
  /** Blocks older than this when their turn comes are skipped, so the output stays live (milliseconds, 20–5000). */
  max_latency_ms: number;
}

export const DEFAULT_AUDIO_CONFIG: AudioConfig = {
  source: 'auto',
  device: null,
  file: null,
  loop: true,
  pace: 'realtime',
  stdin_format: 'f32le',
  stdin_rate: 48000,
  stdin_channels: 2,
  demo_bpm: 128,
  sample_rate: null,
  window_size: 1024,
  hop_size: 512,
  smoothing: 0.5,
  compression: 0.6,
  band_gains: [1, 1, 1, 1, 1, 1, 1],
  band_edges: BandNames.map((name) => [...BandEdgesHz[name]] as [number, number]),
  noise_gate_dbfs: -60,
  bpm_range: [60, 200],
  tempo_lock: true,
  tempo_hold_s: 10,
  features: {
    spectrum: true,
    onset: true,
    bpm: true,
    pitch: true,
    loudness: true,
    structure: true,
    chroma: true,
  },
  osc_targets: [
    { host: '127.0.0.1', port: 9000 },
    { host: '127.0.0.1', port: 9001 },
  ],
  osc_bundle: false,
  telemetry_hz: 30,
  max_latency_ms: 250,
};

/** Keys whose change needs the input to be reopened. */
export const REOPEN_KEYS: ReadonlySet<string> = new Set([
  'source',
  'device',
  'file',
  'loop',
  'pace',
  'stdin_format',
  'stdin_rate',
  'stdin_channels',
  'demo_bpm',
  'sample_rate',
  'window_size',
  'hop_size',
]);

const SOURCES = ['auto', 'device', 'file', 'stdin', 'demo'];

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return isNumberIn(value, min, max) && Number.isInteger(value);
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * Checks one configuration value; returns true or the reason it is invalid,
 * naming the value and the accepted range. Cross-key rules (hop not above
 * the window) are checked by `checkAudioConfig`.
 */
export function checkAudioConfigKey(key: string, value: unknown): true | string {
  switch (key) {
    case 'source':
      return (
        SOURCES.includes(value as string) || `expected one of ${SOURCES.join(', ')}, received ${show(value)}`
      );
    case 'device':
      return (
        value === null ||
        (typeof value === 'string' && value.length > 0) ||
        isIntegerIn(value, 0, 1023) ||
        `expected a device name, a device index or null, received ${show(value)}`
      );
    case 'file':
      return (
        value === null ||
        (typeof value === 'string' && value.length > 0) ||
        `expected a file path or null, received ${show(value)}`
      );
    case 'loop':
    case 'osc_bundle':
    case 'tempo_lock':
      return typeof value === 'boolean' || `expected true or false, received ${show(value)}`;
    case 'pace':
      return (
        value === 'realtime' || value === 'fast' || `expected "realtime" or "fast", received ${show(value)}`
      );
    case 'stdin_format':
      return value === 'f32le' || value === 's16le' || `expected "f32le" or "s16le", received ${show(value)}`;
    case 'stdin_rate':
      return (
        isIntegerIn(value, 8000, 384000) ||
        `expected a sample rate in Hz from 8000 to 384000, received ${show(value)}`
      );
    case 'stdin_channels':
      return isIntegerIn(value, 1, 32) || `expected 1 to 32 channels, received ${show(value)}`;
    case 'demo_bpm':
      return isNumberIn(value, 40, 240) || `expected a tempo in BPM from 40 to 240, received ${show(value)}`;
    case 'sample_rate':
      return (
        value === null ||
        isIntegerIn(value, 8000, 384000) ||
        `expected a sample rate in Hz from 8000 to 384000 or null, received ${show(value)}`
      );
    case 'window_size':
      return (
        (isIntegerIn(value, 256, 8192) && (value & (value - 1)) === 0) ||
        `expected a power of two from 256 to 8192 samples, received ${show(value)}`
      );
    case 'hop_size':
      return isIntegerIn(value, 64, 8192) || `expected 64 to 8192 samples, received ${show(value)}`;
    case 'smoothing':
      return isNumberIn(value, 0, 0.99) || `expected a number from 0 to 0.99, received ${show(value)}`;
    case 'compression':
      return isNumberIn(value, 0.1, 1) || `expected an exponent from 0.1 to 1, received ${show(value)}`;
    case 'band_gains':
      return (
        (Array.isArray(value) && value.length === 7 && value.every((gain) => isNumberIn(gain, 0, 16))) ||
        `expected 7 gains from 0 to 16, one per band, received ${show(value)}`
      );
    case 'band_edges':
      return checkBandEdges(value);
    case 'noise_gate_dbfs':
      return isNumberIn(value, -120, 0) || `expected a level in dBFS from -120 to 0, received ${show(value)}`;
    case 'tempo_hold_s':
      return isNumberIn(value, 1, 60) || `expected 1 to 60 seconds, received ${show(value)}`;
    case 'bpm_range':
      return (
        (Array.isArray(value) &&
          value.length === 2 &&
          isNumberIn(value[0], 30, 300) &&
          isNumberIn(value[1], 30, 300) &&
          value[0] < value[1]) ||
        `expected [min_bpm, max_bpm] with 30 <= min < max <= 300, received ${show(value)}`
      );
    case 'features':
      return checkFeatures(value);
    case 'osc_targets':
      return checkTargets(value);
    case 'telemetry_hz':
      return isNumberIn(value, 1, 120) || `expected 1 to 120 frames per second, received ${show(value)}`;
    case 'max_latency_ms':
      return isNumberIn(value, 20, 5000) || `expected 20 to 5000 milliseconds, received ${show(value)}`;
    default:
      return `unknown key; known keys: ${Object.keys(DEFAULT_AUDIO_CONFIG).join(', ')}`;
  }
}

function checkBandEdges(value: unknown): true | string {
  if (!Array.isArray(value) || value.length !== 7) {
    return `expected 7 pairs [low_hz, high_hz], one per band (${BandNames.join(', ')}), received ${show(value)}`;
  }
  for (const [index, pair] of value.entries()) {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      !isNumberIn(pair[0], 1, 96000) ||
      !isNumberIn(pair[1], 1, 96000) ||
      pair[0] >= pair[1]
    ) {
      return `band ${BandNames[index]} needs [low_hz, high_hz] with 1 <= low < high <= 96000, received ${show(pair)}`;
    }
  }
  return true;
}

function checkFeatures(value: unknown): true | string {
  const names = Object.keys(DEFAULT_AUDIO_CONFIG.features);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected an object of true/false switches (${names.join(', ')}), received ${show(value)}`;
  }
  for (const [name, enabled] of Object.entries(value)) {
    if (!names.includes(name)) return `unknown feature ${show(name)}; known features: ${names.join(', ')}`;
    if (typeof enabled !== 'boolean')
      return `feature ${name} must be true or false, received ${show(enabled)}`;
  }
  return true;
}

function checkTargets(value: unknown): true | string {
  if (!Array.isArray(value) || value.length > 16)
    return `expected a list of up to 16 targets, received ${show(value)}`;
  for (const [index, target] of value.entries()) {
    const verdict = checkOscTarget(target);
    if (verdict !== true) return `target ${index}: ${verdict}`;
  }
  return true;
}

/**
 * Checks a whole configuration, each key and the rules between keys; returns
 * the problems found, empty when it is valid.
 */
export function checkAudioConfig(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const features = config.features as Record<string, unknown> | undefined;
  if (typeof features === 'object' && features !== null) {
    const missing = Object.keys(DEFAULT_AUDIO_CONFIG.features).filter((name) => !(name in features));
    if (missing.length > 0) problems.push(`features: missing switches ${missing.join(', ')}`);
  }
  for (const [key, value] of Object.entries(config)) {
    const verdict = checkAudioConfigKey(key, value);
    if (verdict !== true) problems.push(`${key}: ${verdict}`);
  }
  const window = config.window_size as number;
  const hop = config.hop_size as number;
  if (typeof window === 'number' && typeof hop === 'number' && hop > window) {
    problems.push(`hop_size: ${hop} is larger than window_size ${window}; use a hop up to the window size`);
  }
  if (config.source === 'file' && (config.file === null || config.file === undefined)) {
    problems.push('file: the file source needs a file path; set file or choose another source');
  }
  return problems;
}
