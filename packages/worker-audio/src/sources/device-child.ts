/**
 * Runs a short naudiodon script in a child Node process and returns the JSON
 * it prints.
 *
 * A child is used because PortAudio in this process cannot rescan while one
 * of our streams is open. PortAudio counts Pa_Initialize calls and builds its
 * device list only on the first one, and naudiodon 2.3.6 calls Pa_Initialize
 * in getDevices() and in every AudioIO, so the list stays frozen while a
 * stream is open. A failed AudioIO (after Pa_Initialize) never calls
 * Pa_Terminate, which freezes the list for the rest of the process.
 *
 * A child also keeps ALSA's stderr messages out of the worker's log: there
 * are 60–95 lines per initialisation on a machine without a sound card, and
 * they are only counted here. And it contains PortAudio's assertion abort on
 * an ALSA configuration without any PCM, which would kill the worker.
 */
import { spawn } from 'node:child_process';
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import { naudiodonMissing } from './device-naudiodon';

/** Options of one child run. */
export interface ChildRunOptions {
  /** Absolute path of naudiodon's entry file, passed to the script as its first argument. */
  naudiodonPath: string;
  /** Module name as configured, for error messages. */
  moduleName: string;
  /** Environment of the child, where ALSA_CONFIG_PATH and PULSE_SERVER take effect. */
  env: NodeJS.ProcessEnv;
  /** Time after which the child is killed, in milliseconds. */
  timeoutMs: number;
}

/** Result of a child run, with its stderr summarised. */
export interface ChildResult {
  /** The value that the script passed to `emit`. */
  value: unknown;
  /** Number of lines the child wrote to stderr, mostly ALSA library messages. */
  stderrLineCount: number;
  /** The first stderr lines (at most 3), to show what the messages were about. */
  stderrHead: string[];
}

const RESULT_MARKER = 'VJ_NAUDIODON_RESULT ';
const STDERR_HEAD_LINES = 3;

/**
 * Prelude of every child script: loads naudiodon from the path in argv[1] and
 * defines `emit(value)`, which prints one marked JSON line. naudiodon prints
 * its own lines on stdout, so the marker identifies the result line.
 */
const PRELUDE = `
const emit = (value) => process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(value) + '\\n');
let naudiodon;
try {
  naudiodon = require(process.argv[1]);
} catch (error) {
  emit({ loadError: String((error && error.message) || error) });
  process.exit(0);
}
`;

/**
 * Runs `script` after the prelude in `node -e`, with `args` after naudiodon's
 * path, and resolves with the value it emitted.
 *
 * Rejects with a VjError: VJ_AUDIO_DEVICE_NAUDIODON_MISSING when the child
 * cannot load naudiodon, VJ_AUDIO_DEVICE_LIST_FAILED when it exits without a
 * result (an abort or a crash), or times out.
 *
 * @example
 * const { value } = await runNaudiodonChild('emit(naudiodon.getDevices());', [], options);
 */
export async function runNaudiodonChild(
  script: string,
  args: readonly string[],
  options: ChildRunOptions,
): Promise<ChildResult> {
  const child = spawn(process.execPath, ['-e', PRELUDE + script, options.naudiodonPath, ...args], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  const exit = await waitForExit(child, options.timeoutMs);

  const stderrLines = Buffer.concat(stderr)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const stderrHead = stderrLines.slice(0, STDERR_HEAD_LINES);
  const resultLine = Buffer.concat(stdout)
    .toString('utf8')
    .split('\n')
    .find((line) => line.startsWith(RESULT_MARKER));

  if (resultLine === undefined) {
    throw childFailed(exit, stderrLines, options);
  }

  const value = parseResult(resultLine.slice(RESULT_MARKER.length), options);
  if (isLoadError(value)) {
    throw naudiodonMissing(options.moduleName, new Error(value.loadError));
  }
  return { value, stderrLineCount: stderrLines.length, stderrHead };
}

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError?: Error;
}

function waitForExit(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<ChildExit> {
  return new Promise((resolve) => {
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, spawnError });
    });
  });
}

function childFailed(exit: ChildExit, stderrLines: string[], options: ChildRunOptions): VjError {
  const lastLine = stderrLines.at(-1) ?? 'no output';
  let how: string;
  if (exit.timedOut) {
    how = `did not finish within ${options.timeoutMs} ms`;
  } else if (exit.spawnError !== undefined) {
    how = `could not be started (${exit.spawnError.message})`;
  } else if (exit.signal !== null) {
    how = `was killed by ${exit.signal} (last stderr line: ${lastLine})`;
  } else {
    how = `exited with code ${exit.code} without a result (last stderr line: ${lastLine})`;
  }

  return new VjError(
    AudioErrorCodes.VJ_AUDIO_DEVICE_LIST_FAILED,
    `PortAudio device scan in a child process ${how}; check the ALSA configuration ` +
      '(ALSA_CONFIG_PATH must name a file that defines at least a default PCM)',
    {
      shortMessage: `audio device scan ${exit.timedOut ? 'timed out' : 'failed'}`,
      exitCode: exit.code,
      signal: exit.signal,
      timeoutMs: options.timeoutMs,
      stderrLineCount: stderrLines.length,
      cause: exit.spawnError,
    },
  );
}

function parseResult(text: string, options: ChildRunOptions): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new VjError(
      AudioErrorCodes.VJ_AUDIO_DEVICE_LIST_FAILED,
      `PortAudio device scan in a child process printed invalid JSON (${(error as Error).message})`,
      { shortMessage: 'audio device scan failed', module: options.moduleName, cause: error },
    );
  }
}

function isLoadError(value: unknown): value is { loadError: string } {
  return typeof value === 'object' && value !== null && 'loadError' in value;
}
