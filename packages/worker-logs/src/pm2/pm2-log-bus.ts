/**
 * The one place that talks to pm2 7.0.4: a read-only client of the daemon's
 * log bus. It never calls pm2.connect(), because that starts a daemon when
 * none runs (and connect(true) runs one inside the calling process). pm2's
 * launchBus() alone opens an axon socket to `$PM2_HOME/pub.sock`. The socket
 * retries after 100 ms, then 1.5 times longer each time up to a maximum (1 s
 * here). So the bus comes back by itself after the daemon restarts, and
 * connects once a daemon starts later.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A chunk that a pm2 app wrote to stdout or stderr, as pm2's `log:out` and `log:err` carry it. */
export interface Pm2Output {
  /** pm2 app name; in vj it is the worker's registry name. */
  appName: string;
  pmId: number;
  stream: 'stdout' | 'stderr';
  /** The chunk as pm2 read it: one or more lines, maybe with pm2's date prefix, maybe cut mid-line. */
  data: string;
  /** Unix ms when the daemon read the chunk. */
  atMs: number;
}

/** A pm2 process event (`online`, `exit` and so on) reduced to what the aggregator uses. */
export interface Pm2ProcessChange {
  event: string;
  appName: string;
  pmId: number;
}

export interface Pm2LogBusEvents {
  output: [output: Pm2Output];
  process: [change: Pm2ProcessChange];
  /** The bus connected, at first or after the daemon came back. */
  connected: [];
  /** The connection was lost; the socket keeps retrying. */
  disconnected: [];
}

/** The log files of one pm2 process, from the daemon's process list. */
export interface Pm2ProcessLogFiles {
  appName: string;
  pmId: number;
  /** Path of the file that receives the process's stdout (`pm_out_log_path`). */
  outFile: string | undefined;
  /** Path of the file that receives the process's stderr (`pm_err_log_path`). */
  errFile: string | undefined;
}

/** Maximum pause between two connection attempts, in ms; axon's default of 5 s would leave a restarted daemon unheard for that long. */
const RETRY_MAX_MS = 1000;

// The parts of pm2's API object and of its axon sockets that this file uses (pm2 7.0.4).
interface AxonSocket {
  connected?: boolean;
  set(option: string, value: number): void;
  on(event: string, listener: () => void): void;
  close(): void;
}
interface Pm2Bus {
  on(event: string, listener: (packet: unknown) => void): void;
}
interface RpcClient {
  sock: AxonSocket;
  call(method: string, argument: unknown, callback: (error: Error | null, result: unknown) => void): void;
}
interface Pm2Api {
  launchBus(callback: (error: Error | null) => void): void;
  Client: {
    sub?: Pm2Bus;
    sub_sock?: AxonSocket;
    client?: RpcClient;
    launchRPC(callback: (error: Error | null) => void): void;
  };
}
interface RawProcess {
  name?: unknown;
  pm_id?: unknown;
  pm2_env?: { pm_out_log_path?: unknown; pm_err_log_path?: unknown };
}
interface RawPacket {
  event?: unknown;
  at?: unknown;
  data?: unknown;
  process?: { name?: unknown; pm_id?: unknown };
}

/**
 * Receives pm2's log and process events for one PM2_HOME.
 *
 * @example
 * const pm2 = new Pm2LogBus({ pm2Home: process.env.PM2_HOME });
 * pm2.on('output', (output) => console.log(output.appName, output.data));
 * pm2.start();
 * pm2.close();
 */
export class Pm2LogBus extends EventEmitter<Pm2LogBusEvents> {
  readonly pm2Home: string;
  private socket: AxonSocket | undefined;
  private api: Pm2Api | undefined;
  private isConnected = false;
  private closed = false;

  constructor(options: { pm2Home?: string } = {}) {
    super();
    this.pm2Home = options.pm2Home ?? process.env.PM2_HOME ?? path.join(os.homedir(), '.pm2');
  }

  /** True while the bus socket is connected to a daemon. */
  get connected(): boolean {
    return this.isConnected;
  }

