/**
 * `vj start|stop|restart <worker>`: worker lifecycle through the process
 * manager, which runs the workers under pm2 and applies the restart policy.
 */
import { type BusClient, VjError } from '@vj/bus';
import type { Command } from 'commander';
import { type CliContext, ExitCodes, type Runner, SLOW_COMMAND_TIMEOUT_MS, withBus } from './context';
import { formatJson } from './output';
import { requestWorker } from './request';
import { PROCESS_MANAGER } from './status-report';

/** The lifecycle commands, with the process manager's command and a description of each. */
const LifecycleActions = {
  start: {
    command: 'start_worker',
    done: 'started',
    summary: 'Start a stopped worker; a worker that runs is left alone.',
  },
  stop: {
    command: 'stop_worker',
    done: 'stopped',
    summary: 'Stop a worker; the process manager does not restart it until vj start.',
  },
  restart: {
    command: 'restart_worker',
    done: 'restarted',
    summary: 'Restart a worker now, whether it runs or not.',
  },
} as const;

type LifecycleAction = keyof typeof LifecycleActions;

interface LifecycleOptions {
  json?: boolean;
}

/** Adds `vj start`, `vj stop` and `vj restart` to the program. */
export function registerLifecycle(program: Command, run: Runner): void {
  for (const action of Object.keys(LifecycleActions) as LifecycleAction[]) {
    const { command, summary } = LifecycleActions[action];
    program
      .command(action)
      .description(`${summary} Goes through the process manager (${command}).`)
      .argument('<worker>', 'registry name of the worker, e.g. example_worker (vj status lists them)')
      .option('--json', "print the process manager's reply as JSON instead of one line")
      .addHelpText(
        'after',
        `
The request timeout is ${SLOW_COMMAND_TIMEOUT_MS} ms unless --timeout sets it, because pm2 waits up to 3 s for a
worker to exit. Exit codes: 0 on success, 1 when the process manager replies with an error or is not
running, 2 when it does not reply in time.`,
      )
      .action((worker: string, options: LifecycleOptions, subcommand: Command) =>
        run(
          subcommand,
          (context) => withBus(context, (bus) => changeWorker(bus, context, action, worker, options)),
          {
            defaultTimeoutMs: SLOW_COMMAND_TIMEOUT_MS,
          },
        ),
      );
  }
}

async function changeWorker(
  bus: BusClient,
  context: CliContext,
  action: LifecycleAction,
  worker: string,
  options: LifecycleOptions,
): Promise<number> {
  if (!Object.hasOwn(bus.workers(), PROCESS_MANAGER)) {
    throw new VjError(
      'VJ_CONSOLE_NO_PROCESS_MANAGER',
      `The process manager (${PROCESS_MANAGER}) is not running (no live entry in ${bus.registry.path}), and vj ${action} needs it to control workers through pm2; start the system with pnpm start, or only the process manager with pnpm exec pm2 start ecosystem.config.ts --only ${PROCESS_MANAGER}`,
      { action, worker, shortMessage: 'process manager not running' },
    );
  }

  const { command, done } = LifecycleActions[action];
  const result = await requestWorker(bus, context, {
    worker: PROCESS_MANAGER,
    command,
    payload: { name: worker },
  });
  if (options.json) {
    context.io.stdout(formatJson(result));
    return ExitCodes.ok;
  }

  context.io.stdout(`${worker} ${done}${describeSummary(result?.worker)}\n`);
  return ExitCodes.ok;
}

/** Renders the worker summary of the reply as a suffix, e.g. `: pm2 status online, pid 4242, health starting`. */
function describeSummary(summary: unknown): string {
  if (typeof summary !== 'object' || summary === null) return '';
  const fields = summary as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof fields.pm2_status === 'string') parts.push(`pm2 status ${fields.pm2_status}`);
  if (typeof fields.pid === 'number' && fields.pid > 0) parts.push(`pid ${fields.pid}`);
  if (typeof fields.health === 'string') parts.push(`health ${fields.health}`);
  return parts.length === 0 ? '' : `: ${parts.join(', ')}`;
}
