/**
 * One command to one worker, as the command line sends it: the response
 * becomes the worker's result, or a VjError whose message names the worker,
 * the command and what to do next.
 */
import { type BusClient, isVjError, type Response, VjError } from '@vj/bus';
import type { CliContext } from './context';

/** A command for {@link requestWorker}. */
export interface WorkerRequest {
  /** Registry name of the worker, e.g. `example_worker`. */
  worker: string;
  /** Command name, e.g. `health_check`. */
  command: string;
  payload?: Record<string, unknown>;
  /** Next step to suggest when the worker is not running (default: check the name, or start the workers). */
  remedyWhenMissing?: string;
}

/**
 * Sends a command and resolves with the worker's `result`.
 *
 * @throws VjError VJ_BUS_WORKER_NOT_FOUND when the worker has no live registry entry; the message lists the registered workers.
 * @throws VjError VJ_BUS_REQUEST_TIMEOUT when no reply arrives within the context's timeout.
 * @throws VjError VJ_BUS_COMMAND_FAILED when the worker replies with an error; `fields.remoteCode` has the worker's code.
 *
 * @example
 * const result = await requestWorker(bus, context, { worker: 'example_worker', command: 'reset', payload: { to: 0 } });
 */
export async function requestWorker(
  bus: BusClient,
  context: CliContext,
  request: WorkerRequest,
): Promise<Record<string, unknown> | null> {
  const { worker, command } = request;
  let response: Response;
  try {
    response = await bus.send(worker, command, request.payload ?? {}, { timeoutMs: context.timeoutMs });
  } catch (error) {
    if (isVjError(error, 'VJ_BUS_WORKER_NOT_FOUND')) {
      throw await describeMissingWorker(bus, worker, request.remedyWhenMissing, error);
    }
    throw error;
  }

  if (response.status === 'ok') return response.result;
  if (response.status === 'timeout') {
    throw new VjError(
      'VJ_BUS_REQUEST_TIMEOUT',
      `Worker ${worker} did not reply to "${command}" within ${context.timeoutMs} ms; check it with vj status, or allow more time with --timeout <ms>`,
      { worker, command, timeoutMs: context.timeoutMs, shortMessage: `${worker}: ${command} timed out` },
    );
  }
  throw new VjError(
    'VJ_BUS_COMMAND_FAILED',
    `"${command}" failed on ${worker}: ${response.error ?? 'the worker sent no error text'}`,
    {
      worker,
      command,
      remoteCode: response.code,
      shortMessage: `${worker}: ${command} failed`,
    },
  );
}

/**
 * Builds the error for a worker without a live entry. Its message
 * distinguishes a worker that is registered but stale, crashed or stopped
 * from one that is not registered, and lists every registered worker with
 * the state of those not alive.
 */
export async function describeMissingWorker(
  bus: BusClient,
  worker: string,
  remedy: string | undefined,
  cause: unknown,
): Promise<VjError> {
  const entries = await bus.registry.list({ includeStale: true });
  const live = bus.workers();
  const stateOf = (name: string): string => {
    if (Object.hasOwn(live, name)) return 'running';
    const status = entries[name]?.status;
    return status === 'crashed' || status === 'stopped' ? status : 'stale';
  };

  const names = Object.keys(entries).sort();
  const listed = names.map((name) => (stateOf(name) === 'running' ? name : `${name} (${stateOf(name)})`));
  const registered =
    names.length === 0 ? 'no worker is registered' : `registered workers: ${listed.join(', ')}`;
  const subject = Object.hasOwn(entries, worker)
    ? `Worker ${worker} is registered in ${bus.registry.path} but not running (${stateOf(worker)})`
    : `Worker ${worker} is not registered in ${bus.registry.path}`;
  const next = remedy ?? 'check the name, or start the workers with pnpm start';
  return new VjError('VJ_BUS_WORKER_NOT_FOUND', `${subject}; ${registered}; ${next}`, {
    cause,
    worker,
    shortMessage: `${worker} not running`,
  });
}
