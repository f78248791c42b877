/**
 * Access to naudiodon 2.3.6, the PortAudio binding behind the device source:
 * the subset of its API that vj uses, and loading it on demand so that a
 * missing or unbuilt binding becomes a VjError instead of a crash at import.
 *
 * Requiring naudiodon has side effects in the requiring process, read from its
 * source and checked on Linux with PortAudio V19.6 over ALSA:
 * - it registers segfault-handler for SIGSEGV. On a segmentation fault the
 *   handler appends "PID n received SIGSEGV…" and a backtrace to `crash.log`
 *   in the current directory (created read-only, mode 0444) and to stderr,
 *   then restores the default action, so the process still dies;
 * - each `AudioIO` it creates prints 3 lines to stdout through C stdio
 *   ("PortAudio V19.6.0-devel…", "Input audio options: …", "Input device name
 *   is …") and "Finishing input - n bytes…" when it quits. C stdio buffers
 *   them when stdout is a pipe or file, so under pm2 they reach the out log
 *   late and are not JSON.
 */
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';

/** A device as naudiodon's `getDevices()` returns it. */
export interface NaudiodonDevice {
  id: number;
  name: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  /** Truncated to an integer by naudiodon. */
  defaultSampleRate: number;
  hostAPIName: string;
}

/** Result of naudiodon's `getHostAPIs()`; `defaultInput` is 4294967295 when the host API has none. */
export interface NaudiodonHostApis {
  defaultHostAPI: number;
  HostAPIs: Array<{ id: number; name: string; deviceCount: number; defaultInput: number }>;
}

/** Input options of naudiodon's `AudioIO`. */
export interface NaudiodonInOptions {
  deviceId: number;
  channelCount: number;
  sampleRate: number;
  /** 1 for float32, 16 for int16. */
  sampleFormat: 1 | 16;
  framesPerBuffer: number;
  /** Bytes per `data` chunk that the Readable requests. */
  highwaterMark: number;
  /** Blocks that PortAudio's callback may queue before it waits for JavaScript. */
  maxQueue: number;
  /** When true, an input overflow destroys the stream with an error; when false naudiodon prints it to stdout. */
  closeOnError: boolean;
}

/** A naudiodon input stream: a Readable of interleaved PCM with `start` and `quit`. */
export interface NaudiodonInput extends NodeJS.EventEmitter {
  start(): void;
  quit(callback?: () => void): Promise<void>;
}

/** The part of the naudiodon module that vj uses. */
export interface Naudiodon {
  getDevices(): NaudiodonDevice[];
  getHostAPIs(): NaudiodonHostApis;
  AudioIO(options: { inOptions: NaudiodonInOptions }): NaudiodonInput;
}

/** Module name or path of naudiodon unless an option names another, as tests do to simulate its absence. */
export const NAUDIODON_MODULE = 'naudiodon';

/**
 * Resolves `moduleName` to the absolute path of naudiodon's entry file, for a
 * child process to require.
 *
 * Throws a VjError with code VJ_AUDIO_DEVICE_NAUDIODON_MISSING when it is not
 * installed.
 *
 * @example
 * const path = resolveNaudiodon('naudiodon'); // '/…/node_modules/naudiodon/index.js'
 */
export function resolveNaudiodon(moduleName: string): string {
  try {
    return require.resolve(moduleName);
  } catch (error) {
    throw naudiodonMissing(moduleName, error);
  }
}

/**
 * Loads naudiodon into this process. The first call initialises nothing in
 * PortAudio, but installs the SIGSEGV handler described above.
 *
 * Throws a VjError with code VJ_AUDIO_DEVICE_NAUDIODON_MISSING when the
 * module is not installed or its native binding fails to load.
 *
 * @example
 * const naudiodon = loadNaudiodon('naudiodon');
 */
export function loadNaudiodon(moduleName: string): Naudiodon {
  try {
    return require(moduleName) as Naudiodon;
  } catch (error) {
    throw naudiodonMissing(moduleName, error);
  }
}

/** Builds the VJ_AUDIO_DEVICE_NAUDIODON_MISSING error, also for a child process that failed to load it. */
export function naudiodonMissing(moduleName: string, cause: unknown): VjError {
  const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_DEVICE_NAUDIODON_MISSING,
    `naudiodon ("${moduleName}") could not be loaded (${detail}), so audio input devices are unavailable; ` +
      'install a C++ toolchain and the ALSA headers (libasound2-dev), run `pnpm rebuild naudiodon`, ' +
      'or use the file, stdin or demo source',
    { shortMessage: 'naudiodon is not installed or not built', module: moduleName, cause },
  );
}
