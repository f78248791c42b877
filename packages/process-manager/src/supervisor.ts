/**
 * Supervisor: applies the restart policy to pm2's process events, finds hung
 * workers from their registry heartbeats, and reports every lifecycle change
 * as a bus event.
 *
 * Supervised apps run with pm2's autorestart off and this class restarts
 * them, because pm2 7's own policy does not fit. Its exponential backoff has
 * no jitter and a fixed 15 s cap. Its max_restarts counts only restarts that
 * come sooner than min_uptime after start, so pm2 restarts a worker that
 * crashes after a few seconds forever. Restarting here also lets each event
 * report the delay actually used.
 */
import type { EventName, Registry, RegistryEntry } from '@vj/bus';
import { VjError } from '@vj/bus';
import type { Logger } from 'pino';
import type { StartOptions } from 'pm2';
import { isAlive } from './internal/process-alive';
import type { Pm2Adapter, Pm2Process, Pm2ProcessEvent } from './pm2-adapter';
import { loadRestartHistory, type RestartHistory, saveRestartHistory } from './restart-history';
import { type RestartPolicyOptions, RestartTracker, resolveRestartPolicy } from './restart-policy';

/** Health of a worker as the supervisor judges it, beside pm2's own status. */
export type WorkerHealth = 'starting' | 'healthy' | 'hung' | 'restarting' | 'stopped' | 'errored' | 'crashed';

/** One row of list_workers. */
export interface WorkerSummary {
  name: string;
  health: WorkerHealth;
  pm2_status: string;
  pid: number;
  generation: number;
  uptime_s: number;
  restarts: number;
  heartbeat_age_s: number | null;
  next_restart_in_ms: number | null;
}

export interface SupervisorOptions {
  pm2: Pm2Adapter;
  registry: Registry;
  /** The supervised apps, by name, as defineEcosystem built them. */
  apps: StartOptions[];
  /** Publishes a lifecycle event on the bus. */
  publishEvent: (event: EventName, worker: string, payload: Record<string, unknown>) => void;
  log: Logger;
  /** Restart policy of every worker, and overrides by worker name. */
  restartPolicy?: RestartPolicyOptions;
  restartPolicies?: Record<string, RestartPolicyOptions>;
  /** A running worker whose heartbeat is older than this is hung, in ms (default 15 000). */
  hungAfterMs?: number;
  /** A worker that has not registered this long after pm2 started it is hung, in ms (default 20 000). */
  startTimeoutMs?: number;
  /** Interval of the heartbeat check, in ms (default 1000). */
  checkIntervalMs?: number;
  /** File that keeps each worker's restart times across restarts of the process manager; none when absent. */
  restartHistoryFile?: string;
}

interface WorkerRecord {
  readonly name: string;
  readonly app: StartOptions;
  readonly tracker: RestartTracker;
  /** Number of processes started for this worker since the supervisor started; keys every event. */
  generation: number;
  pid: number;
  pm2Status: string;
  startedAtMs: number;
  health: WorkerHealth;
  /** A stop was requested (by a command or by pm2's CLI); the next exits are not crashes. */
  stopping: boolean;
  /** The reason of an exit this supervisor caused itself, such as killing a hung process. */
  expectedExit: string | undefined;
  /** A restart this supervisor scheduled, reported with the next start. */
  pendingRestart:
    | { delayMs: number; attempt: number; reason: string; dueAtMs: number; timer: NodeJS.Timeout }
    | undefined;
  /** Set when the next start comes from restart_worker, so it is reported as a restart. */
  requestedRestart: boolean;
}

const DEFAULT_HUNG_AFTER_MS = 15_000;
const DEFAULT_START_TIMEOUT_MS = 20_000;
const DEFAULT_CHECK_INTERVAL_MS = 1000;

/**
 * Supervises the workers of one ecosystem through one pm2 daemon.
 *
 * @example
 * const supervisor = new Supervisor({ pm2, registry, apps, publishEvent, log });
 * await supervisor.start();
 */
export class Supervisor {
  private readonly options: SupervisorOptions;
  private readonly records = new Map<string, WorkerRecord>();
  private readonly hungAfterMs: number;
  private readonly startTimeoutMs: number;
  private checkTimer: NodeJS.Timeout | undefined;
  private historySaving: Promise<void> = Promise.resolve();
  private readonly onProcessEvent = (event: Pm2ProcessEvent): void => {
    void this.handleEvent(event).catch((error: unknown) => {
      this.options.log.error(
        { err: error, app: event.name, pm2Event: event.event },
        'pm2 event handling failed',
      );
    });
  };

