/**
 * Entry point of the blessed console: `runConsole` for `vj console`, and a
 * program of its own (`node --import tsx src/console/main.ts`, with VJ_HOME
 * and VJ_CONSOLE_TIMEOUT_MS read from the environment).
 */
import { VjError } from '@vj/bus';
import { SystemModel } from '../model/system-model';
import { ConsoleApp } from './app';

export interface RunConsoleOptions {
  /** Folder of the registry (default env VJ_HOME, else ~/.vj). */
  vjHome?: string;
  /** Timeout of the console's commands such as restart_worker, in ms (default 5000). */
  timeoutMs?: number;
}

/** Exit code when stdin or stdout is not an interactive terminal. */
export const EXIT_NOT_A_TTY = 2;

/**
 * Opens the console full screen and resolves with the exit code when the user
 * quits (q or C-c), or on SIGTERM or SIGHUP. Quitting restores the terminal
 * and leaves every worker running. Errors in listeners and callbacks while it
 * runs are counted and shown in the status line instead of ending the process.
 * Without a terminal it writes a VJ_CONSOLE_NOT_A_TTY message to stderr and
 * resolves with 2.
 *
 * @example
 * process.exitCode = await runConsole({ vjHome: '/tmp/vj', timeoutMs: 5000 });
 */
export async function runConsole(options: RunConsoleOptions = {}): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    const error = new VjError(
      'VJ_CONSOLE_NOT_A_TTY',
      'The console needs an interactive terminal on stdin and stdout; run it in a terminal, or use vj status for a one-shot view',
    );
    process.stderr.write(`${error.message}\n`);
    return EXIT_NOT_A_TTY;
  }

  const model = new SystemModel(options);
  const app = new ConsoleApp(model);
  const onUncaught = (error: unknown) => app.noteError(error);
  const onSignal = () => app.quit(0);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  try {
    const running = app.run();
    await model.start();
    return await running;
  } finally {
    app.quit(0);
    await model.close();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

if (require.main === module) {
  const timeout = Number(process.env.VJ_CONSOLE_TIMEOUT_MS);
  runConsole({
    ...(process.env.VJ_HOME === undefined ? {} : { vjHome: process.env.VJ_HOME }),
    ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout } : {}),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`vj console failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
