/**
 * `vj devices`: the audio input devices that the audio analyser can open,
 * as its `list_devices` command returns them.
 */
import { VjError } from '@vj/bus';
import type { Command } from 'commander';
import { ExitCodes, type Runner, SLOW_COMMAND_TIMEOUT_MS, withBus } from './context';
import { formatJson, formatTable } from './output';
import { requestWorker } from './request';

/** Registry name of the audio analyser. */
const AUDIO_ANALYZER = 'audio_analyzer';

/** One device of the `list_devices` reply. */
interface AudioDevice {
  /** PortAudio device index, valid until the next scan. */
  id: number;
  name: string;
  host_api: string;
  max_input_channels: number;
  /** Default sample rate in Hz. */
  default_sample_rate: number;
  is_default: boolean;
  is_loopback: boolean;
  /** True for the device the analyser is reading now. */
  is_current: boolean;
}

/** Adds `vj devices` to the program. */
export function registerDevices(program: Command, run: Runner): void {
  program
    .command('devices')
    .description('List the audio input devices that the audio analyser (audio_analyzer) can read.')
    .option('--json', 'print the list_devices reply as one JSON object instead of the table')
    .addHelpText(
      'after',
      `
The scan may take several seconds, so the request timeout is ${SLOW_COMMAND_TIMEOUT_MS} ms unless --timeout sets it.
DEFAULT RATE is the device's default sample rate in Hz. Choose a device with
  vj send audio_analyzer set_device '{"device": "<name or ID>"}'`,
    )
    .action((options: { json?: boolean }, command: Command) =>
      run(
        command,
        (context) =>
          withBus(context, async (bus) => {
            const result = await requestWorker(bus, context, {
              worker: AUDIO_ANALYZER,
              command: 'list_devices',
              remedyWhenMissing: `start it with vj start ${AUDIO_ANALYZER}, or start every worker with pnpm start`,
            });
            const devices = devicesOf(result);
            if (options.json) context.io.stdout(formatJson({ devices }));
            else if (devices.length === 0)
              context.io.stdout('The audio analyser found no audio input devices.\n');
            else context.io.stdout(formatTable(...tableOf(devices)));
            return ExitCodes.ok;
          }),
        { defaultTimeoutMs: SLOW_COMMAND_TIMEOUT_MS },
      ),
    );
}

/**
 * Checks the reply, which comes from another process.
 *
 * @throws VjError VJ_CONSOLE_INVALID_DEVICE_LIST naming the first item that does not fit.
 */
function devicesOf(result: Record<string, unknown> | null): AudioDevice[] {
  const devices = result?.devices;
  if (!Array.isArray(devices)) {
    throw invalidList(`has no "devices" list (received ${JSON.stringify(result)})`);
  }
  const index = devices.findIndex((device) => !isAudioDevice(device));
  if (index >= 0) {
    throw invalidList(`has an invalid device at index ${index}: ${JSON.stringify(devices[index])}`);
  }
  return devices as AudioDevice[];
}

function isAudioDevice(value: unknown): value is AudioDevice {
  if (typeof value !== 'object' || value === null) return false;
  const device = value as Record<string, unknown>;
  return (
    typeof device.id === 'number' &&
    typeof device.name === 'string' &&
    typeof device.host_api === 'string' &&
    typeof device.max_input_channels === 'number' &&
    typeof device.default_sample_rate === 'number' &&
    typeof device.is_default === 'boolean' &&
    typeof device.is_loopback === 'boolean' &&
    typeof device.is_current === 'boolean'
  );
}

function invalidList(problem: string): VjError {
  return new VjError(
    'VJ_CONSOLE_INVALID_DEVICE_LIST',
    `The reply of ${AUDIO_ANALYZER} to list_devices ${problem}; the audio analyser and vj may be from different versions`,
    { shortMessage: 'invalid device list' },
  );
}

function tableOf(devices: AudioDevice[]): [string[], string[][]] {
  const header = ['ID', 'NAME', 'HOST API', 'CHANNELS', 'DEFAULT RATE', 'MARKERS'];
  const rows = devices.map((device) => {
    const markers = [
      device.is_current ? 'current' : '',
      device.is_default ? 'default' : '',
      device.is_loopback ? 'loopback' : '',
    ].filter((marker) => marker !== '');
    return [
      String(device.id),
      device.name,
      device.host_api,
      String(device.max_input_channels),
      `${device.default_sample_rate} Hz`,
      markers.join(', '),
    ];
  });
  return [header, rows];
}
