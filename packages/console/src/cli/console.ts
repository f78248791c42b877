/**
 * `vj console`: opens the blessed console of src/console/main.ts, which
 * exports `runConsole({ vjHome, timeoutMs }): Promise<number>`.
 */
import path from 'node:path';
import { VjError } from '@vj/bus';
import type { Command } from 'commander';
import type { CliContext, Runner } from './context';

/** Signature that src/console/main.ts exports as `runConsole`; it has its own default timeout. */
type RunConsole = (options: { vjHome: string; timeoutMs?: number }) => Promise<number>;

/** Module of the console, relative to this file. */
const CONSOLE_MODULE = '../console/main';

/** Adds `vj console` to the program. */
export function registerConsole(program: Command, run: Runner): void {
  program
    .command('console')
    .description(
      'Open the terminal console: workers, telemetry and logs, with keys to restart workers. Quitting it leaves the workers running.',
    )
    .addHelpText('after', '\nWithout --timeout, the console uses its own request timeout.')
    .action((_options, command: Command) => run(command, openConsole));
}

async function openConsole(context: CliContext): Promise<number> {
  const runConsole = loadRunConsole();
  if (!context.timeoutFromOption) return runConsole({ vjHome: context.vjHome });
  return runConsole({ vjHome: context.vjHome, timeoutMs: context.timeoutMs });
}

/**
 * Loads the console module with require, not import(): bin/vj.cjs loads
 * TypeScript through tsx's CommonJS hook, and an import() of a .ts path goes
 * to Node's ESM loader, which does not resolve it (tsx 4.23, Node 20).
 *
 * @throws VjError VJ_CLI_CONSOLE_UNAVAILABLE when the module or its runConsole export is missing.
 */
function loadRunConsole(): RunConsole {
  const modulePath = path.join(__dirname, CONSOLE_MODULE);
  try {
    require.resolve(modulePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw unavailable(
      `src/console/main.ts does not exist in ${path.dirname(path.dirname(__dirname))}`,
      error,
    );
  }

  const loaded = require(modulePath) as { runConsole?: unknown };
  if (typeof loaded.runConsole !== 'function') {
    throw unavailable('src/console/main.ts does not export runConsole');
  }
  return loaded.runConsole as RunConsole;
}

function unavailable(reason: string, cause?: unknown): VjError {
  return new VjError(
    'VJ_CLI_CONSOLE_UNAVAILABLE',
    `The console is not available in this version of vj, because ${reason}; use vj status and vj tail meanwhile`,
    { cause, shortMessage: 'console not available' },
  );
}
