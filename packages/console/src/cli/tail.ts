/**
 * `vj tail <topic-prefix>`: telemetry of every worker as JSON lines, for
 * reading by eye or piping into jq.
 */
import type { BusClient, PublishedMessage } from '@vj/bus';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, ExitCodes, type Runner, withBus } from './context';

interface TailOptions {
  count?: number;
}

/** One printed line: the message's topic, sender, time and payload; events add the worker they are about. */
interface TailLine {
  topic: string;
  source: string | null;
  /** Unix time in seconds when the sender created the message. */
  timestamp: number;
  worker?: string;
  payload: unknown;
}

/** Adds `vj tail` to the program. */
export function registerTail(program: Command, run: Runner): void {
  program
    .command('tail')
    .summary('print telemetry messages as JSON lines until Ctrl-C')
    .description(
      'Print one JSON line {"topic","source","timestamp","payload"} per telemetry message whose topic starts with the prefix, from every registered worker and from workers that register later, until Ctrl-C.',
    )
    .argument(
      '<topic-prefix>',
      'topic prefix, e.g. audio. or events. or example.tick; "" matches every topic',
    )
    .option('--count <n>', 'stop after n messages (a whole number, 1 or more)', parseCount)
    .addHelpText(
      'after',
      `
timestamp is Unix time in seconds. Lines of events (topic events.*) also have "worker", the worker
the event is about. Ctrl-C (SIGINT) or SIGTERM ends the command with exit code 0. Messages sent
before the subscription reaches a worker are not shown.

Example:
  vj tail audio.beat --count 8`,
    )
    .action((prefix: string, options: TailOptions, command: Command) =>
      run(command, (context) =>
        withBus(
          context,
          (bus) => tail(bus, context, prefix, options.count),
          (bus) => reportProblems(bus, context),
        ),
      ),
    );
}

async function tail(
  bus: BusClient,
  context: CliContext,
  prefix: string,
  count: number | undefined,
): Promise<number> {
  if (Object.keys(bus.workers()).length === 0) {
    context.io.stderr(
      `No workers are registered in ${bus.registry.path} yet; waiting for them (pnpm start starts them).\n`,
    );
  }

  let printed = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const onSignal = () => finish();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  bus.on('message', (topic, message) => {
    if (count !== undefined && printed >= count) return;
    context.io.stdout(`${JSON.stringify(lineOf(topic, message))}\n`);
    printed++;
    if (printed === count) finish();
  });
  bus.subscribe(prefix);

  await finished;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return ExitCodes.ok;
}

/**
 * Prints each distinct registry warning and dropped message to stderr once,
 * because an unreadable registry is read again every second.
 */
function reportProblems(bus: BusClient, context: CliContext): void {
  const printed = new Set<string>();
  const print = (text: string) => {
    if (printed.has(text)) return;
    printed.add(text);
    context.io.stderr(`vj: ${text}\n`);
  };
  bus.on('warning', (error) => print(`${error.message} [${error.code}]`));
  bus.on('invalid', (error) => print(`an invalid message was dropped: ${error.message} [${error.code}]`));
}

function lineOf(topic: string, message: PublishedMessage): TailLine {
  const line: TailLine = { topic, source: message.source, timestamp: message.timestamp, payload: null };
  if (message.type === 'telemetry') {
    line.payload = message.payload;
  } else if (message.type === 'event') {
    line.worker = message.worker;
    line.payload = message.payload;
  } else {
    line.payload = { pid: message.pid, status: message.status, uptime_s: message.uptime_s };
  }
  return line;
}

function parseCount(text: string): number {
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new InvalidArgumentError('It must be a whole number of messages, 1 or more.');
  }
  return count;
}
