/**
 * Worker base class: everything a vj worker process shares. A subclass adds
 * its own commands and telemetry and overrides the lifecycle hooks.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { isVjError, VjError } from '../errors';
import { newId, nowSeconds } from '../internal/ids';
import { Registry, type RegistryEntry } from '../registry';
import { isProcessAlive } from '../registry/entry';
import type { Event, Heartbeat } from '../schemas/envelope';
import type { WorkerState, WorkerStatus } from '../schemas/payloads';
import { type EventName, eventTopic, Topics } from '../schemas/topics';
import { CommandClient } from '../transport/command-client';
import { type CommandHandler, CommandServer } from '../transport/command-server';
import { tcpEndpoint } from '../transport/endpoint';
import { TelemetryPublisher } from '../transport/publisher';
import { createWorkerLogger } from './logger';
import { type ResolvedWorkerOptions, resolveWorkerOptions, type WorkerOptions } from './options';

/** Maximum time a graceful shutdown may take before the process exits anyway, in ms. */
export const SHUTDOWN_TIMEOUT_MS = 2000;

/** Time that a registered worker of the same name has to reply before a new one takes its name. */
const NAME_CHECK_TIMEOUT_MS = 1000;

const RESTART_BIND_ATTEMPTS = 40;
const RESTART_BIND_RETRY_MS = 50;

/**
 * Base class of every worker: binds the command and telemetry sockets,
 * registers in the registry, sends heartbeats, serves the built-in commands
 * (`health_check`, `get_state`, `set_config`, `restart`, `shutdown`), logs with
 * pino to stdout and to `logs.<level>`, and shuts down on SIGTERM/SIGINT.
 *
 * @example
 * class Ticker extends Worker {
 *   protected override async onStart() { this.every(100, () => this.publish('example.tick', { count: 1, rate_hz: 10 })); }
 * }
 * await new Ticker({ name: 'ticker', commandPort: 5051, telemetryPort: 5052 }).run();
 */