  /** @throws VjError VJ_PM_INVALID_OPTIONS when a restart policy is invalid. */
  constructor(options: SupervisorOptions) {
    this.options = options;
    this.hungAfterMs = options.hungAfterMs ?? DEFAULT_HUNG_AFTER_MS;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    for (const app of options.apps) {
      const name = app.name ?? '';
      const policy = resolveRestartPolicy({
        ...options.restartPolicy,
        ...policyFromEnv(name, app.env as Record<string, string> | undefined),
        ...options.restartPolicies?.[name],
      });
      this.records.set(name, {
        name,
        app,
        tracker: new RestartTracker(policy),
        generation: 0,
        pid: 0,
        pm2Status: 'unknown',
        startedAtMs: 0,
        health: 'stopped',
        stopping: false,
        expectedExit: undefined,
        pendingRestart: undefined,
        requestedRestart: false,
      });
    }
  }

  /** Names of the supervised workers, sorted. */
  names(): string[] {
    return [...this.records.keys()].sort();
  }

  /**
   * Rebuilds the view from pm2 and the registry, then follows pm2's events.
   * Running workers are left alone. A stopped worker whose registry entry
   * still names a dead pid crashed while no process manager was running, and is restarted.
   */
  async start(): Promise<void> {
    this.options.pm2.on('process', this.onProcessEvent);
    await this.options.pm2.listen();

    const processes = await this.options.pm2.list();
    const entries = await this.options.registry.list({ includeStale: true });
    const now = Date.now();
    await this.restoreRestartHistory(now);
    for (const record of this.records.values()) {
      const process = processes.find((candidate) => candidate.name === record.name);
      this.adopt(record, process, entries[record.name], now);
    }
    this.checkTimer = setInterval(
      () => void this.checkHealth(),
      this.options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS,
    );
  }

  /** Stops following pm2 and cancels pending restarts; the workers keep running. */
  stop(): void {
    clearInterval(this.checkTimer);
    this.options.pm2.off('process', this.onProcessEvent);
    for (const record of this.records.values()) this.cancelPendingRestart(record);
  }

  /**
   * Starts a worker that is stopped or gave up; a worker that gave up gets a fresh restart budget.
   * A worker that already runs is left as it is.
   *
   * @throws VjError VJ_PM_UNKNOWN_WORKER, VJ_PM_PM2_FAILED.
   */
  async startWorker(name: string): Promise<WorkerSummary> {
    const record = this.recordOf(name);
    const processes = await this.options.pm2.list();
    // A worker that already runs is left alone; restart_worker is the command that replaces it.
    if (processes.find((candidate) => candidate.name === name)?.status === 'online') {
      return this.summaryOf(record, processes, Date.now());
    }
    this.cancelPendingRestart(record);
    record.tracker.reset();
    this.saveRestartHistory();
    record.stopping = false;
    record.health = 'starting';
    await this.options.pm2.start(record.app);
    return this.summaryOf(record, await this.options.pm2.list(), Date.now());
  }

  /**
   * Stops a worker; it stays stopped until start_worker.
   *
   * @throws VjError VJ_PM_UNKNOWN_WORKER, VJ_PM_PM2_FAILED.
   */
  async stopWorker(name: string): Promise<WorkerSummary> {
    const record = this.recordOf(name);
    this.cancelPendingRestart(record);
    const processes = await this.options.pm2.list();
    const current = processes.find((candidate) => candidate.name === name);
    // Nothing to stop: a worker that is not running only loses its pending restart.
    if (current === undefined || current.status !== 'online') {
      if (record.health !== 'errored') record.health = 'stopped';
      return this.summaryOf(record, processes, Date.now());
    }
    record.stopping = true;
    await this.options.pm2.stop(name);
    record.health = 'stopped';
    return this.summaryOf(record, await this.options.pm2.list(), Date.now());
  }

  /**
   * Restarts a worker now, whatever its state, reported as worker_restarted.
   *
   * @throws VjError VJ_PM_UNKNOWN_WORKER, VJ_PM_PM2_FAILED.
   */
  async restartWorker(name: string): Promise<WorkerSummary> {
    const record = this.recordOf(name);
    this.cancelPendingRestart(record);
    record.requestedRestart = true;
    record.tracker.reset();
    const current = (await this.options.pm2.list()).find((candidate) => candidate.name === name);
    if (current?.status === 'online') await this.options.pm2.restart(name);
    else await this.options.pm2.start(record.app);
    return this.summaryOf(record, await this.options.pm2.list(), Date.now());
  }

