/**
 * Choosing the input device: by the user's request, by the saved choice, or
 * automatically. The choice is saved as host API and name, never as an index,
 * because PortAudio renumbers devices whenever a USB or Bluetooth device comes
 * or goes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import { describeDevice, type InputDevice } from './device-list';

/** A device request as in the worker's `device` setting: a name (exact, then a case-insensitive part), an index, or null. */
export type DeviceRequest = string | number | null;

/** A saved device choice; stored as `{ "host_api": …, "name": … }`. */
export interface SavedDeviceChoice {
  hostApi: string;
  name: string;
}

/** Outcome of {@link selectDevice}; `reason` is one sentence for logs and state. */
export type DeviceSelection =
  | { device: InputDevice; by: 'name' | 'index' | 'saved' | 'loopback' | 'default'; reason: string }
  | { device: undefined; by: 'none'; reason: string };

/** Result of {@link loadDeviceChoice}: a choice, nothing, or an error to report. */
export interface LoadedDeviceChoice {
  choice?: SavedDeviceChoice;
  /** VJ_AUDIO_DEVICE_CHOICE_INVALID when the file exists but is unreadable or corrupt; the caller reports it and goes on. */
  error?: VjError;
}

/** File name of the saved choice inside VJ_HOME. */
export const DEVICE_CHOICE_FILE = 'audio-device.json';

/**
 * Selects an input device. A request picks by index, or by name: an exact
 * match first, then the first name containing the request in any case. An
 * unmatched request selects nothing, so the caller waits for that device
 * rather than capture another one. Without a request, the saved choice wins
 * when a device has its exact host API and name. Otherwise the first loopback
 * device is taken, else the default input, else nothing.
 *
 * @example
 * const selection = selectDevice(devices, 'blackhole', undefined);
 * if (selection.device === undefined) log.warn({ reason: selection.reason }, 'no audio input device');
 */
export function selectDevice(
  devices: readonly InputDevice[],
  request: DeviceRequest,
  saved: SavedDeviceChoice | undefined,
): DeviceSelection {
  if (typeof request === 'number') return selectByIndex(devices, request);
  if (typeof request === 'string' && request !== '') return selectByName(devices, request);

  if (saved !== undefined) {
    const device = devices.find((each) => each.name === saved.name && each.hostApi === saved.hostApi);
    if (device !== undefined) {
      return { device, by: 'saved', reason: `Input device ${describeDevice(device)} is the saved choice` };
    }
    const automatic = selectAutomatically(devices);
    const missing = `Saved input device "${saved.name}" (${saved.hostApi}) is not present`;
    return { ...automatic, reason: `${missing}; ${lowerFirst(automatic.reason)}` };
  }
  return selectAutomatically(devices);
}

/**
 * Reads the saved choice from `$VJ_HOME/audio-device.json`. A missing file
 * gives an empty result. A file that cannot be read or does not contain
 * `host_api` and `name` strings gives a VJ_AUDIO_DEVICE_CHOICE_INVALID error
 * in the result; this function never rejects.
 *
 * @example
 * const { choice, error } = await loadDeviceChoice(vjHome);
 * if (error) source.emit('error', error);
 */
export async function loadDeviceChoice(vjHome: string): Promise<LoadedDeviceChoice> {
  const path = join(vjHome, DEVICE_CHOICE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { error: choiceInvalid(path, `could not be read (${(error as Error).message})`, error) };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: choiceInvalid(path, 'is not valid JSON', error) };
  }
  const record = parsed as { host_api?: unknown; name?: unknown } | null;
  if (typeof record?.host_api !== 'string' || typeof record.name !== 'string' || record.name === '') {
    return { error: choiceInvalid(path, 'does not contain the strings "host_api" and "name"', undefined) };
  }
  return { choice: { hostApi: record.host_api, name: record.name } };
}

