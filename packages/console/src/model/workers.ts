/**
 * Rows of the overview's worker table, merged from the registry, the process
 * manager's `list_workers` and the console's own `health_check` probes. Each
 * source may be missing: without the process manager the lifecycle columns
 * stay empty, and a worker that left the registry stays listed as missing.
 */
import type { RegistryEntry } from '@vj/bus';

/** One worker as `list_workers` of the process manager reports it. */
export interface SupervisedWorker {
  name: string;
  health: string;
  pm2_status: string;
  pid: number;
  uptime_s: number;
  restarts: number;
  heartbeat_age_s: number | null;
}

/** State of the process manager as the console last polled it. */
export type ProcessManagerView =
  | { state: 'absent' }
  | { state: 'ok'; workers: SupervisedWorker[] }
  | { state: 'error'; error: string };

/** Outcome of the latest `health_check` sent to one worker process. */
export type HealthProbe =
  | { ok: true; pid: number; status: string; uptimeS: number; atMs: number }
  | { ok: false; pid: number; error: string; atMs: number };

/** One row of the worker table. Undefined means that no source has the value. */
export interface WorkerRow {
  name: string;
  /**
   * The process manager's health when it supervises the worker, else the
   * console's judgement: healthy, checking, no reply, stale, exited, crashed,
   * stopped or missing.
   */
  health: string;
  /** pm2's status, undefined without the process manager. */
  pm2Status: string | undefined;
  pid: number | undefined;
  uptimeS: number | undefined;
  /** Restarts counted by the process manager. */
  restarts: number | undefined;
  /** Seconds since the newest heartbeat, from the registry or the bus. */
  heartbeatAgeS: number | undefined;
  ports: { command: number; telemetry: number } | undefined;
  /** True when a process of the worker runs, so that `s` stops it rather than starts it. */
  running: boolean;
}

/** Everything buildWorkerRows merges. */
export interface WorkerSources {
  /** Live entries, as BusClient.workers() returns them. */
  live: Record<string, RegistryEntry>;
  /** Every entry of the registry file, stale, crashed and stopped ones included. */
  all: Record<string, RegistryEntry>;
  processManager: ProcessManagerView;
  probes: ReadonlyMap<string, HealthProbe>;
  /** Newest bus heartbeat per worker: its pid and its time in Unix ms. */
  busHeartbeats: ReadonlyMap<string, { pid: number; atMs: number }>;
  /** Names seen since the console started, so that a worker that vanished stays listed. */
  seen: ReadonlySet<string>;
  nowMs: number;
  isAlive: (pid: number) => boolean;
}

/** Builds the worker table, sorted by name. */
export function buildWorkerRows(sources: WorkerSources): WorkerRow[] {
  const supervised = new Map<string, SupervisedWorker>();
  if (sources.processManager.state === 'ok') {
    for (const worker of sources.processManager.workers) supervised.set(worker.name, worker);
  }
  const names = new Set([...sources.seen, ...Object.keys(sources.all), ...supervised.keys()]);
  return [...names].sort().map((name) => buildRow(name, sources, supervised.get(name)));
}

/** Tells whether a `list_workers` item has the fields the table reads; the process manager is an edge. */
export function isSupervisedWorker(value: unknown): value is SupervisedWorker {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item.name === 'string' &&
    typeof item.health === 'string' &&
    typeof item.pm2_status === 'string' &&
    typeof item.pid === 'number' &&
    typeof item.uptime_s === 'number' &&
    typeof item.restarts === 'number' &&
    (item.heartbeat_age_s === null || typeof item.heartbeat_age_s === 'number')
  );
}

function buildRow(name: string, sources: WorkerSources, supervised: SupervisedWorker | undefined): WorkerRow {
  const entry = Object.hasOwn(sources.all, name) ? sources.all[name] : undefined;
  const live = Object.hasOwn(sources.live, name) ? sources.live[name] : undefined;
  const probe = sources.probes.get(name);
  const currentProbe = probe !== undefined && probe.pid === entry?.pid ? probe : undefined;
  const alive = entry !== undefined && sources.isAlive(entry.pid);
  const supervisedPid = supervised !== undefined && supervised.pid > 0 ? supervised.pid : undefined;

  return {
    name,
    health: supervised?.health ?? judgeHealth(entry, live, alive, currentProbe),
    pm2Status: supervised?.pm2_status,
    pid: supervisedPid ?? (alive ? entry?.pid : undefined),
    uptimeS: uptimeOf(supervised, entry, alive, currentProbe, sources.nowMs),
    restarts: supervised?.restarts,
    heartbeatAgeS: heartbeatAgeOf(name, entry, supervised, sources),
    ports: entry?.ports,
    running: supervised !== undefined ? supervised.pm2_status === 'online' : live !== undefined && alive,
  };
}

function judgeHealth(
  entry: RegistryEntry | undefined,
  live: RegistryEntry | undefined,
  alive: boolean,
  probe: HealthProbe | undefined,
): string {
  if (entry === undefined) return 'missing';
  if (entry.status === 'crashed' || entry.status === 'stopped') return entry.status;
  if (!alive) return 'exited';
  if (live === undefined) return 'stale';
  if (probe === undefined) return 'checking';
  return probe.ok ? probe.status : 'no reply';
}

function uptimeOf(
  supervised: SupervisedWorker | undefined,
  entry: RegistryEntry | undefined,
  alive: boolean,
  probe: HealthProbe | undefined,
  nowMs: number,
): number | undefined {
  if (supervised !== undefined && supervised.pid > 0) return supervised.uptime_s;
  if (!alive) return undefined;
  if (probe?.ok === true) return probe.uptimeS + (nowMs - probe.atMs) / 1000;
  if (entry?.started_at !== undefined) return Math.max(0, nowMs / 1000 - entry.started_at);
  return undefined;
}

function heartbeatAgeOf(
  name: string,
  entry: RegistryEntry | undefined,
  supervised: SupervisedWorker | undefined,
  sources: WorkerSources,
): number | undefined {
  if (entry === undefined) return supervised?.heartbeat_age_s ?? undefined;
  const beat = sources.busHeartbeats.get(name);
  const busMs = beat !== undefined && beat.pid === entry.pid ? beat.atMs : 0;
  const newestMs = Math.max(entry.heartbeat_at * 1000, busMs);
  return Math.max(0, (sources.nowMs - newestMs) / 1000);
}