  /** Returns one row per supervised worker, from pm2's list and the registry. */
  async listWorkers(): Promise<WorkerSummary[]> {
    const processes = await this.options.pm2.list();
    const entries = await this.options.registry.list({ includeStale: true });
    const now = Date.now();
    return this.names().map((name) => {
      const record = this.recordOf(name);
      return this.summaryOf(record, processes, now, entries[name]);
    });
  }

  private adopt(
    record: WorkerRecord,
    process: Pm2Process | undefined,
    entry: RegistryEntry | undefined,
    now: number,
  ): void {
    record.pm2Status = process?.status ?? 'not in pm2';
    if (process !== undefined && process.status === 'online' && process.pid > 0) {
      record.generation = 1;
      record.pid = process.pid;
      record.startedAtMs = process.startedAtMs;
      record.health = 'healthy';
      record.tracker.started(process.startedAtMs);
      this.options.log.info({ app: record.name, appPid: process.pid }, 'supervised worker adopted');
      return;
    }

    const gaveUp = entry?.metadata.gave_up;
    if (typeof gaveUp === 'string' && !isAlive(entry?.pid ?? 0)) {
      record.health = 'errored';
      this.options.log.warn({ app: record.name, reason: gaveUp }, 'supervised worker found errored at start');
      return;
    }

    const crashedUnseen = entry !== undefined && entry.status !== 'stopped' && !isAlive(entry.pid);
    if (process !== undefined && crashedUnseen) {
      record.health = 'crashed';
      this.options.log.warn(
        { app: record.name, appPid: entry.pid },
        'supervised worker found crashed at start',
      );
      this.options.publishEvent('worker_crashed', record.name, {
        reason: 'exited while the process manager was down',
        pid: entry.pid,
        generation: 0,
      });
      this.decideRestart(record, now, 'crashed while the process manager was down');
    }
  }

  private async handleEvent(event: Pm2ProcessEvent): Promise<void> {
    const record = this.records.get(event.name);
    if (record === undefined) return;
    record.pm2Status = event.status;

    if (event.event === 'online') {
      await this.handleOnline(record);
      return;
    }
    if (event.event === 'exit') {
      this.handleExit(record, event);
      return;
    }
    if (event.event === 'stop' || event.event === 'delete') {
      this.cancelPendingRestart(record);
      record.health = 'stopped';
      record.stopping = false;
      this.options.publishEvent('worker_stopped', record.name, {
        pid: record.pid,
        generation: record.generation,
        requested_by: event.manually ? 'user' : 'pm2',
      });
      this.options.log.info({ app: record.name, appPid: record.pid }, 'supervised worker stopped');
    }
  }

  private async handleOnline(record: WorkerRecord): Promise<void> {
    // Update the record before the first await: an exit handled while pm2.list() runs must
    // see this generation as started, not as a restart still pending, or it would be dropped.
    const previousPid = record.pid;
    // A start that follows a stop sequence without its "stop" event is a restart (pm2 restart, restart_worker).
    const restarted = record.stopping || record.requestedRestart || record.pendingRestart !== undefined;
    const pending = record.pendingRestart;
    record.pendingRestart = undefined;
    record.requestedRestart = false;
    record.generation++;
    const generation = record.generation;
    record.pid = 0;
    record.startedAtMs = Date.now();
    record.health = 'starting';
    record.stopping = false;
    record.expectedExit = undefined;
    record.tracker.started(record.startedAtMs);

    const process = (await this.options.pm2.list()).find((candidate) => candidate.name === record.name);
    if (record.generation === generation && process !== undefined && process.pid > 0) {
      record.pid = process.pid;
      record.startedAtMs = process.startedAtMs;
    }

    const payload: Record<string, unknown> = { pid: process?.pid ?? 0, generation };
    if (restarted) {
      Object.assign(payload, {
        previous_pid: previousPid,
        delay_ms: pending?.delayMs ?? 0,
        attempt: pending?.attempt ?? 0,
        reason: pending?.reason ?? 'restart requested',
      });
      this.options.publishEvent('worker_restarted', record.name, payload);
      this.options.log.info({ app: record.name, event: payload }, 'supervised worker restarted');
      return;
    }
    this.options.publishEvent('worker_started', record.name, payload);
    this.options.log.info({ app: record.name, event: payload }, 'supervised worker started');
  }

