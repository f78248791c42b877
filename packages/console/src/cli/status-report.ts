/**
 * The data behind `vj status`: one row per registry entry, probed with
 * `health_check`, joined with the process manager's `list_workers` when it
 * replies. Workers that the process manager supervises but that have no
 * registry entry, such as one stopped with `vj stop`, get a row too.
 */
import { type BusClient, isVjError, type RegistryEntry, type Response } from '@vj/bus';
import type { CliContext } from './context';

/** Registry name of the process manager. */
export const PROCESS_MANAGER = 'process_manager';

/** One worker of `vj status`; snake_case because `--json` prints it as is. */
export interface StatusRow {
  name: string;
  /** Registry view: the entry's status while its heartbeat is fresh, else stale, crashed or stopped; `not registered` without an entry. */
  status: string;
  /** `status` of the health_check reply, `no reply` after the timeout, `error` for an error reply, `-` when not probed. */
  health: string;
  /** Error text of an error reply to health_check, else null. */
  health_error: string | null;
  pid: number | null;
  /** Time since the worker started, in seconds. */
  uptime_s: number | null;
  /** Time since the newest registry heartbeat, in seconds. */
  heartbeat_age_s: number | null;
  ports: { command: number; telemetry: number } | null;
  /** pm2's status from list_workers, null without it. */
  pm2_status: string | null;
  /** Restarts counted by the process manager, null without it. */
  restarts: number | null;
  /** True when the entry is fresh and health_check replied `healthy`. */
  healthy: boolean;
}

/** Outcome of the `list_workers` request to the process manager. */
export type ProcessManagerState = 'ok' | 'not running' | 'no reply' | 'error';

/** Everything `vj status` prints. */
export interface StatusReport {
  /** Path of registry.json. */
  registry: string;
  process_manager: { state: ProcessManagerState; error: string | null };
  /** Rows sorted by name. */
  workers: StatusRow[];
}

/** One item of list_workers, reduced to the fields the report reads. */
interface SupervisedWorker {
  name: string;
  health: string;
  pm2_status: string;
  pid: number;
  uptime_s: number;
  restarts: number;
}

/**
 * Reads the registry and probes every live worker and the process manager in
 * parallel, each with the context's timeout.
 *
 * @throws VjError VJ_REGISTRY_CORRUPT or VJ_REGISTRY_IO_FAILED when registry.json cannot be read.
 */
export async function collectStatus(bus: BusClient, context: CliContext): Promise<StatusReport> {
  const entries = await bus.registry.list({ includeStale: true, rejectCorrupt: true });
  const live = bus.workers();
  const nowMs = Date.now();

  const [probes, supervision] = await Promise.all([
    Promise.all(
      Object.keys(live).map(
        async (name) => [name, await sendIfRunning(bus, name, 'health_check', context)] as const,
      ),
    ),
    listSupervised(bus, context),
  ]);
  const replies = new Map(probes);
  const supervised = new Map((supervision.workers ?? []).map((worker) => [worker.name, worker]));

  const rows: StatusRow[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    const liveEntry = Object.hasOwn(live, name) ? entry : undefined;
    rows.push(registeredRow(name, entry, liveEntry, replies.get(name), supervised.get(name), nowMs));
  }
  for (const [name, worker] of supervised) {
    if (!Object.hasOwn(entries, name)) rows.push(supervisedRow(worker));
  }
  rows.sort((a, b) => a.name.localeCompare(b.name));

  return {
    registry: bus.registry.path,
    process_manager: { state: supervision.state, error: supervision.error },
    workers: rows,
  };
}

/**
 * Sends a command and resolves with the whole response, or with undefined
 * when the worker left the registry after it was read.
 */
async function sendIfRunning(
  bus: BusClient,
  worker: string,
  command: string,
  context: CliContext,
): Promise<Response | undefined> {
  try {
    return await bus.send(worker, command, {}, { timeoutMs: context.timeoutMs });
  } catch (error) {
    if (isVjError(error, 'VJ_BUS_WORKER_NOT_FOUND')) return undefined;
    throw error;
  }
}

async function listSupervised(
  bus: BusClient,
  context: CliContext,
): Promise<{ state: ProcessManagerState; error: string | null; workers?: SupervisedWorker[] }> {
  if (!Object.hasOwn(bus.workers(), PROCESS_MANAGER)) return { state: 'not running', error: null };

  const response = await sendIfRunning(bus, PROCESS_MANAGER, 'list_workers', context);
  if (response === undefined) return { state: 'not running', error: null };
  if (response.status === 'timeout') return { state: 'no reply', error: null };
  if (response.status === 'error') return { state: 'error', error: response.error };

  const workers = response.result?.workers;
  // The process manager is another process, so its reply is checked before use.
  if (!Array.isArray(workers)) {
    return { state: 'error', error: 'the reply to list_workers has no "workers" list' };
  }
  return { state: 'ok', error: null, workers: workers.filter(isSupervisedWorker) };
}

function isSupervisedWorker(value: unknown): value is SupervisedWorker {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item.name === 'string' &&
    typeof item.health === 'string' &&
    typeof item.pm2_status === 'string' &&
    typeof item.pid === 'number' &&
    typeof item.uptime_s === 'number' &&
    typeof item.restarts === 'number'
  );
}

function registeredRow(
  name: string,
  entry: RegistryEntry,
  liveEntry: RegistryEntry | undefined,
  reply: Response | undefined,
  supervised: SupervisedWorker | undefined,
  nowMs: number,
): StatusRow {
  const status =
    liveEntry?.status ?? (entry.status === 'crashed' || entry.status === 'stopped' ? entry.status : 'stale');
  const health = healthOf(reply);
  const replyUptime = reply?.status === 'ok' ? reply.result?.uptime_s : undefined;
  let uptimeS: number | null = null;
  if (typeof replyUptime === 'number') uptimeS = replyUptime;
  else if (liveEntry?.started_at !== undefined) uptimeS = nowMs / 1000 - liveEntry.started_at;

  return {
    name,
    status,
    health,
    health_error: reply?.status === 'error' ? reply.error : null,
    pid: entry.pid,
    uptime_s: uptimeS,
    heartbeat_age_s: Math.max(0, nowMs / 1000 - entry.heartbeat_at),
    ports: { command: entry.ports.command, telemetry: entry.ports.telemetry },
    pm2_status: supervised?.pm2_status ?? null,
    restarts: supervised?.restarts ?? null,
    healthy: liveEntry !== undefined && health === 'healthy',
  };
}

function supervisedRow(worker: SupervisedWorker): StatusRow {
  const running = worker.pid > 0;
  return {
    name: worker.name,
    status: 'not registered',
    health: '-',
    health_error: null,
    pid: running ? worker.pid : null,
    uptime_s: running ? worker.uptime_s : null,
    heartbeat_age_s: null,
    ports: null,
    pm2_status: worker.pm2_status,
    restarts: worker.restarts,
    healthy: false,
  };
}

function healthOf(reply: Response | undefined): string {
  if (reply === undefined) return '-';
  if (reply.status === 'timeout') return 'no reply';
  if (reply.status === 'error') return 'error';
  const status = reply.result?.status;
  return typeof status === 'string' ? status : 'unknown';
}