/**
 * Saves the choice to `$VJ_HOME/audio-device.json`, creating VJ_HOME when
 * needed. Writes a temporary file and renames it over the old one, so a
 * reader never sees half a file.
 *
 * Rejects with a VjError with code VJ_AUDIO_DEVICE_CHOICE_WRITE_FAILED.
 *
 * @example
 * await saveDeviceChoice(vjHome, { hostApi: device.hostApi, name: device.name });
 */
export async function saveDeviceChoice(vjHome: string, choice: SavedDeviceChoice): Promise<void> {
  const path = join(vjHome, DEVICE_CHOICE_FILE);
  const temporaryPath = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const text = `${JSON.stringify({ host_api: choice.hostApi, name: choice.name })}\n`;

  try {
    await mkdir(vjHome, { recursive: true });
    await writeFile(temporaryPath, text, 'utf8');
    await rename(temporaryPath, path);
  } catch (error) {
    await removeTemporaryFile(temporaryPath);
    throw new VjError(
      AudioErrorCodes.VJ_AUDIO_DEVICE_CHOICE_WRITE_FAILED,
      `Audio device choice could not be saved to ${path} (${(error as Error).message}); ` +
        'check that VJ_HOME is a writable folder',
      { shortMessage: 'audio device choice not saved', path, cause: error },
    );
  }
}

async function removeTemporaryFile(path: string): Promise<void> {
  try {
    await rm(path, { force: true });
  } catch (error) {
    // ENOTDIR: VJ_HOME is a file, so the temporary file was never created.
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
  }
}

function selectByIndex(devices: readonly InputDevice[], index: number): DeviceSelection {
  const device = devices.find((each) => each.id === index);
  if (device === undefined) {
    return {
      device: undefined,
      by: 'none',
      reason: `No input device has index ${index}; ${listNames(devices)}`,
    };
  }
  return { device, by: 'index', reason: `Input device ${describeDevice(device)} was requested by index` };
}

function selectByName(devices: readonly InputDevice[], name: string): DeviceSelection {
  const exact = devices.find((each) => each.name === name);
  if (exact !== undefined) {
    return {
      device: exact,
      by: 'name',
      reason: `Input device ${describeDevice(exact)} was requested by name`,
    };
  }

  const needle = name.toLowerCase();
  const partial = devices.filter((each) => each.name.toLowerCase().includes(needle));
  const [first] = partial;
  if (first === undefined) {
    return {
      device: undefined,
      by: 'none',
      reason: `No input device name contains "${name}"; ${listNames(devices)}`,
    };
  }
  const others = partial.length > 1 ? `, the first of ${partial.length} matches` : '';
  return {
    device: first,
    by: 'name',
    reason: `Input device ${describeDevice(first)} matches "${name}"${others}`,
  };
}

function selectAutomatically(devices: readonly InputDevice[]): DeviceSelection {
  const loopback = devices.find((each) => each.isLoopback);
  if (loopback !== undefined) {
    return {
      device: loopback,
      by: 'loopback',
      reason: `Input device ${describeDevice(loopback)} is a loopback device`,
    };
  }

  const defaultInput = devices.find((each) => each.isDefault);
  if (defaultInput !== undefined) {
    return {
      device: defaultInput,
      by: 'default',
      reason: `Input device ${describeDevice(defaultInput)} is the default input`,
    };
  }

  if (devices.length === 0) {
    return { device: undefined, by: 'none', reason: 'No audio input device was found' };
  }
  return { device: undefined, by: 'none', reason: `No default input device is set; ${listNames(devices)}` };
}

function listNames(devices: readonly InputDevice[]): string {
  if (devices.length === 0) return 'no input device was found';
  const names = devices.map((device) => `"${device.name}"`).join(', ');
  return `available inputs: ${names}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function choiceInvalid(path: string, problem: string, cause: unknown): VjError {
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_DEVICE_CHOICE_INVALID,
    `Saved audio device choice ${path} ${problem}, so it is ignored; select a device again or delete the file`,
    { shortMessage: 'saved audio device choice ignored', path, cause },
  );
}