  private handleExit(record: WorkerRecord, event: Pm2ProcessEvent): void {
    // pm2 sends "exit" with status stopping, then stopped, for a requested stop (stop, restart).
    if (event.status === 'stopping') {
      record.stopping = true;
      return;
    }
    if (
      record.stopping ||
      record.pendingRestart !== undefined ||
      record.health === 'errored' ||
      record.health === 'stopped'
    ) {
      return;
    }

    const now = Date.now();
    const uptimeS = record.startedAtMs > 0 ? (now - record.startedAtMs) / 1000 : 0;
    const reason = record.expectedExit ?? 'exited';
    if (record.expectedExit === undefined) {
      const payload = {
        reason,
        pid: record.pid,
        generation: record.generation,
        exit_code: event.exitCode,
        signal: event.exitSignal,
        uptime_s: round(uptimeS),
        restarts: record.tracker.snapshot(now).restartsInWindow,
      };
      this.options.publishEvent('worker_crashed', record.name, payload);
      this.options.log.warn({ app: record.name, event: payload }, 'supervised worker crashed');
    }
    record.expectedExit = undefined;
    record.health = 'crashed';
    this.decideRestart(record, now, reason);
  }

  private decideRestart(record: WorkerRecord, now: number, reason: string): void {
    const decision = record.tracker.exited(now);
    this.saveRestartHistory();
    if (decision.action === 'give_up') {
      record.health = 'errored';
      const payload = {
        reason: decision.reason,
        restarts_in_window: decision.restartsInWindow,
        window_s: decision.windowMs / 1000,
        generation: record.generation,
      };
      this.options.publishEvent('worker_errored', record.name, payload);
      this.options.log.error({ app: record.name, event: payload }, 'supervised worker gave up');
      void this.markGaveUp(record, decision.reason);
      return;
    }

    record.health = 'restarting';
    const timer = setTimeout(() => void this.restartNow(record), decision.delayMs);
    record.pendingRestart = {
      delayMs: decision.delayMs,
      attempt: decision.attempt,
      reason,
      dueAtMs: now + decision.delayMs,
      timer,
    };
    this.options.log.info(
      { app: record.name, delayMs: decision.delayMs, attempt: decision.attempt },
      'supervised worker restart scheduled',
    );
  }

  /** Gives each worker the restart times that an earlier process manager saved. */
  private async restoreRestartHistory(now: number): Promise<void> {
    const file = this.options.restartHistoryFile;
    if (file === undefined) return;
    const history = await loadRestartHistory(file, this.options.log);
    for (const record of this.records.values()) {
      const times = history[record.name];
      if (times !== undefined) record.tracker.restore(times, now);
    }
    this.options.log.info({ file, workers: Object.keys(history) }, 'restart history restored');
  }

  /** Saves every worker's restart times in the background. A failure is logged and changes nothing else. */
  private saveRestartHistory(): void {
    const file = this.options.restartHistoryFile;
    if (file === undefined) return;
    const history: RestartHistory = {};
    for (const record of this.records.values()) history[record.name] = [...record.tracker.recentRestartsMs];
    // Saves run one after another, so an older history never overwrites a newer one.
    this.historySaving = this.historySaving
      .then(() => saveRestartHistory(file, history))
      .catch((error: unknown) => {
        this.options.log.error({ err: error, file }, 'restart history save failed');
      });
  }

  /**
   * Marks the registry entry of a worker that gave up, so a restarted process
   * manager keeps it errored instead of taking its dead pid for a fresh crash.
   * The worker's own registration on its next start replaces the mark.
   */
  private async markGaveUp(record: WorkerRecord, reason: string): Promise<void> {
    try {
      const entry = await this.options.registry.get(record.name);
      if (entry === undefined || isAlive(entry.pid)) return;
      await this.options.registry.register(record.name, {
        pid: entry.pid,
        ports: entry.ports,
        host: entry.host,
        status: 'crashed',
        metadata: { ...entry.metadata, gave_up: reason },
      });
    } catch (error) {
      this.options.log.error(
        { err: error, app: record.name },
        'registry mark of a worker that gave up failed',
      );
    }
  }

  private async restartNow(record: WorkerRecord): Promise<void> {
    try {
      await this.options.pm2.start(record.app);
    } catch (error) {
      this.options.log.error({ err: error, app: record.name }, 'supervised worker restart failed');
      record.pendingRestart = undefined;
      record.health = 'crashed';
      this.decideRestart(record, Date.now(), 'restart failed');
    }
  }

