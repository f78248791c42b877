/**
 * BusClient: how the console, the vj command line and other tools see the
 * bus. It follows the registry (file watch plus a periodic rescan, since a
 * worker going stale changes nothing on disk), keeps one command client per
 * worker and one subscriber connected to every worker's telemetry socket.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { isVjError, VjError } from '../errors';
import { Registry, type RegistryEntry } from '../registry';
import type { PublishedMessage } from '../schemas/codec';
import type { Response } from '../schemas/envelope';
import { CommandClient, type RequestOptions } from '../transport/command-client';
import { DEFAULT_HOST, tcpEndpoint } from '../transport/endpoint';
import { TelemetrySubscriber } from '../transport/subscriber';

export interface BusClientOptions {
  /** Folder of the registry (default env VJ_HOME, else ~/.vj). */
  vjHome?: string;
  /** Default command timeout, in ms (default 2000). */
  timeoutMs?: number;
  /** Name put in the `source` field of commands (default `vj-client`). */
  source?: string;
  /** Interval of the registry rescan that catches stale workers and missed file events, in ms (default 1000). */
  rescanIntervalMs?: number;
  /** Messages buffered by the subscriber before new ones are dropped (default 1000). */
  receiveHighWaterMark?: number;
}

/** Events of a BusClient. None is ever thrown into the caller's event loop. */
export interface BusClientEvents {
  /** A worker appeared in the registry (or became fresh again). */
  worker_added: [name: string, entry: RegistryEntry];
  /** A worker left the registry, went stale, or was marked crashed or stopped. */
  worker_removed: [name: string, entry: RegistryEntry];
  /** A worker's entry changed pid or ports: it restarted. */
  worker_restarted: [name: string, entry: RegistryEntry, previous: RegistryEntry];
  /** A valid telemetry, event or heartbeat message from any worker. */
  message: [topic: string, message: PublishedMessage];
  /** A telemetry message was dropped as invalid. */
  invalid: [error: VjError];
  /** The registry could not be read or watched; the client keeps trying. */
  warning: [error: VjError];
}

/**
 * Discovers workers, sends them commands and receives their telemetry.
 *
 * @example
 * const bus = new BusClient({ vjHome });
 * await bus.start();
 * bus.subscribe('example.');
 * bus.on('message', (topic, message) => console.log(topic, message));
 * console.log(await bus.request('example_worker', 'health_check'));
 */
export class BusClient extends EventEmitter<BusClientEvents> {
  readonly registry: Registry;
  private readonly timeoutMs: number;
  private readonly source: string;
  private readonly rescanIntervalMs: number;
  private readonly subscriber: TelemetrySubscriber;
  private readonly clients = new Map<string, CommandClient>();
  private known = new Map<string, RegistryEntry>();
  private watcher: FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private rescanRequested = false;
  private closed = false;

  constructor(options: BusClientOptions = {}) {
    super();
    this.registry = new Registry(options.vjHome === undefined ? {} : { vjHome: options.vjHome });
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.source = options.source ?? 'vj-client';
    this.rescanIntervalMs = options.rescanIntervalMs ?? 1000;
    this.subscriber = new TelemetrySubscriber(
      options.receiveHighWaterMark === undefined
        ? {}
        : { receiveHighWaterMark: options.receiveHighWaterMark },
    );
    this.subscriber.on('message', (topic, message) => this.emit('message', topic, message));
    this.subscriber.on('invalid', (error) => this.emit('invalid', error));
    this.registry.on('corrupt', (event) => this.emit('warning', event.error));
  }

  /** Reads the registry once and starts following it. */
  async start(): Promise<void> {
    await this.rescan();
    const folder = path.dirname(this.registry.path);
    const file = path.basename(this.registry.path);
    this.watcher = watch(folder, {
      depth: 0,
      ignoreInitial: true,
      ignored: (entry) => entry !== folder && path.basename(entry) !== file,
    });
    this.watcher.on('all', () => void this.rescan());
    this.watcher.on('error', (error) => {
      this.emit(
        'warning',
        new VjError(
          'VJ_REGISTRY_IO_FAILED',
          `Watching ${folder} failed (${(error as Error).message}); the client falls back to rescanning every ${this.rescanIntervalMs} ms`,
          { cause: error },
        ),
      );
    });
    this.rescanTimer = setInterval(() => void this.rescan(), this.rescanIntervalMs);
  }

  /** Live workers as last read: fresh heartbeat, not crashed or stopped. */
  workers(): Record<string, RegistryEntry> {
    return Object.fromEntries(this.known);
  }

  /** Subscribes to topic prefixes on every worker, including ones that appear later. */
  subscribe(...prefixes: string[]): void {
    this.subscriber.subscribe(...prefixes);
  }

  /** Removes topic prefixes given to subscribe(). */
  unsubscribe(...prefixes: string[]): void {
    this.subscriber.unsubscribe(...prefixes);
  }

