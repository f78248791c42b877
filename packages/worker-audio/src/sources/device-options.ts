/**
 * Options of the device source: the public partial type, the resolved type,
 * and the one place where defaults merge and values are checked.
 */
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import type { DeviceLog } from './device-list';
import { NAUDIODON_MODULE } from './device-naudiodon';
import type { DeviceRequest } from './device-select';

/** Sample format to request: `auto` tries float32, then int16 converted to float. */
export type DeviceSampleFormat = 'auto' | 'float32' | 'int16';

/** Settings of a {@link DeviceSource} after defaults are applied. */
export interface ResolvedDeviceSourceOptions {
  /** Device by name or index; null for the saved choice, else a loopback device, else the default input. */
  device: DeviceRequest;
  /** Folder of `audio-device.json`; null to neither read nor save a choice. */
  vjHome: string | null;
  /** Channels to capture, 1–64; null for min(2, the device's maximum). */
  channels: number | null;
  /** Sample rate in Hz, 8000–384000; null for the device's default rate. */
  sampleRate: number | null;
  sampleFormat: DeviceSampleFormat;
  /** Frames per PortAudio buffer and per block, 16–8192 (default 512). */
  framesPerBuffer: number;
  /** Silence after the first block that counts as a lost device, in milliseconds (default 1000). */
  stallTimeoutMs: number;
  /** Time the first block may take after opening, in milliseconds (default 5000, because ALSA's pulse plugin needs up to about 2 s to start). */
  startTimeoutMs: number;
  /** First delay before reopening, in milliseconds; it doubles after each failure (default 500). */
  retryInitialMs: number;
  /** Maximum delay before reopening, in milliseconds (default 10000). */
  retryMaxMs: number;
  /** Time a device scan in a child process may take, in milliseconds (default 10000). */
  scanTimeoutMs: number;
  /** Module name or path of naudiodon (default "naudiodon"). */
  naudiodonModule: string;
  /** Environment of the scan processes (default `process.env`); the stream itself uses this process's environment. */
  env: NodeJS.ProcessEnv;
  /** Receives a debug line per scan that wrote to stderr. */
  log: DeviceLog | undefined;
}

/** Options of a {@link DeviceSource}; every field has a default. */
export type DeviceSourceOptions = Partial<ResolvedDeviceSourceOptions>;

const DEFAULTS: Omit<ResolvedDeviceSourceOptions, 'env'> = {
  device: null,
  vjHome: null,
  channels: null,
  sampleRate: null,
  sampleFormat: 'auto',
  framesPerBuffer: 512,
  stallTimeoutMs: 1000,
  startTimeoutMs: 5000,
  retryInitialMs: 500,
  retryMaxMs: 10_000,
  scanTimeoutMs: 10_000,
  naudiodonModule: NAUDIODON_MODULE,
  log: undefined,
};

/**
 * Merges `options` with the defaults, checks them and freezes the result.
 *
 * Throws a VjError with code VJ_AUDIO_DEVICE_INVALID_OPTIONS naming the first
 * invalid option.
 *
 * @example
 * const resolved = resolveDeviceSourceOptions({ device: 'BlackHole', framesPerBuffer: 256 });
 */
export function resolveDeviceSourceOptions(
  options: DeviceSourceOptions = {},
): Readonly<ResolvedDeviceSourceOptions> {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved: ResolvedDeviceSourceOptions = { ...DEFAULTS, env: process.env, ...defined };

  const { device } = resolved;
  if (typeof device === 'number' && !(Number.isInteger(device) && device >= 0)) {
    throw invalidOption('device', 'a name, an index of 0 or more, or null', device);
  }
  checkIntegerOrNull('channels', resolved.channels, 1, 64);
  checkIntegerOrNull('sampleRate', resolved.sampleRate, 8000, 384_000);
  if (!['auto', 'float32', 'int16'].includes(resolved.sampleFormat)) {
    throw invalidOption('sampleFormat', '"auto", "float32" or "int16"', resolved.sampleFormat);
  }
  checkIntegerOrNull('framesPerBuffer', resolved.framesPerBuffer, 16, 8192);
  checkIntegerOrNull('stallTimeoutMs', resolved.stallTimeoutMs, 50, 600_000);
  checkIntegerOrNull('startTimeoutMs', resolved.startTimeoutMs, 50, 600_000);
  checkIntegerOrNull('retryInitialMs', resolved.retryInitialMs, 1, 600_000);
  checkIntegerOrNull('retryMaxMs', resolved.retryMaxMs, resolved.retryInitialMs, 600_000);
  checkIntegerOrNull('scanTimeoutMs', resolved.scanTimeoutMs, 100, 600_000);
  return Object.freeze(resolved);
}

function checkIntegerOrNull(name: string, value: number | null, min: number, max: number): void {
  if (value === null) return;
  if (Number.isInteger(value) && value >= min && value <= max) return;
  throw invalidOption(name, `an integer from ${min} to ${max}`, value);
}

function invalidOption(name: string, expected: string, received: unknown): VjError {
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_DEVICE_INVALID_OPTIONS,
    `Device source option ${name} must be ${expected}, but received ${JSON.stringify(received)}`,
    { shortMessage: `invalid device option ${name}`, option: name, received },
  );
}
