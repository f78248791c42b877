/**
 * SystemModel: the console's plain-data view of the running system, with no
 * blessed in it. It follows the registry through a BusClient, polls the
 * process manager and every worker once a second with short timeouts, keeps
 * the latest telemetry per topic and the last lifecycle events, and runs the
 * console's actions. Nothing it receives is thrown into the caller: invalid
 * messages and failing handlers are counted.
 */
import { EventEmitter } from 'node:events';
import {
  BusClient,
  isVjError,
  LogQueryResultValidator,
  type PublishedMessage,
  type RegistryEntry,
  TopicFamilies,
  Topics,
  type VjError,
} from '@vj/bus';
import {
  type ActionResult,
  type AudioDevice,
  type BeatCommand,
  listAudioDevices,
  PROCESS_MANAGER,
  runLifecycleCommand,
  sendBeatOverride,
  setAudioDevice,
} from './actions';
import { DEFAULT_LOG_CAPACITY, fromAggregated } from './log-buffer';
import { type ChangeKind, TelemetryState } from './telemetry';
import {
  buildWorkerRows,
  type HealthProbe,
  isSupervisedWorker,
  type ProcessManagerView,
  type WorkerRow,
} from './workers';

export interface SystemModelOptions {
  /** Folder of the registry (default env VJ_HOME, else ~/.vj). */
  vjHome?: string;
  /** Timeout of actions such as restart_worker, in ms (default 5000). */
  timeoutMs?: number;
  /** Interval of the list_workers and health_check polls, in ms (default 1000). */
  pollIntervalMs?: number;
  /** Timeout of each poll request, in ms (default 800, so that a poll ends before the next one). */
  pollTimeoutMs?: number;
  /** Lifecycle events kept for the overview (default 50). */
  eventCapacity?: number;
}

/** A lifecycle event: one published by the process manager, or a registry change seen by the console. */
export interface LifecycleEvent {
  /** Arrival time, Unix ms. */
  atMs: number;
  worker: string;
  /** The process manager's event name (`worker_crashed`), or `registered`, `unregistered`, `re-registered`. */
  event: string;
  /** Short description of the payload: pids, reason, exit code. */
  detail: string;
  source: 'process_manager' | 'registry';
}

export interface SystemModelEvents {
  /** Part of the model changed; listeners re-render what shows it. */
  change: [kind: ChangeKind];
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_POLL_TIMEOUT_MS = 800;
const DEFAULT_EVENT_CAPACITY = 50;
// The console notices a restarted worker through the registry; half a second keeps that under the 1 s it promises.
const RESCAN_INTERVAL_MS = 500;
// A console only needs the latest frames; a small receive queue keeps a stalled render from building a backlog.
const RECEIVE_HIGH_WATER_MARK = 200;

/**
 * The console's model of the system.
 *
 * @example
 * const model = new SystemModel({ vjHome });
 * model.on('change', (kind) => render(kind));
 * await model.start();
 * const result = await model.restart('audio_analyzer');
 */
export class SystemModel extends EventEmitter<SystemModelEvents> {
  readonly bus: BusClient;
  readonly telemetry = new TelemetryState();
  /** Lifecycle events, newest first. */
  readonly events: LifecycleEvent[] = [];
  processManager: ProcessManagerView = { state: 'absent' };
  /** Messages the bus client dropped as invalid since the console started. */
  invalidMessages = 0;
  /** Listener errors caught while applying a message or a registry change. */
  handlerErrors = 0;
  /** Short text of the latest invalid message, handler error or registry warning. */
  lastProblem: string | undefined;
  private readonly options: Required<Omit<SystemModelOptions, 'vjHome'>>;
  private readonly probes = new Map<string, HealthProbe>();
  private readonly busHeartbeats = new Map<string, { pid: number; atMs: number }>();
  private readonly seen = new Set<string>();
  private allEntries: Record<string, RegistryEntry> = {};
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private closed = false;

  constructor(options: SystemModelOptions = {}) {
    super();
    this.options = {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      pollTimeoutMs: options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS,
      eventCapacity: options.eventCapacity ?? DEFAULT_EVENT_CAPACITY,
    };
    this.bus = new BusClient({
      ...(options.vjHome === undefined ? {} : { vjHome: options.vjHome }),
      timeoutMs: this.options.timeoutMs,
      source: 'vj-console',
      rescanIntervalMs: RESCAN_INTERVAL_MS,
      receiveHighWaterMark: RECEIVE_HIGH_WATER_MARK,
    });
  }

