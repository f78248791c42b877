/**
 * The `vj` command line: status, commands and telemetry of a running vj
 * system, worker lifecycle through the process manager, and the console.
 *
 * @example
 * vj status
 * vj send example_worker reset '{"to": 0}'
 * vj tail audio.beat
 */
import { isVjError } from '@vj/bus';
import { Command, InvalidArgumentError } from 'commander';
import { registerConsole } from './console';
import {
  type CliIo,
  DEFAULT_TIMEOUT_MS,
  ExitCodes,
  exitCodeOf,
  type Runner,
  resolveContext,
  SLOW_COMMAND_TIMEOUT_MS,
} from './context';
import { registerDevices } from './devices';
import { registerLifecycle } from './lifecycle';
import { registerSend } from './send';
import { registerStatus } from './status';
import { registerTail } from './tail';

/**
 * Runs the command line and returns the exit code: 0 on success, 1 for an
 * error reply or a worker that is not running, 2 for a usage error or a
 * request timeout, 3 for `vj status --check` with an unhealthy worker.
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCodes.ok;
  const run: Runner = async (command, body, settings) => {
    const context = resolveContext(command, io, settings);
    try {
      exitCode = await body(context);
    } catch (error) {
      if (!isVjError(error)) throw error;
      const remoteCode = error.fields.remoteCode;
      io.stderr(`vj: ${error.message} [${typeof remoteCode === 'string' ? remoteCode : error.code}]\n`);
      exitCode = exitCodeOf(error);
    }
  };

  const program = buildProgram(io, run);
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('commander.')) throw error;
    // commander has already printed the help text or the usage error.
    return code === 'commander.helpDisplayed' || code === 'commander.version'
      ? ExitCodes.ok
      : ExitCodes.usage;
  }
  return exitCode;
}

/** Builds the command tree; `run` executes each command's body and records its exit code. */
export function buildProgram(io: CliIo, run: Runner): Command {
  const program = new Command('vj')
    .description('Command line of the vj toolkit: look at and control the workers on the local bus.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .configureHelp({ showGlobalOptions: true })
    .option(
      '--vj-home <dir>',
      'folder of registry.json, through which vj finds the workers (default: $VJ_HOME, else ~/.vj)',
    )
    .option(
      '--timeout <ms>',
      `time to wait for each reply of a worker, in milliseconds (default: ${DEFAULT_TIMEOUT_MS}; ${SLOW_COMMAND_TIMEOUT_MS} for devices, start, stop and restart; the console's own for console)`,
      parseMilliseconds,
    );

  registerStatus(program, run);
  registerSend(program, run);
  registerTail(program, run);
  registerDevices(program, run);
  registerLifecycle(program, run);
  registerConsole(program, run);
  return program;
}

function parseMilliseconds(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError('It must be a whole number of milliseconds, 1 or more.');
  }
  return value;
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
}
