/**
 * The one place that talks to pm2 7.0.4: a promise-based wrapper over its
 * programmatic API that connects and disconnects explicitly, keeps pm2 from
 * printing, turns its callback errors into VjErrors and its bus packets into
 * typed process events.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VjError } from '@vj/bus';
import type { StartOptions } from 'pm2';
import { isAlive } from './internal/process-alive';

/** A pm2 app as `pm2 jlist` shows it, reduced to what the process manager uses. */
export interface Pm2Process {
  name: string;
  pmId: number;
  /** Process id, or 0 when no process runs. */
  pid: number;
  /** pm2's status: online, launching, stopping, stopped, errored, waiting restart and so on. */
  status: string;
  /** Unix ms when the current process started (pm2's pm_uptime). */
  startedAtMs: number;
  /** pm2's restart counter (restart_time). */
  restarts: number;
  autorestart: boolean;
  /** Resident memory in bytes and CPU share in percent, from pm2's monitor. */
  memoryBytes: number;
  cpuPercent: number;
}

/** A packet of pm2's `process:event` bus, typed. */
export interface Pm2ProcessEvent {
  /** pm2's event name: online, exit, start, stop, restart, delete, `restart overlimit` and others. */
  event: string;
  name: string;
  pmId: number;
  pid: number;
  status: string;
  /** True when a user or an API call caused it (pm2's `manually`). */
  manually: boolean;
  restarts: number;
  /** Exit code as pm2 reports it; null for a process ended by a signal, for which pm2 7.0.4 itself reports 0. */
  exitCode: number | null;
  /** Signal that ended the process, such as SIGKILL; null after a normal exit or when pm2 does not report one. */
  exitSignal: string | null;
  /** Unix ms when pm2 emitted the event. */
  atMs: number;
}

export interface Pm2AdapterOptions {
  /** pm2's home folder (default: env PM2_HOME, else ~/.pm2). */
  pm2Home?: string;
}

export interface Pm2AdapterEvents {
  process: [event: Pm2ProcessEvent];
  /** pm2's bus connection failed or closed; the adapter does not reconnect by itself. */
  bus_error: [error: VjError];
}

const DAEMON_EXIT_TIMEOUT_MS = 10_000;

type Callback<T> = (error: Error | null | undefined, value: T) => void;

interface Pm2Api {
  connect(callback: Callback<unknown>): void;
  disconnect(callback: Callback<unknown>): void;
  launchBus(callback: Callback<Pm2Bus>): void;
  list(callback: Callback<RawProcess[]>): void;
  start(options: StartOptions, callback: Callback<unknown>): void;
  stop(name: string | number, callback: Callback<unknown>): void;
  restart(name: string | number, callback: Callback<unknown>): void;
  delete(name: string | number, callback: Callback<unknown>): void;
}

interface Pm2Bus {
  on(event: string, listener: (packet: unknown) => void): void;
}

interface RawProcess {
  name?: string;
  pm_id?: number;
  pid?: number;
  monit?: { memory?: number; cpu?: number };
  pm2_env?: {
    status?: string;
    pm_uptime?: number;
    restart_time?: number;
    autorestart?: boolean;
    name?: string;
    pm_id?: number;
  };
}

interface RawEventPacket {
  event?: string;
  manually?: boolean;
  at?: number;
  process?: {
    name?: string;
    pm_id?: number;
    pid?: number;
    status?: string;
    restart_time?: number;
    exit_code?: number;
    /** Added by this project's pm2 patch (patches/pm2@7.0.4.patch). */
    exit_signal?: string | null;
  };
}

/**
 * Promise-based pm2 client for one pm2 home.
 *
 * @example
 * const pm2 = new Pm2Adapter({ pm2Home: '/tmp/pm2' });
 * await pm2.connect();
 * console.log(await pm2.list());
 * await pm2.disconnect();
 */
export class Pm2Adapter extends EventEmitter<Pm2AdapterEvents> {
  readonly pm2Home: string | undefined;
  private api: Pm2Api | undefined;
  private bus: Pm2Bus | undefined;

  constructor(options: Pm2AdapterOptions = {}) {
    super();
    this.pm2Home = options.pm2Home ?? process.env.PM2_HOME;
  }

  /**
   * Connects to the pm2 daemon of pm2Home, starting it when none runs.
   *
   * @throws VjError VJ_PM_PM2_FAILED when pm2 cannot be reached or started.
   */
  async connect(): Promise<void> {
    if (this.api !== undefined) return;
    // Loaded here, not at import: requiring pm2 creates its home folder and reads PM2_HOME.
    const pm2Module = require('pm2') as { custom: new (options: { pm2_home?: string }) => Pm2Api };
    const api = new pm2Module.custom(this.pm2Home === undefined ? {} : { pm2_home: this.pm2Home });
    await call('connect', (callback) => api.connect(callback), this.pm2Home);
    this.api = api;
  }

  /** Subscribes to pm2's process events; they arrive as `process` events of this adapter. */
  async listen(): Promise<void> {
    const api = this.connected();
    if (this.bus !== undefined) return;
    const bus = await call(
      'launchBus',
      (callback: Callback<Pm2Bus>) => api.launchBus(callback),
      this.pm2Home,
    );
    bus.on('process:event', (packet) => {
      const event = toProcessEvent(packet as RawEventPacket);
      if (event !== undefined) this.emit('process', event);
    });
    this.bus = bus;
  }

