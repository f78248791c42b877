/**
 * Parts shared by every `vj` command: the global options, the output
 * streams, the exit codes, and a bus client that is closed however the
 * command ends.
 */
import { BusClient, Registry, type VjError } from '@vj/bus';
import type { Command } from 'commander';

/** Exit codes of `vj`; the package README lists them for scripts. */
export const ExitCodes = {
  /** The command did what was asked. */
  ok: 0,
  /** A worker replied with an error, or a worker or the registry could not be used. */
  failed: 1,
  /** The command line was invalid: an unknown command, a missing argument or an invalid value. */
  usage: 2,
  /** A worker did not reply within the request timeout. */
  timeout: 2,
  /** `vj status --check` found no worker, or a worker that is not healthy. */
  unhealthy: 3,
} as const;

/** Request timeout when neither `--timeout` nor the command sets another, in ms. */
export const DEFAULT_TIMEOUT_MS = 2000;

/**
 * Request timeout of commands whose worker does slow work before it replies,
 * in ms: a PortAudio device scan may take up to 10 s, and pm2 waits up to
 * 3 s for a worker to exit before it kills it.
 */
export const SLOW_COMMAND_TIMEOUT_MS = 10_000;

/** Destinations of the command's output; tests and the binary pass process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Global options after defaults, as a command's action receives them. */
export interface CliContext {
  readonly io: CliIo;
  /** Folder of registry.json. */
  readonly vjHome: string;
  /** Time to wait for each reply of a worker, in ms. */
  readonly timeoutMs: number;
  /** True when `--timeout` set timeoutMs, false when it is the command's default. */
  readonly timeoutFromOption: boolean;
}

/** Settings of one command that change how the shared options resolve. */
export interface CommandSettings {
  /** Request timeout when `--timeout` is not given, in ms (default DEFAULT_TIMEOUT_MS). */
  defaultTimeoutMs?: number;
}

/**
 * Runs the body of a command with the resolved global options and records
 * its exit code. A VjError thrown by the body is printed to stderr as one
 * line with its code, and mapped to an exit code by {@link exitCodeOf}.
 */
export type Runner = (
  command: Command,
  body: (context: CliContext) => Promise<number>,
  settings?: CommandSettings,
) => Promise<void>;

/** Global options as commander parses them, before defaults. */
interface GlobalFlags {
  vjHome?: string;
  timeout?: number;
}

/** Builds the context of a command from its own and its parents' options. */
export function resolveContext(command: Command, io: CliIo, settings: CommandSettings = {}): CliContext {
  const flags = command.optsWithGlobals<GlobalFlags>();
  return {
    io,
    vjHome: flags.vjHome ?? Registry.defaultHome(),
    timeoutMs: flags.timeout ?? settings.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    timeoutFromOption: flags.timeout !== undefined,
  };
}

/**
 * Returns the exit code for an error of a command: timeouts give 2 and
 * anything else 1.
 */
export function exitCodeOf(error: VjError): number {
  return error.code === 'VJ_BUS_REQUEST_TIMEOUT' ? ExitCodes.timeout : ExitCodes.failed;
}

/**
 * Starts a bus client on the context's registry, runs `body` with it and
 * closes it, also when `body` throws. `beforeStart` may add listeners that
 * must see the first registry read, such as `warning`.
 */
export async function withBus<T>(
  context: CliContext,
  body: (bus: BusClient) => Promise<T>,
  beforeStart?: (bus: BusClient) => void,
): Promise<T> {
  const bus = new BusClient({ vjHome: context.vjHome, timeoutMs: context.timeoutMs, source: 'vj-cli' });
  beforeStart?.(bus);
  try {
    await bus.start();
    return await body(bus);
  } finally {
    await bus.close();
  }
}