  private async checkHealth(): Promise<void> {
    let entries: Record<string, RegistryEntry>;
    try {
      entries = await this.options.registry.list({ includeStale: true });
    } catch (error) {
      this.options.log.error({ err: error }, 'registry read failed');
      return;
    }

    const now = Date.now();
    for (const record of this.records.values()) {
      if (record.pid <= 0 || (record.health !== 'healthy' && record.health !== 'starting')) continue;
      const entry = entries[record.name];
      const registered = entry !== undefined && entry.pid === record.pid;
      if (registered && record.health === 'starting') record.health = 'healthy';

      const heartbeatAgeMs = registered ? now - entry.heartbeat_at * 1000 : undefined;
      if (heartbeatAgeMs !== undefined && heartbeatAgeMs > this.hungAfterMs) {
        this.killHung(record, `no heartbeat for ${Math.round(heartbeatAgeMs / 1000)} s`, heartbeatAgeMs);
      } else if (!registered && now - record.startedAtMs > this.startTimeoutMs) {
        this.killHung(
          record,
          `not registered ${Math.round(this.startTimeoutMs / 1000)} s after start`,
          undefined,
        );
      }
    }
  }

  private killHung(record: WorkerRecord, detail: string, heartbeatAgeMs: number | undefined): void {
    const payload = {
      reason: 'hung',
      detail,
      pid: record.pid,
      generation: record.generation,
      heartbeat_age_s: heartbeatAgeMs === undefined ? null : round(heartbeatAgeMs / 1000),
      uptime_s: round((Date.now() - record.startedAtMs) / 1000),
    };
    this.options.publishEvent('worker_crashed', record.name, payload);
    this.options.log.warn({ app: record.name, event: payload }, 'supervised worker hung, killing it');
    record.health = 'hung';
    record.expectedExit = 'hung';
    try {
      // SIGKILL, because a hung or stopped (SIGSTOP) process does not act on SIGINT.
      process.kill(record.pid, 'SIGKILL');
    } catch (error) {
      this.options.log.error(
        { err: error, app: record.name, appPid: record.pid },
        'killing hung worker failed',
      );
    }
  }

  private summaryOf(
    record: WorkerRecord,
    processes: Pm2Process[],
    now: number,
    entry?: RegistryEntry,
  ): WorkerSummary {
    const process = processes.find((candidate) => candidate.name === record.name);
    const online = process?.status === 'online';
    const registered = entry !== undefined && entry.pid === process?.pid;
    return {
      name: record.name,
      health: record.health,
      pm2_status: process?.status ?? 'not in pm2',
      pid: process?.pid ?? 0,
      generation: record.generation,
      uptime_s: online && process !== undefined ? round((now - process.startedAtMs) / 1000) : 0,
      restarts: record.tracker.snapshot(now).restartsInWindow,
      heartbeat_age_s: registered ? round(now / 1000 - entry.heartbeat_at) : null,
      next_restart_in_ms:
        record.pendingRestart === undefined ? null : Math.max(0, record.pendingRestart.dueAtMs - now),
    };
  }

  private cancelPendingRestart(record: WorkerRecord): void {
    if (record.pendingRestart === undefined) return;
    clearTimeout(record.pendingRestart.timer);
    record.pendingRestart = undefined;
  }

  private recordOf(name: string): WorkerRecord {
    const record = this.records.get(name);
    if (record !== undefined) return record;
    throw new VjError(
      'VJ_PM_UNKNOWN_WORKER',
      `Worker "${name}" is not supervised; known workers: ${this.names().join(', ') || 'none'}`,
      {
        worker: name,
        shortMessage: `unknown worker ${name}`,
      },
    );
  }
}

/** Reads a worker's restart policy from VJ_RESTART_POLICY in its app env, a JSON object such as {"maxRestarts":3}. */
function policyFromEnv(name: string, env: Record<string, string> | undefined): RestartPolicyOptions {
  const text = env?.VJ_RESTART_POLICY;
  if (text === undefined || text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as RestartPolicyOptions;
  } catch (cause) {
    throw new VjError(
      'VJ_PM_INVALID_OPTIONS',
      `VJ_RESTART_POLICY of ${name} is not valid JSON (${(cause as Error).message}); expected an object such as {"maxRestarts":3}`,
      { cause, worker: name },
    );
  }
  throw new VjError(
    'VJ_PM_INVALID_OPTIONS',
    `VJ_RESTART_POLICY of ${name} is ${text}; expected a JSON object such as {"maxRestarts":3}`,
    { worker: name },
  );
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
