/**
 * `vj send <worker> <command> [json]`: one command to one worker, with the
 * worker's result printed as JSON.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { ExitCodes, type Runner, withBus } from './context';
import { formatJson } from './output';
import { requestWorker } from './request';

/** Adds `vj send` to the program. */
export function registerSend(program: Command, run: Runner): void {
  program
    .command('send')
    .description("Send a command to a worker and print the worker's result as JSON.")
    .argument('<worker>', 'registry name of the worker, e.g. example_worker (vj status lists them)')
    .argument(
      '<command>',
      "command name: health_check, get_state, set_config or one of the worker's own, e.g. reset",
    )
    .argument('[json]', 'payload of the command, a JSON object (default {})', parsePayload)
    .addHelpText(
      'after',
      `
Exit codes: 0 when the worker replies ok, 1 when it replies with an error or is not running,
2 when it does not reply within --timeout or the payload is not a JSON object.

Example:
  vj send example_worker reset '{"to": 0}'`,
    )
    .action(
      (
        worker: string,
        name: string,
        payload: Record<string, unknown> | undefined,
        _options,
        command: Command,
      ) =>
        run(command, (context) =>
          withBus(context, async (bus) => {
            const request = { worker, command: name, payload: payload ?? {} };
            const result = await requestWorker(bus, context, request);
            context.io.stdout(formatJson(result));
            return ExitCodes.ok;
          }),
        ),
    );
}

/**
 * Parses the payload argument; commander turns the thrown error into a usage
 * error that names the value.
 */
function parsePayload(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(
      `It is not valid JSON (${(error as Error).message}); pass an object such as '{"to": 0}'.`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`It is JSON but not an object; pass an object such as '{"to": 0}'.`);
  }
  return value as Record<string, unknown>;
}
