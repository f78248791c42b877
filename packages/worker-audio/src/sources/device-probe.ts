/**
 * Trying stream parameters on a device in a child process before the worker
 * opens it. naudiodon 2.3.6 leaves PortAudio initialised after any failed
 * AudioIO (a format the device rejects, a stream that cannot open), which
 * freezes the device list of that process. Letting a child find the sample
 * format that works keeps those failures out of the worker.
 */
import { runNaudiodonChild } from './device-child';
import { type InputDevice, toInputDevices } from './device-list';
import type { NaudiodonDevice, NaudiodonHostApis } from './device-naudiodon';

/** Sample format of captured samples: naudiodon's code 1 (float32) or 16 (int16). */
export type NaudiodonSampleFormat = 1 | 16;

/** Device and stream parameters to try. */
export interface ProbeRequest {
  /** Device name and host API, both matched exactly. */
  name: string;
  hostApi: string;
  /** Channels to capture; null for min(2, the device's maximum). */
  channels: number | null;
  /** Sample rate in Hz; null for the device's default rate. */
  sampleRate: number | null;
  /** Formats to try in this order; the first that opens wins. */
  sampleFormats: readonly NaudiodonSampleFormat[];
  framesPerBuffer: number;
}

/** Parameters that opened the device in the child. */
export interface ProbedParameters {
  channels: number;
  sampleRate: number;
  sampleFormat: NaudiodonSampleFormat;
}

/** Result of {@link probeDevice}. */
export interface ProbeResult {
  /** The device as listed now, or undefined when it is not present. */
  device: InputDevice | undefined;
  /** Parameters that opened, or undefined when the device is absent or every format failed. */
  opened: ProbedParameters | undefined;
  /** PortAudio's message for each format that failed, such as "Format not supported: Invalid sample rate". */
  failures: Array<{ sampleFormat: NaudiodonSampleFormat; message: string }>;
  /** Lines that PortAudio and ALSA wrote to stderr in the child. */
  stderrLineCount: number;
}

/** Options that locate naudiodon and bound the child. */
export interface ProbeRunOptions {
  naudiodonPath: string;
  moduleName: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

// The child lists the devices, finds the requested one, and opens (without
// starting) and quits an AudioIO per format until one works.
const PROBE_SCRIPT = `
const [name, hostApi, channelsText, rateText, formatsText, framesText] = process.argv.slice(2);
const devices = naudiodon.getDevices();
const hostApis = naudiodon.getHostAPIs();
const device = devices.find((d) => d.name === name && d.hostAPIName === hostApi && d.maxInputChannels > 0);
const failures = [];
async function probe() {
  if (!device) return emit({ devices, hostApis, failures });
  const channelCount = Number(channelsText) || Math.min(2, device.maxInputChannels);
  const sampleRate = Number(rateText) || device.defaultSampleRate;
  for (const sampleFormat of JSON.parse(formatsText)) {
    let io;
    try {
      io = naudiodon.AudioIO({ inOptions: { deviceId: device.id, channelCount, sampleRate, sampleFormat,
        framesPerBuffer: Number(framesText), closeOnError: false } });
    } catch (error) {
      failures.push({ sampleFormat, message: String((error && error.message) || error) });
      continue;
    }
    await io.quit();
    return emit({ devices, hostApis, failures, opened: { channels: channelCount, sampleRate, sampleFormat } });
  }
  emit({ devices, hostApis, failures });
}
probe().then(() => process.exit(0));
`;

/**
 * Lists the devices and tries `request` on the named device in a child
 * process. The child exits before this resolves, so the device is free again.
 *
 * Rejects like listInputDevices: VJ_AUDIO_DEVICE_NAUDIODON_MISSING or
 * VJ_AUDIO_DEVICE_LIST_FAILED.
 *
 * @example
 * const probe = await probeDevice({ name: 'vjfile', hostApi: 'ALSA', channels: null, sampleRate: null,
 *   sampleFormats: [1, 16], framesPerBuffer: 512 }, runOptions);
 */
export async function probeDevice(request: ProbeRequest, options: ProbeRunOptions): Promise<ProbeResult> {
  const args = [
    request.name,
    request.hostApi,
    String(request.channels ?? 0),
    String(request.sampleRate ?? 0),
    JSON.stringify(request.sampleFormats),
    String(request.framesPerBuffer),
  ];
  const result = await runNaudiodonChild(PROBE_SCRIPT, args, options);
  const value = result.value as {
    devices: NaudiodonDevice[];
    hostApis: NaudiodonHostApis;
    failures: ProbeResult['failures'];
    opened?: ProbedParameters;
  };

  const devices = toInputDevices(value.devices, value.hostApis);
  const device = devices.find((each) => each.name === request.name && each.hostApi === request.hostApi);
  return { device, opened: value.opened, failures: value.failures, stderrLineCount: result.stderrLineCount };
}