  /** True when pm2.pid names a live process, that is when a daemon runs for this PM2_HOME. */
  daemonRunning(): boolean {
    let pid: number;
    try {
      pid = Number(readFileSync(path.join(this.pm2Home, 'pm2.pid'), 'utf8').trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /** Opens the bus socket; it connects now or whenever a daemon appears. Calling it twice does nothing. */
  start(): void {
    if (this.socket !== undefined || this.closed) return;
    // Loaded here, not at import: requiring pm2 creates its home folder and sets PM2_PROGRAMMATIC.
    const pm2Module = require('pm2') as { custom: new (options: { pm2_home: string }) => Pm2Api };
    const api = new pm2Module.custom({ pm2_home: this.pm2Home });
    this.api = api;
    api.launchBus(() => undefined);
    // launchBus creates the sub-emitter and its socket synchronously, before any connection.
    const bus = api.Client.sub;
    const socket = api.Client.sub_sock;
    if (bus === undefined || socket === undefined) {
      throw new Error('pm2 launchBus created no bus socket; this adapter expects pm2 7.0.4');
    }
    socket.set('retry max timeout', RETRY_MAX_MS);
    this.socket = socket;
    bus.on('log:out', (packet) => this.emitOutput(packet as RawPacket, 'stdout'));
    bus.on('log:err', (packet) => this.emitOutput(packet as RawPacket, 'stderr'));
    bus.on('process:event', (packet) => this.emitProcess(packet as RawPacket));
    socket.on('connect', () => this.onConnect(socket));
    socket.on('reconnect attempt', () => this.onDisconnect());
  }

  /**
   * Asks the daemon for its processes and the paths of their log files, over
   * pm2's RPC socket (the `getMonitorData` call behind `pm2 list`). Unlike
   * pm2.connect() this never starts a daemon: without one it waits until
   * `timeoutMs`, then rejects. Call it after start().
   *
   * @throws Error when the daemon sends no reply within `timeoutMs` or replies with an error.
   */
  async listLogFiles(timeoutMs: number): Promise<Pm2ProcessLogFiles[]> {
    const client = this.api?.Client;
    if (client === undefined || this.closed) throw new Error('the pm2 log bus is not started');
    client.launchRPC(() => undefined);
    // launchRPC creates the RPC client synchronously; its socket connects in the background.
    const rpc = client.client;
    if (rpc === undefined)
      throw new Error('pm2 launchRPC created no RPC client; this adapter expects pm2 7.0.4');
    try {
      const list = await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`pm2 daemon at ${this.pm2Home} did not list its processes within ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
        rpc.call('getMonitorData', {}, (error, result) => {
          clearTimeout(timer);
          if (error === null || error === undefined) resolve(result);
          else reject(error);
        });
      });
      return Array.isArray(list) ? list.map((item) => toLogFiles(item as RawProcess)) : [];
    } finally {
      rpc.sock.close();
    }
  }

  /** Closes the bus socket; no more events are emitted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.isConnected = false;
    this.socket?.close();
  }

  private onConnect(socket: AxonSocket): void {
    // axon may finish a retry that was already scheduled when close() ran.
    if (this.closed) {
      socket.close();
      return;
    }
    this.isConnected = true;
    this.emit('connected');
  }

  private onDisconnect(): void {
    if (!this.isConnected || this.closed) return;
    this.isConnected = false;
    this.emit('disconnected');
  }

  private emitOutput(packet: RawPacket, stream: 'stdout' | 'stderr'): void {
    const name = packet.process?.name;
    if (typeof name !== 'string' || typeof packet.data !== 'string') return;
    this.emit('output', {
      appName: name,
      pmId: typeof packet.process?.pm_id === 'number' ? packet.process.pm_id : -1,
      stream,
      data: packet.data,
      atMs: typeof packet.at === 'number' ? packet.at : Date.now(),
    });
  }

  private emitProcess(packet: RawPacket): void {
    const name = packet.process?.name;
    if (typeof name !== 'string' || typeof packet.event !== 'string') return;
    const pmId = typeof packet.process?.pm_id === 'number' ? packet.process.pm_id : -1;
    this.emit('process', { event: packet.event, appName: name, pmId });
  }
}

function toLogFiles(item: RawProcess): Pm2ProcessLogFiles {
  const env = item.pm2_env ?? {};
  return {
    appName: typeof item.name === 'string' ? item.name : '',
    pmId: typeof item.pm_id === 'number' ? item.pm_id : -1,
    outFile: typeof env.pm_out_log_path === 'string' ? env.pm_out_log_path : undefined,
    errFile: typeof env.pm_err_log_path === 'string' ? env.pm_err_log_path : undefined,
  };
}