  /** Reads the registry, subscribes to the topics the console shows and starts polling. */
  async start(): Promise<void> {
    this.bus.on('message', (_topic, message) => this.guard(() => this.onMessage(message)));
    this.bus.on('invalid', (error) => this.guard(() => this.onInvalid(error)));
    this.bus.on('warning', (error) => this.guard(() => this.noteProblem(error.shortMessage)));
    this.bus.on('worker_added', (name, entry) =>
      this.guard(() => this.onRegistryChange(name, 'registered', `pid ${entry.pid}`)),
    );
    this.bus.on('worker_removed', (name, entry) =>
      this.guard(() => this.onRegistryChange(name, 'unregistered', `pid ${entry.pid}`)),
    );
    this.bus.on('worker_restarted', (name, entry, previous) =>
      this.guard(() => this.onRegistryChange(name, 're-registered', `pid ${previous.pid} → ${entry.pid}`)),
    );
    this.bus.subscribe(
      'audio.',
      'spotify.',
      'osc.',
      TopicFamilies.logs,
      TopicFamilies.events,
      Topics.heartbeat,
    );

    await this.bus.start();
    await this.refresh();
    if (this.closed) return;
    await this.loadLogHistory();
    if (this.closed) return;
    this.pollTimer = setInterval(() => void this.refresh(), this.options.pollIntervalMs);
  }

  /**
   * Reads the newest records from the log aggregator, so that the Logs screen
   * shows what happened before the console opened. Without an aggregator, or
   * when it does not reply, the screen starts empty and fills as lines come.
   */
  private async loadLogHistory(): Promise<void> {
    if (this.bus.workers().log_aggregator === undefined) return;
    try {
      const result = await this.bus.request('log_aggregator', 'query', { limit: DEFAULT_LOG_CAPACITY });
      if (!LogQueryResultValidator.Check(result)) {
        this.noteProblem('log history: invalid query result from log_aggregator');
        return;
      }
      this.telemetry.logs.prependHistory(result.records.map(fromAggregated).reverse());
      this.emit('change', 'logs');
    } catch (error) {
      this.noteProblem(`log history: ${isVjError(error) ? error.shortMessage : String(error)}`);
    }
  }

  /** Stops polling and closes every socket; the workers keep running. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pollTimer);
    await this.polling;
    await this.bus.close();
  }

  /** Builds the worker table as of `nowMs`. */
  workers(nowMs = Date.now()): WorkerRow[] {
    return buildWorkerRows({
      live: this.bus.workers(),
      all: this.allEntries,
      processManager: this.processManager,
      probes: this.probes,
      busHeartbeats: this.busHeartbeats,
      seen: this.seen,
      nowMs,
      isAlive: isProcessAlive,
    });
  }