  /**
   * Sends a command to a worker and resolves with its result.
   *
   * @throws VjError VJ_BUS_WORKER_NOT_FOUND, VJ_BUS_REQUEST_TIMEOUT, VJ_BUS_COMMAND_FAILED, VJ_BUS_CLOSED.
   */
  async request(
    worker: string,
    command: string,
    payload: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<Record<string, unknown> | null> {
    return this.clientFor(worker).request(command, payload, options);
  }

  /**
   * Sends a command and resolves with the whole response (status ok, error or timeout).
   *
   * @throws VjError VJ_BUS_WORKER_NOT_FOUND, VJ_BUS_CLOSED.
   */
  async send(
    worker: string,
    command: string,
    payload: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<Response> {
    return this.clientFor(worker).send(command, payload, options);
  }

  /** Re-reads the registry now and emits the differences; concurrent calls share one read. */
  rescan(): Promise<void> {
    if (this.scanning !== undefined) {
      this.rescanRequested = true;
      return this.scanning;
    }
    this.scanning = this.scanLoop().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  /** Stops following the registry and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.rescanTimer);
    await this.watcher?.close();
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    this.subscriber.close();
  }

  private async scanLoop(): Promise<void> {
    do {
      this.rescanRequested = false;
      await this.scanOnce();
    } while (this.rescanRequested && !this.closed);
  }

  private async scanOnce(): Promise<void> {
    let current: Record<string, RegistryEntry>;
    try {
      current = await this.registry.list({ rejectCorrupt: true });
    } catch (error) {
      // A corrupt file reads as empty; keep the last good view until the workers' heartbeats rewrite it.
      // The registry has already emitted 'corrupt', which became a warning.
      if (isVjError(error, 'VJ_REGISTRY_CORRUPT')) return;
      this.emit(
        'warning',
        error instanceof VjError
          ? error
          : new VjError(
              'VJ_REGISTRY_IO_FAILED',
              `Reading ${this.registry.path} failed: ${(error as Error).message}`,
              { cause: error },
            ),
      );
      return;
    }
    if (this.closed) return;

    const next = new Map(Object.entries(current));
    for (const [name, previous] of this.known) {
      if (!next.has(name)) this.removeWorker(name, previous);
    }
    for (const [name, entry] of next) {
      const previous = this.known.get(name);
      if (previous === undefined) this.addWorker(name, entry);
      else if (previous.pid !== entry.pid || !samePorts(previous, entry))
        this.replaceWorker(name, entry, previous);
    }
    this.known = next;
  }

  private addWorker(name: string, entry: RegistryEntry): void {
    this.subscriber.connect(telemetryEndpointOf(entry));
    this.emit('worker_added', name, entry);
  }

  private removeWorker(name: string, entry: RegistryEntry): void {
    this.subscriber.disconnect(telemetryEndpointOf(entry));
    this.clients.get(name)?.close();
    this.clients.delete(name);
    this.emit('worker_removed', name, entry);
  }

  private replaceWorker(name: string, entry: RegistryEntry, previous: RegistryEntry): void {
    const before = telemetryEndpointOf(previous);
    const after = telemetryEndpointOf(entry);
    // ZeroMQ reconnects by itself to a publisher that comes back on the same endpoint.
    if (before !== after) {
      this.subscriber.disconnect(before);
      this.subscriber.connect(after);
    }
    this.clients.get(name)?.close();
    this.clients.delete(name);
    this.emit('worker_restarted', name, entry, previous);
  }

  private clientFor(worker: string): CommandClient {
    if (this.closed) throw new VjError('VJ_BUS_CLOSED', 'The bus client is closed; create a new one');
    const existing = this.clients.get(worker);
    if (existing !== undefined) return existing;

    const entry = this.known.get(worker);
    if (entry === undefined) {
      const names = [...this.known.keys()].sort().join(', ') || 'none';
      throw new VjError(
        'VJ_BUS_WORKER_NOT_FOUND',
        `Worker "${worker}" is not in the registry ${this.registry.path} or is not alive; running workers: ${names}; start it (pnpm start) or check the name`,
        {
          worker,
          shortMessage: `${worker} not running`,
        },
      );
    }
    const client = new CommandClient({
      endpoint: tcpEndpoint(entry.host ?? DEFAULT_HOST, entry.ports.command),
      timeoutMs: this.timeoutMs,
      source: this.source,
    });
    this.clients.set(worker, client);
    return client;
  }
}

function telemetryEndpointOf(entry: RegistryEntry): string {
  return tcpEndpoint(entry.host ?? DEFAULT_HOST, entry.ports.telemetry);
}

function samePorts(a: RegistryEntry, b: RegistryEntry): boolean {
  return (
    a.ports.command === b.ports.command &&
    a.ports.telemetry === b.ports.telemetry &&
    (a.host ?? DEFAULT_HOST) === (b.host ?? DEFAULT_HOST)
  );
}