  /** Lists pm2's apps. */
  async list(): Promise<Pm2Process[]> {
    const api = this.connected();
    const raw = await call('list', (callback: Callback<RawProcess[]>) => api.list(callback), this.pm2Home);
    return raw.map(toProcess);
  }

  /** Starts an app from its options, or the stopped app of that name. */
  async start(app: StartOptions): Promise<void> {
    const api = this.connected();
    await call(`start ${app.name ?? ''}`, (callback) => api.start(app, callback), this.pm2Home);
  }

  /** Stops an app; pm2 sends SIGINT and then SIGKILL after the app's kill_timeout. */
  async stop(name: string): Promise<void> {
    const api = this.connected();
    await call(`stop ${name}`, (callback) => api.stop(name, callback), this.pm2Home);
  }

  /** Restarts an app (stop, then start). */
  async restart(name: string): Promise<void> {
    const api = this.connected();
    await call(`restart ${name}`, (callback) => api.restart(name, callback), this.pm2Home);
  }

  /** Stops an app and removes it from pm2's list. */
  async delete(name: string): Promise<void> {
    const api = this.connected();
    await call(`delete ${name}`, (callback) => api.delete(name, callback), this.pm2Home);
  }

  /**
   * Stops every app and the pm2 daemon itself, and waits until the daemon has exited.
   *
   * pm2's own killDaemon makes the daemon send SIGQUIT back to the calling process,
   * which kills it when its SIGQUIT listener is not on the real `process` (under
   * Jest, for one). So this disconnects first and signals the daemon instead: it
   * handles SIGTERM by stopping its apps and exiting.
   *
   * @throws VjError VJ_PM_PM2_FAILED when the daemon is still running after 10 s.
   */
  async killDaemon(): Promise<void> {
    const pidFile = path.join(this.pm2Home ?? path.join(os.homedir(), '.pm2'), 'pm2.pid');
    await this.disconnect();
    const pid = readPid(pidFile);
    if (pid === undefined) return;

    try {
      process.kill(pid, 'SIGTERM');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw error;
    }
    const deadline = Date.now() + DAEMON_EXIT_TIMEOUT_MS;
    while (isAlive(pid)) {
      if (Date.now() > deadline) {
        throw new VjError(
          'VJ_PM_PM2_FAILED',
          `The pm2 daemon (pid ${pid}) was still running ${DAEMON_EXIT_TIMEOUT_MS} ms after SIGTERM; end it with kill -9 ${pid}`,
          { pid },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Closes the bus and the connection to the daemon; the daemon and its apps keep running. */
  async disconnect(): Promise<void> {
    const api = this.api;
    if (api === undefined) return;
    // pm2's disconnect closes the bus connection too; closing it here first makes disconnect fail.
    this.bus = undefined;
    this.api = undefined;
    await call('disconnect', (callback) => api.disconnect(callback), this.pm2Home);
  }

  private connected(): Pm2Api {
    if (this.api === undefined) {
      throw new VjError('VJ_PM_NOT_CONNECTED', 'The pm2 adapter is not connected; call connect() first');
    }
    return this.api;
  }
}

function call<T>(
  operation: string,
  run: (callback: Callback<T>) => void,
  pm2Home: string | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    run((error, value) => {
      if (error === null || error === undefined) {
        resolve(value);
        return;
      }
      const text = error instanceof Error ? error.message : String(error);
      reject(
        new VjError(
          'VJ_PM_PM2_FAILED',
          `pm2 ${operation} failed: ${text} (PM2_HOME ${pm2Home ?? '~/.pm2'})`,
          {
            cause: error,
            operation,
            pm2Home,
            shortMessage: `pm2 ${operation} failed`,
          },
        ),
      );
    });
  });
}

function toProcess(raw: RawProcess): Pm2Process {
  const env = raw.pm2_env ?? {};
  return {
    name: raw.name ?? env.name ?? '',
    pmId: raw.pm_id ?? env.pm_id ?? -1,
    pid: raw.pid ?? 0,
    status: env.status ?? 'unknown',
    startedAtMs: env.pm_uptime ?? 0,
    restarts: env.restart_time ?? 0,
    autorestart: env.autorestart !== false,
    memoryBytes: raw.monit?.memory ?? 0,
    cpuPercent: raw.monit?.cpu ?? 0,
  };
}

function toProcessEvent(packet: RawEventPacket): Pm2ProcessEvent | undefined {
  const process = packet.process;
  if (typeof packet.event !== 'string' || process === undefined || typeof process.name !== 'string')
    return undefined;
  return {
    event: packet.event,
    name: process.name,
    pmId: process.pm_id ?? -1,
    pid: process.pid ?? 0,
    status: process.status ?? 'unknown',
    manually: packet.manually === true,
    restarts: process.restart_time ?? 0,
    exitCode:
      typeof process.exit_signal === 'string'
        ? null
        : typeof process.exit_code === 'number'
          ? process.exit_code
          : null,
    exitSignal: typeof process.exit_signal === 'string' ? process.exit_signal : null,
    atMs: typeof packet.at === 'number' ? packet.at : Date.now(),
  };
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