  /** Polls the registry, the process manager and every worker now; concurrent calls share one poll. */
  refresh(): Promise<void> {
    if (this.polling !== undefined) return this.polling;
    this.polling = this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Restarts a worker through the process manager. */
  restart(name: string): Promise<ActionResult> {
    return this.lifecycle(runLifecycleCommand(this.bus, 'restart_worker', name, this.options.timeoutMs));
  }

  /** Stops a running worker, or starts one that is not running, through the process manager. */
  toggle(name: string): Promise<ActionResult> {
    const row = this.workers().find((candidate) => candidate.name === name);
    const command = row?.running === false ? 'start_worker' : 'stop_worker';
    return this.lifecycle(runLifecycleCommand(this.bus, command, name, this.options.timeoutMs));
  }

  /** Lists the audio analyser's input devices. */
  listDevices(): Promise<{ ok: true; devices: AudioDevice[] } | (ActionResult & { ok: false })> {
    return listAudioDevices(this.bus, this.options.timeoutMs);
  }

  /** Switches the audio analyser to the device of that name. */
  setDevice(device: string): Promise<ActionResult> {
    return setAudioDevice(this.bus, device, this.options.timeoutMs);
  }

  /** Sends a beat-tracking override (tap, double, halve, nudge by `nudgeMs`, resync, release) to the audio analyser. */
  overrideBeat(override: BeatCommand, nudgeMs = 0): Promise<ActionResult> {
    return sendBeatOverride(this.bus, override, this.options.timeoutMs, nudgeMs);
  }

  private async lifecycle(action: Promise<ActionResult>): Promise<ActionResult> {
    const result = await action;
    void this.refresh();
    return result;
  }

  private async pollOnce(): Promise<void> {
    const live = this.bus.workers();
    await Promise.all([
      this.readRegistry(),
      this.pollProcessManager(live),
      ...Object.entries(live).map(([name, entry]) => this.probe(name, entry)),
    ]);
    if (this.closed) return;
    for (const name of Object.keys(this.allEntries)) this.seen.add(name);
    if (this.processManager.state === 'ok') {
      for (const worker of this.processManager.workers) this.seen.add(worker.name);
    }
    this.emit('change', 'workers');
  }

  private async readRegistry(): Promise<void> {
    try {
      this.allEntries = await this.bus.registry.list({ includeStale: true, rejectCorrupt: true });
    } catch (error) {
      // The bus client reports registry problems as warnings; the last good view stays.
      this.noteProblem((error as VjError).shortMessage ?? String(error));
    }
  }

  private async pollProcessManager(live: Record<string, RegistryEntry>): Promise<void> {
    if (live[PROCESS_MANAGER] === undefined) {
      this.processManager = { state: 'absent' };
      return;
    }
    try {
      const result = await this.bus.request(PROCESS_MANAGER, 'list_workers', {}, this.pollOptions());
      const workers = Array.isArray(result?.workers) ? result.workers.filter(isSupervisedWorker) : [];
      this.processManager = { state: 'ok', workers };
    } catch (error) {
      this.processManager = { state: 'error', error: (error as VjError).shortMessage ?? String(error) };
    }
  }

  private async probe(name: string, entry: RegistryEntry): Promise<void> {
    const atMs = Date.now();
    try {
      const result = await this.bus.request(name, 'health_check', {}, this.pollOptions());
      const status = typeof result?.status === 'string' ? result.status : 'healthy';
      const uptimeS = typeof result?.uptime_s === 'number' ? result.uptime_s : 0;
      this.probes.set(name, { ok: true, pid: entry.pid, status, uptimeS, atMs });
    } catch (error) {
      this.probes.set(name, {
        ok: false,
        pid: entry.pid,
        error: (error as VjError).shortMessage ?? String(error),
        atMs,
      });
    }
  }

  private pollOptions(): { timeoutMs: number } {
    return { timeoutMs: Math.min(this.options.pollTimeoutMs, this.options.timeoutMs) };
  }

  private onMessage(message: PublishedMessage): void {
    const nowMs = Date.now();
    if (message.type === 'heartbeat') {
      this.busHeartbeats.set(message.source, { pid: message.pid, atMs: message.timestamp * 1000 });
      return;
    }
    if (message.type === 'event') {
      this.pushEvent({
        atMs: nowMs,
        worker: message.worker,
        event: message.event,
        detail: describePayload(message.payload),
        source: 'process_manager',
      });
      return;
    }
    const aggregatorRuns = this.bus.workers().log_aggregator !== undefined;
    const kind = this.telemetry.apply(message, nowMs, aggregatorRuns);
    if (kind !== undefined) this.emit('change', kind);
  }

  private onInvalid(error: VjError): void {
    this.invalidMessages++;
    this.noteProblem(error.shortMessage);
  }

  private onRegistryChange(name: string, event: LifecycleEvent['event'], detail: string): void {
    this.seen.add(name);
    this.pushEvent({ atMs: Date.now(), worker: name, event, detail, source: 'registry' });
    this.emit('change', 'workers');
    // A worker that came back is probed at once, so its row turns healthy before the next poll.
    void this.refresh();
  }

  private pushEvent(event: LifecycleEvent): void {
    this.events.unshift(event);
    if (this.events.length > this.options.eventCapacity) this.events.length = this.options.eventCapacity;
    this.emit('change', 'events');
  }

  private noteProblem(text: string): void {
    this.lastProblem = text;
    this.emit('change', 'status');
  }

  private guard(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.handlerErrors++;
      this.noteProblem(error instanceof Error ? error.message : String(error));
    }
  }
}

/** Tells whether a process with `pid` exists on this machine (signal 0 sends nothing). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Describes an event payload in a few words: pid, previous pid, reason, exit code. */
function describePayload(payload: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof payload.previous_pid === 'number' && typeof payload.pid === 'number')
    parts.push(`pid ${payload.previous_pid} → ${payload.pid}`);
  else if (typeof payload.pid === 'number' && payload.pid > 0) parts.push(`pid ${payload.pid}`);
  if (typeof payload.reason === 'string') parts.push(payload.reason);
  if (typeof payload.exit_code === 'number') parts.push(`exit ${payload.exit_code}`);
  if (typeof payload.signal === 'string') parts.push(`killed by ${payload.signal}`);
  if (typeof payload.requested_by === 'string') parts.push(`by ${payload.requested_by}`);
  return parts.join(', ');
}
