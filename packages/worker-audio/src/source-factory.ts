/**
 * Chooses and builds the audio source that the worker's settings ask for.
 * `auto` takes an input device when one exists and falls back to the demo
 * loop, saying so plainly, when none does.
 */
import { isVjError } from '@vj/bus';
import type { AudioConfig } from './audio-config';
import { DemoSource } from './sources/demo-source';
import { listInputDevices } from './sources/device-list';
import { loadDeviceChoice, selectDevice } from './sources/device-select';
import { DeviceSource } from './sources/device-source';
import { FileSource } from './sources/file-source';
import type { AudioSource } from './sources/source';
import { StdinSource } from './sources/stdin-source';

/** The part of the worker's pino logger that the sources use. */
export interface SourceLog {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Context of the factory besides the settings. */
export interface SourceContext {
  /** Folder of the saved device choice. */
  vjHome: string;
  /** Readable for the stdin source. */
  stdin: NodeJS.ReadableStream | undefined;
  /** Environment of device scans. */
  env: NodeJS.ProcessEnv;
  log: SourceLog;
}

/** A source and why it was chosen. */
export interface SourceChoice {
  source: AudioSource;
  /** One sentence for logs and state. */
  reason: string;
  /** True when the demo loop replaces a device because none was found. */
  isFallback: boolean;
}

/**
 * Builds the source of `config.source`. The device scan of `auto` runs in a
 * child process, so it costs about a tenth of a second.
 *
 * @throws VjError VJ_AUDIO_SOURCE_INVALID_OPTIONS for settings a source rejects.
 */
export async function createSource(config: AudioConfig, context: SourceContext): Promise<SourceChoice> {
  switch (config.source) {
    case 'file':
      return {
        source: new FileSource({
          path: config.file ?? '',
          pace: config.pace,
          loop: config.loop,
          blockFrames: config.hop_size,
        }),
        reason: `playing the file ${config.file} (${config.pace}${config.loop ? ', looped' : ''})`,
        isFallback: false,
      };
    case 'stdin':
      return {
        source: new StdinSource({
          stream: context.stdin,
          format: config.stdin_format,
          sampleRate: config.stdin_rate,
          channels: config.stdin_channels,
        }),
        reason: `reading raw ${config.stdin_format} PCM from stdin, ${config.stdin_rate} Hz, ${config.stdin_channels} channels`,
        isFallback: false,
      };
    case 'demo':
      return {
        source: demoSource(config),
        reason: `playing the demo loop at ${config.demo_bpm} BPM`,
        isFallback: false,
      };
    case 'device':
      return {
        source: deviceSource(config, context),
        reason: 'capturing from an input device',
        isFallback: false,
      };
    case 'auto':
      return chooseAutomatically(config, context);
  }
}

function demoSource(config: AudioConfig): AudioSource {
  return new DemoSource({ bpm: config.demo_bpm, blockFrames: config.hop_size });
}

function deviceSource(config: AudioConfig, context: SourceContext): AudioSource {
  return new DeviceSource({
    device: config.device,
    vjHome: context.vjHome,
    sampleRate: config.sample_rate,
    framesPerBuffer: config.hop_size,
    env: context.env,
    log: context.log,
  });
}

async function chooseAutomatically(config: AudioConfig, context: SourceContext): Promise<SourceChoice> {
  let reason: string;
  try {
    const listing = await listInputDevices({ env: context.env, log: context.log });
    const saved = await loadDeviceChoice(context.vjHome);
    if (saved.error !== undefined) context.log.warn({ err: saved.error }, saved.error.message);
    const selection = selectDevice(listing.devices, config.device, saved.choice);
    if (selection.device !== undefined) {
      return { source: deviceSource(config, context), reason: selection.reason, isFallback: false };
    }
    reason = selection.reason;
  } catch (error) {
    if (!isVjError(error)) throw error;
    reason = error.message;
  }
  return {
    source: demoSource(config),
    reason:
      `${reason.replace(/\.$/, '')}, so the analyser is playing its built-in demo loop at ${config.demo_bpm} BPM. ` +
      'To analyse real sound, pick a device with `vj devices` and the set_device command, or set source to "file" or "stdin".',
    isFallback: true,
  };
}