export class Worker<Config extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly options: ResolvedWorkerOptions<Config>;
  readonly log: Logger;
  readonly registry: Registry;
  protected config: Config;
  private readonly attachLog: (sink: ((topic: string, record: unknown) => void) | undefined) => void;
  private readonly handlers = new Map<string, CommandHandler>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: CommandServer | undefined;
  private publisher: TelemetryPublisher | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private status: WorkerStatus = 'stopped';
  private startedAt = 0;
  private signalsInstalled = false;
  private exiting = false;

  /** @throws VjError VJ_WORKER_INVALID_OPTIONS. */
  constructor(options: WorkerOptions<Config>) {
    this.options = resolveWorkerOptions(options);
    this.name = this.options.name;
    this.config = { ...this.options.config };
    const { log, attach } = createWorkerLogger(this.name, this.options.logLevel, this.options.logDestination);
    this.log = log;
    this.attachLog = attach;
    this.registry = new Registry(this.options.vjHome === undefined ? {} : { vjHome: this.options.vjHome });
    this.registry.on('corrupt', (event) => {
      this.log.error(
        { err: event.error, path: event.path, backupPath: event.backupPath },
        'registry file corrupt, moved aside',
      );
    });
    this.registerBuiltInCommands();
  }

  /** Command endpoint, e.g. `tcp://127.0.0.1:5051`. */
  get commandEndpoint(): string {
    return tcpEndpoint(this.options.host, this.options.commandPort);
  }

  /** Telemetry endpoint, e.g. `tcp://127.0.0.1:5052`. */
  get telemetryEndpoint(): string {
    return tcpEndpoint(this.options.host, this.options.telemetryPort);
  }

  /** Current lifecycle status. */
  get currentStatus(): WorkerStatus {
    return this.status;
  }

  /**
   * Registers a custom command. Handlers receive the payload and return the result object.
   *
   * @example
   * this.command('ping', () => ({ pong: true }));
   */
  command(name: string, handler: CommandHandler): this {
    this.handlers.set(name, handler);
    this.server?.handle(name, handler);
    return this;
  }

  /** Publishes `payload` on `topic`; before start() or after stop() it is dropped. */
  publish(topic: string, payload: unknown): void {
    this.publisher?.publish(topic, payload);
  }

  /** Publishes a lifecycle event about `worker` on `events.<event>`; dropped before start() or after stop(). */
  publishEvent(event: EventName, worker: string, payload: Record<string, unknown>): void {
    const message: Event = {
      type: 'event',
      id: newId(),
      timestamp: nowSeconds(),
      source: this.name,
      event,
      worker,
      payload,
    };
    this.publisher?.publishMessage(eventTopic(event), message);
  }

  /** Runs `task` every `intervalMs` while the worker runs; stop() clears it. */
  protected every(intervalMs: number, task: () => void): NodeJS.Timeout {
    const timer = setInterval(task, intervalMs);
    this.timers.add(timer);
    return timer;
  }

  /** Stops a timer started with every(). */
  protected cancel(timer: NodeJS.Timeout): void {
    clearInterval(timer);
    this.timers.delete(timer);
  }

  /**
   * Binds the sockets, registers, starts heartbeats and calls onStart().
   *
   * @throws VjError VJ_BUS_PORT_IN_USE or VJ_BUS_BIND_FAILED when a socket cannot bind, after closing what was opened.
   */
  async start(): Promise<void> {
    this.status = 'starting';
    try {
      await this.checkNameIsFree();
    } catch (error) {
      this.status = 'stopped';
      throw error;
    }
    try {
      this.publisher = await TelemetryPublisher.open({ endpoint: this.telemetryEndpoint, source: this.name });
      this.server = await CommandServer.open({ endpoint: this.commandEndpoint, name: this.name });
    } catch (error) {
      this.closeSockets();
      this.status = 'stopped';
      throw await this.explainBindError(error);
    }

    this.attachLog((topic, record) => this.publisher?.publish(topic, record));
    this.wireServer(this.server);
    this.startedAt = nowSeconds();
    // Register only once onStart() is done, so clients that find the entry find a ready worker.
    try {
      await this.onStart();
    } catch (error) {
      this.attachLog(undefined);
      this.closeSockets();
      this.status = 'stopped';
      throw error;
    }
    await this.registry.register(this.name, this.registryEntry());
    this.status = 'running';
    this.heartbeatTimer = setInterval(() => void this.beat(), this.options.heartbeatIntervalMs);
    this.log.info({ command: this.commandEndpoint, telemetry: this.telemetryEndpoint }, 'worker started');
  }

  /** Calls onStop(), unregisters, and closes the sockets. Safe to call twice. */
  async stop(reason = 'stop requested'): Promise<void> {
    if (this.status === 'stopped' || this.status === 'stopping') return;
    this.status = 'stopping';
    clearInterval(this.heartbeatTimer);
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();

    try {
      await this.onStop();
    } catch (error) {
      this.log.error({ err: error }, 'worker stop hook failed');
    }
    try {
      await this.registry.unregister(this.name, { pid: process.pid });
    } catch (error) {
      this.log.error({ err: error }, 'registry unregister failed');
    }
    this.log.info({ reason }, 'worker stopped');
    this.attachLog(undefined);
    this.closeSockets();
    this.status = 'stopped';
  }

  /** Stops and starts again in the same process, keeping the configuration. */
  async restart(): Promise<void> {
    this.log.info('worker restarting');
    await this.stop('restart requested');
    // ZeroMQ releases a closed socket's port in its I/O thread, a few ms after close() returns.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.start();
        return;
      } catch (error) {
        if (!isVjError(error, 'VJ_BUS_PORT_IN_USE') || attempt === RESTART_BIND_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, RESTART_BIND_RETRY_MS));
      }
    }
  }

  /**
   * Starts the worker as the main program of its process: installs signal
   * handlers, and on a start failure (a port in use, say) logs it, prints one
   * plain line to stderr and exits with code 1.
   */
  async run(): Promise<void> {
    if (this.options.manageProcess) this.installProcessHandlers();
    try {
      await this.start();
    } catch (error) {
      this.log.fatal({ err: error }, 'worker failed to start');
      process.stderr.write(
        `${this.name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      if (this.options.manageProcess) process.exit(1);
      throw error;
    }
  }

  /**
   * Stops and, when the worker manages its process, exits with `code`; exits
   * with code 1 if stopping takes longer than SHUTDOWN_TIMEOUT_MS.
   */
  async shutdown(reason: string, code = 0): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    const force = setTimeout(() => {
      this.log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'worker shutdown timed out, exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();

    await this.stop(reason);
    clearTimeout(force);
    if (this.options.manageProcess) process.exit(code);
  }

  /** Called after the sockets are bound and before the worker registers; start timers and sources here. A throw fails start(). */
  protected async onStart(): Promise<void> {}

  /** Called first during stop(); release what onStart() acquired. */
  protected async onStop(): Promise<void> {}

  /** Returns the worker-specific part of `get_state`, reported under `state`. */
  protected describeState(): Record<string, unknown> {
    return {};
  }

  /**
   * Accepts (true) or rejects (a reason) one set_config key. The default
   * accepts keys that exist in the configuration with a value of the same type.
   */
  protected checkConfig(key: string, value: unknown): true | string {
    if (!(key in this.config))
      return `unknown key; known keys: ${Object.keys(this.config).join(', ') || 'none'}`;
    const current = this.config[key];
    if (current !== null && typeof current !== typeof value)
      return `expected a ${typeof current}, received ${JSON.stringify(value)}`;
    return true;
  }

  /** Called after set_config changed the configuration. */
  protected onConfigChanged(_changes: Partial<Config>): void {}

  /**
   * Rejects a start while another live worker is registered under this
   * worker's name: two workers of one name take turns overwriting the entry,
   * so clients reach each at random and a supervisor takes the live one for
   * hung. A dead pid, a stale heartbeat or a worker that does not reply
   * frees the name, as after a crash.
   */
  private async checkNameIsFree(): Promise<void> {
    let entry: RegistryEntry | undefined;
    try {
      entry = await this.registry.get(this.name);
    } catch {
      // A registry that cannot be read is reported when the worker registers.
      return;
    }
    if (entry === undefined || entry.pid === process.pid) return;
    if ((await this.registry.health(this.name)) !== 'healthy' || !isProcessAlive(entry.pid)) return;
    if (!(await this.answersAsItself(entry))) return;
    throw new VjError(
      'VJ_WORKER_NAME_IN_USE',
      `Another ${this.name} is running (pid ${entry.pid}, ports ${entry.ports.command}/${entry.ports.telemetry}, as the registry in ${path.dirname(this.registry.path)} says); stop it first (pnpm stop, or vj stop ${this.name}), or run this one with its own VJ_HOME`,
      { name: this.name, pid: entry.pid, shortMessage: `${this.name} already runs as pid ${entry.pid}` },
    );
  }

  /**
   * Tells whether the registered worker replies to health_check with its own pid
   * within a second. One that is hung, stopped or gone does not, so it may be
   * replaced, as a supervisor replaces a hung worker.
   */
  private async answersAsItself(entry: RegistryEntry): Promise<boolean> {
    const client = new CommandClient({
      endpoint: tcpEndpoint(entry.host ?? this.options.host, entry.ports.command),
      timeoutMs: NAME_CHECK_TIMEOUT_MS,
      source: this.name,
    });
    try {
      const reply = await client.request('health_check');
      return reply?.pid === entry.pid;
    } catch {
      return false;
    } finally {
      client.close();
    }
  }

  /** Rewrites a port-in-use error to name the variable to change and, when the registry names it, the holder. */
  private async explainBindError(error: unknown): Promise<unknown> {
    if (!isVjError(error, 'VJ_BUS_PORT_IN_USE')) return error;

    const role = error.fields.role === 'command' ? 'command' : 'telemetry';
    const port = role === 'command' ? this.options.commandPort : this.options.telemetryPort;
    const variable = role === 'command' ? 'VJ_COMMAND_PORT' : 'VJ_TELEMETRY_PORT';
    let holder = '';
    try {
      const entries = await this.registry.list({ includeStale: true });
      const found = Object.entries(entries).find(
        ([, entry]) =>
          entry.pid !== process.pid && (entry.ports.command === port || entry.ports.telemetry === port),
      );
      if (found !== undefined) holder = ` by ${found[0]} (pid ${found[1].pid}, as the registry says)`;
    } catch {
      // The registry only adds a detail to the message; the bind error is what matters.
    }
    return new VjError(
      'VJ_BUS_PORT_IN_USE',
      `The ${role} port ${port} on ${this.options.host} is already in use${holder}; stop that process, or set ${variable} to a free port (under pm2, in the app's env in ecosystem.config.ts)`,
      { cause: error, port, role, variable, shortMessage: `${role} port ${port} in use` },
    );
  }

  private registerBuiltInCommands(): void {
    this.handlers.set('health_check', () => ({
      status: this.status === 'running' ? 'healthy' : this.status,
      name: this.name,
      pid: process.pid,
      uptime_s: this.uptimeSeconds(),
    }));
    this.handlers.set('get_state', () => this.stateSnapshot() as unknown as Record<string, unknown>);
    this.handlers.set('set_config', (payload) => this.setConfig(payload));
    this.handlers.set('restart', () => {
      setImmediate(() => {
        this.restart().catch((error: unknown) => {
          this.log.fatal({ err: error }, 'worker restart failed');
          void this.shutdown('restart failed', 1);
        });
      });
      return { restarting: true };
    });
    this.handlers.set('shutdown', () => {
      setImmediate(() => void this.shutdown('shutdown command'));
      return { shutting_down: true };
    });
  }

  private setConfig(changes: Record<string, unknown>): Record<string, unknown> {
    const rejected: Record<string, string> = {};
    for (const [key, value] of Object.entries(changes)) {
      const verdict = this.checkConfig(key, value);
      if (verdict !== true) rejected[key] = verdict;
    }
    const rejectedKeys = Object.keys(rejected);
    if (rejectedKeys.length > 0) {
      const reasons = rejectedKeys.map((key) => `${key}: ${rejected[key]}`).join('; ');
      throw new VjError(
        'VJ_BUS_CONFIG_REJECTED',
        `set_config on ${this.name} was rejected, so nothing was changed: ${reasons}`,
        {
          rejected,
          shortMessage: `rejected ${rejectedKeys.join(', ')}`,
        },
      );
    }

    Object.assign(this.config, changes);
    this.log.info({ changes }, 'config changed');
    this.onConfigChanged(changes as Partial<Config>);
    return { config: { ...this.config } };
  }

  private wireServer(server: CommandServer): void {
    for (const [name, handler] of this.handlers) server.handle(name, handler);
    server.on('rejected', (error) => this.log.warn({ err: error }, 'command rejected'));
    server.on('failed', (command, error) => {
      if (error.code === 'VJ_BUS_HANDLER_FAILED') {
        this.log.error({ command: command.command, id: command.id, err: error }, 'command failed');
        return;
      }
      // A coded error is the caller's mistake or an expected state; its stack adds nothing.
      this.log.warn(
        { command: command.command, id: command.id, code: error.code, error: error.message },
        'command failed',
      );
    });
    server.on('handled', (command, durationMs) =>
      this.log.debug({ command: command.command, id: command.id, durationMs }, 'command handled'),
    );
  }

  private async beat(): Promise<void> {
    try {
      const { restored } = await this.registry.heartbeat(this.name, this.registryEntry());
      if (restored) this.log.warn({ registry: this.registry.path }, 'registry entry restored');
    } catch (error) {
      this.log.error({ err: error }, 'registry heartbeat failed');
    }

    const heartbeat: Heartbeat = {
      type: 'heartbeat',
      id: newId(),
      timestamp: nowSeconds(),
      source: this.name,
      pid: process.pid,
      status: this.status,
      uptime_s: this.uptimeSeconds(),
    };
    this.publisher?.publishMessage(Topics.heartbeat, heartbeat);
  }

  private registryEntry() {
    return {
      pid: process.pid,
      status: 'running' as const,
      host: this.options.host,
      ports: { command: this.options.commandPort, telemetry: this.options.telemetryPort },
      metadata: { ...this.options.metadata },
      startedAt: this.startedAt,
    };
  }

  private stateSnapshot(): WorkerState {
    return {
      name: this.name,
      pid: process.pid,
      status: this.status,
      started_at: this.startedAt,
      uptime_s: this.uptimeSeconds(),
      ports: { command: this.options.commandPort, telemetry: this.options.telemetryPort },
      config: { ...this.config },
      state: this.describeState(),
    };
  }

  private uptimeSeconds(): number {
    if (this.startedAt === 0) return 0;
    return Math.round(Math.max(0, nowSeconds() - this.startedAt) * 1000) / 1000;
  }

  private closeSockets(): void {
    this.server?.close();
    this.publisher?.close();
    this.server = undefined;
    this.publisher = undefined;
  }

  private installProcessHandlers(): void {
    if (this.signalsInstalled) return;
    this.signalsInstalled = true;
    // `on`, not `once`: proper-lockfile's signal-exit re-raises the signal when it counts itself as the
    // only listener, which it would as soon as a `once` wrapper removed itself.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => void this.shutdown(signal));
    }
    process.on('uncaughtException', (error) => {
      this.log.fatal({ err: error }, 'uncaught exception');
      void this.shutdown('uncaught exception', 1);
    });
    process.on('unhandledRejection', (reason) => {
      this.log.fatal({ err: reason }, 'unhandled rejection');
      void this.shutdown('unhandled rejection', 1);
    });
  }
}
