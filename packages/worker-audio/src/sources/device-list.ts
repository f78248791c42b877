/**
 * The input devices that PortAudio finds now. Each listing runs naudiodon in a
 * short child process (see device-child.ts for why), so it reflects devices
 * plugged in or removed since the worker started, even while a stream is open.
 */
import { runNaudiodonChild } from './device-child';
import {
  NAUDIODON_MODULE,
  type NaudiodonDevice,
  type NaudiodonHostApis,
  resolveNaudiodon,
} from './device-naudiodon';

/** An audio input device as PortAudio reports it. */
export interface InputDevice {
  /** PortAudio device index; valid only until the next rescan, so never persist it. */
  id: number;
  /** Device name, such as "MacBook Pro Microphone", "BlackHole 2ch" or an ALSA PCM name like "default". */
  name: string;
  /** Host API name, such as "Core Audio", "ALSA" or "Windows WASAPI". */
  hostApi: string;
  /** Maximum number of input channels; always at least 1, because devices without input are left out. */
  maxInputChannels: number;
  /** Default sample rate in Hz, truncated to an integer by naudiodon. */
  defaultSampleRate: number;
  /** True for the default input device of the default host API. */
  isDefault: boolean;
  /** True when the name looks like a loopback or monitor device that carries what the computer plays. */
  isLoopback: boolean;
}

/** Logger that the listing reports its summary to; a pino logger fits. */
export interface DeviceLog {
  debug(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link listInputDevices}. */
export interface DeviceListOptions {
  /** Module name or path of naudiodon (default "naudiodon"); tests name a missing one. */
  naudiodonModule?: string;
  /** Environment of the child process (default `process.env`); ALSA_CONFIG_PATH in it selects the ALSA configuration. */
  env?: NodeJS.ProcessEnv;
  /** Time after which the listing fails, in milliseconds (default 10000). */
  timeoutMs?: number;
  /** Receives one debug line with the number of stderr lines the scan produced, when there were any. */
  log?: DeviceLog;
}

/** Result of {@link listInputDevices}. */
export interface DeviceListing {
  /** Input devices in PortAudio's order. */
  devices: InputDevice[];
  /** Number of lines that PortAudio and ALSA wrote to stderr during the scan; they are not shown. */
  stderrLineCount: number;
  /** The first of those lines (at most 3), such as "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'". */
  stderrHead: string[];
}

/** Default of {@link DeviceListOptions.timeoutMs}. */
export const DEFAULT_LIST_TIMEOUT_MS = 10_000;

const LIST_SCRIPT = 'emit({ devices: naudiodon.getDevices(), hostApis: naudiodon.getHostAPIs() });';

// Names of virtual loopback drivers (macOS: BlackHole, Loopback, Soundflower;
// Windows: VB-Audio Cable, whose input is "CABLE Output", and "Stereo Mix")
// and of PulseAudio or PipeWire monitor sources, which are exposed as
// "Monitor of <sink>" descriptions or "<sink>.monitor" names.
const LOOPBACK_PATTERNS: readonly RegExp[] = [
  /\bblackhole\b/i,
  /\bloopback\b/i,
  /\bsoundflower\b/i,
  /\bvb-?(audio|cable)\b/i,
  /\bcable output\b/i,
  /\bstereo mix\b/i,
  /^monitor of\b/i,
  /\.monitor$/i,
];

/**
 * Lists the current audio input devices by running naudiodon's getDevices()
 * and getHostAPIs() in a child process. Every call rescans, at the cost of
 * starting Node with naudiodon (about 100–300 ms).
 *
 * Rejects with a VjError: VJ_AUDIO_DEVICE_NAUDIODON_MISSING when naudiodon is
 * not installed or not built, VJ_AUDIO_DEVICE_LIST_FAILED when the child
 * aborts (PortAudio asserts on an ALSA configuration without any PCM), crashes
 * or times out.
 *
 * @example
 * const { devices } = await listInputDevices({ log });
 * for (const device of devices) console.log(device.id, device.name, device.hostApi);
 */
export async function listInputDevices(options: DeviceListOptions = {}): Promise<DeviceListing> {
  const moduleName = options.naudiodonModule ?? NAUDIODON_MODULE;
  const naudiodonPath = resolveNaudiodon(moduleName);

  const result = await runNaudiodonChild(LIST_SCRIPT, [], {
    naudiodonPath,
    moduleName,
    env: options.env ?? process.env,
    timeoutMs: options.timeoutMs ?? DEFAULT_LIST_TIMEOUT_MS,
  });
  const { devices, hostApis } = result.value as { devices: NaudiodonDevice[]; hostApis: NaudiodonHostApis };

  if (result.stderrLineCount > 0) {
    options.log?.debug(
      { lines: result.stderrLineCount, first: result.stderrHead[0] },
      'audio device scan stderr suppressed',
    );
  }
  return {
    devices: toInputDevices(devices, hostApis),
    stderrLineCount: result.stderrLineCount,
    stderrHead: result.stderrHead,
  };
}

/**
 * Tells whether a device name looks like a loopback or monitor device:
 * BlackHole, Loopback, Soundflower, VB-Audio Cable ("CABLE Output"), Stereo
 * Mix, "Monitor of …" and "….monitor".
 *
 * @example
 * isLoopbackName('BlackHole 2ch'); // true
 * isLoopbackName('alsa_output.pci-0000_00_1f.3.analog-stereo.monitor'); // true
 */
export function isLoopbackName(name: string): boolean {
  return LOOPBACK_PATTERNS.some((pattern) => pattern.test(name));
}

/** Converts naudiodon's lists into input devices, leaving out devices without input channels. */
export function toInputDevices(
  devices: readonly NaudiodonDevice[],
  hostApis: NaudiodonHostApis,
): InputDevice[] {
  const defaultInputId = hostApis.HostAPIs[hostApis.defaultHostAPI]?.defaultInput;

  return devices
    .filter((device) => device.maxInputChannels > 0)
    .map((device) => ({
      id: device.id,
      name: device.name,
      hostApi: device.hostAPIName,
      maxInputChannels: device.maxInputChannels,
      defaultSampleRate: device.defaultSampleRate,
      isDefault: device.id === defaultInputId,
      isLoopback: isLoopbackName(device.name),
    }));
}

/** Formats a device for messages: `"BlackHole 2ch" (Core Audio, device 3)`. */
export function describeDevice(device: Pick<InputDevice, 'id' | 'name' | 'hostApi'>): string {
  return `"${device.name}" (${device.hostApi}, device ${device.id})`;
}
