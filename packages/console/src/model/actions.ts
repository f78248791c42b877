/**
 * Actions of the console: restart, stop and start a worker through the
 * process manager, and list and choose the audio input device. Each returns
 * an ActionResult with the text of the status line and catches the errors of
 * the command it sends, because a failed command must not take the console down.
 */
import { type BusClient, isVjError, VjError } from '@vj/bus';

/** Outcome of an action, as the status line shows it. */
export interface ActionResult {
  ok: boolean;
  /** One line: what was done, or the error text. */
  text: string;
}

/** One audio input device as `list_devices` of the audio analyser returns it. */
export interface AudioDevice {
  id: number;
  name: string;
  host_api: string;
  max_input_channels: number;
  is_default: boolean;
  is_current: boolean;
}

/** Registry names of the workers the actions talk to. */
export const PROCESS_MANAGER = 'process_manager';
export const AUDIO_ANALYZER = 'audio_analyzer';

/** Process manager commands that change one worker's lifecycle. */
export type LifecycleCommand = 'restart_worker' | 'stop_worker' | 'start_worker';

const COMMAND_VERBS: Record<LifecycleCommand, string> = {
  restart_worker: 'restart',
  stop_worker: 'stop',
  start_worker: 'start',
};

/**
 * Sends `command` for worker `name` to the process manager.
 *
 * @example
 * const result = await runLifecycleCommand(bus, 'restart_worker', 'audio_analyzer', 5000);
 * statusLine.setContent(result.text);
 */
export async function runLifecycleCommand(
  bus: BusClient,
  command: LifecycleCommand,
  name: string,
  timeoutMs: number,
): Promise<ActionResult> {
  const verb = COMMAND_VERBS[command];
  if (bus.workers()[PROCESS_MANAGER] === undefined) {
    const error = new VjError(
      'VJ_CONSOLE_NO_PROCESS_MANAGER',
      `process_manager is not running, so the console cannot ${verb} ${name}; start the system with pnpm start`,
      { worker: name, command, shortMessage: 'no process_manager; run pnpm start' },
    );
    return { ok: false, text: `${verb} ${name} failed: ${error.shortMessage}` };
  }

  try {
    const result = await bus.request(PROCESS_MANAGER, command, { name }, { timeoutMs });
    const pid = (result?.worker as { pid?: unknown } | undefined)?.pid;
    const detail = typeof pid === 'number' && pid > 0 ? ` (pid ${pid})` : '';
    return { ok: true, text: `${verb} ${name}: ok${detail}` };
  } catch (error) {
    return { ok: false, text: `${verb} ${name} failed: ${errorText(error)}` };
  }
}

/**
 * Asks the audio analyser for its input devices.
 *
 * Resolves with the devices, or with an error ActionResult when the analyser
 * is missing, times out or returns something else (VJ_CONSOLE_INVALID_DEVICE_LIST).
 */
export async function listAudioDevices(
  bus: BusClient,
  timeoutMs: number,
): Promise<{ ok: true; devices: AudioDevice[] } | (ActionResult & { ok: false })> {
  let result: Record<string, unknown> | null;
  try {
    result = await bus.request(AUDIO_ANALYZER, 'list_devices', {}, { timeoutMs });
  } catch (error) {
    return { ok: false, text: `list_devices failed: ${errorText(error)}` };
  }

  const devices = result?.devices;
  if (!Array.isArray(devices) || !devices.every(isAudioDevice)) {
    const error = new VjError(
      'VJ_CONSOLE_INVALID_DEVICE_LIST',
      `audio_analyzer returned no valid device list for list_devices (expected {devices: [{id, name, host_api, …}]}); update the audio analyser`,
    );
    return { ok: false, text: error.message };
  }
  return { ok: true, devices };
}

/** Switches the audio analyser to `device`, a device name as list_devices returns it. */
export async function setAudioDevice(
  bus: BusClient,
  device: string,
  timeoutMs: number,
): Promise<ActionResult> {
  try {
    const result = await bus.request(AUDIO_ANALYZER, 'set_device', { device }, { timeoutMs });
    const status = typeof result?.status === 'string' ? ` (${result.status})` : '';
    return { ok: true, text: `audio input set to ${device}${status}` };
  } catch (error) {
    return { ok: false, text: `set_device ${device} failed: ${errorText(error)}` };
  }
}

/** Beat-tracking commands of the audio analyser that the console sends. */
export type BeatCommand = 'tap' | 'double' | 'halve' | 'nudge' | 'resync' | 'release';

const OVERRIDE_TEXT: Record<BeatCommand, string> = {
  tap: 'tap',
  double: 'double tempo',
  halve: 'halve tempo',
  nudge: 'nudge',
  resync: 'beat 1 here',
  release: 'beat tracking back to automatic',
};

/**
 * Sends a beat-tracking override to the audio analyser. `nudgeMs` is the
 * shift of a `nudge` in milliseconds, positive for later.
 */
export async function sendBeatOverride(
  bus: BusClient,
  override: BeatCommand,
  timeoutMs: number,
  nudgeMs = 0,
): Promise<ActionResult> {
  const label =
    override === 'nudge' ? `nudge ${nudgeMs > 0 ? '+' : ''}${nudgeMs} ms` : OVERRIDE_TEXT[override];
  const payload = override === 'nudge' ? { ms: nudgeMs } : {};
  if (bus.workers()[AUDIO_ANALYZER] === undefined) {
    return {
      ok: false,
      text: `${label}: audio_analyzer is not running; start it with r on the Overview or pnpm vj start audio_analyzer`,
    };
  }
  try {
    const result = await bus.request(AUDIO_ANALYZER, override, payload, { timeoutMs });
    if (result?.applied === false) {
      const reason = typeof result.reason === 'string' ? result.reason : 'the analyser did not apply it';
      return { ok: false, text: `${label}: not applied, ${reason}` };
    }
    return { ok: true, text: `${label}: ok` };
  } catch (error) {
    return { ok: false, text: `${label} failed: ${errorText(error)}` };
  }
}

/** Text of an error for the status line: the worker's own message for a failed command, else the short message. */
export function errorText(error: unknown): string {
  if (isVjError(error, 'VJ_BUS_COMMAND_FAILED')) return error.message;
  if (error instanceof VjError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}

function isAudioDevice(value: unknown): value is AudioDevice {
  if (typeof value !== 'object' || value === null) return false;
  const device = value as Record<string, unknown>;
  return (
    typeof device.id === 'number' && typeof device.name === 'string' && typeof device.host_api === 'string'
  );
}
