/**
 * Sends the OSC messages of each analysis frame to every configured target:
 * encoded with node-osc's encoder, sent over UDP from sockets that this
 * module owns, with a per-target prefix, address map and output delay.
 */
import dgram from 'node:dgram';
import { isIPv4 } from 'node:net';
import { encode } from 'node-osc';
import { type AddressMap, applyAddressMap, loadAddressMap } from './address-map';

/** The part of the worker's pino logger that the sender uses. */
export interface SenderLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

import type { OscMessage } from './osc-messages';

/** One OSC destination, as given in the worker's `osc_targets` setting. */
export interface OscTarget {
  /** IPv4 address of the receiver; the default target is 127.0.0.1. */
  host: string;
  /** UDP port of the receiver, 1–65535. */
  port: number;
  /** Text put in front of every address, such as "/vj"; empty for none. */
  prefix?: string;
  /** Path of a JSON address map file (see address-map.ts), or null. */
  address_map?: string | null;
  /** Output delay in milliseconds, 0–5000, to line visuals up with projectors or Bluetooth speakers. */
  delay_ms?: number;
}

/** Counters of one target since the sender started. */
export interface OscTargetStats {
  target: string;
  sent: number;
  errors: number;
  /** Datagrams waiting for their delay to pass. */
  queued: number;
  last_error: string | null;
}

export const MAX_DELAY_MS = 5000;
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Checks one target from a configuration; returns true or the reason it is
 * invalid, naming the value.
 */
export function checkOscTarget(value: unknown): true | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected an object such as { "host": "127.0.0.1", "port": 9000 }, received ${JSON.stringify(value)}`;
  }
  const target = value as Record<string, unknown>;
  const known = ['host', 'port', 'prefix', 'address_map', 'delay_ms'];
  const unknown = Object.keys(target).filter((key) => !known.includes(key));
  if (unknown.length > 0) return `unknown fields ${unknown.join(', ')}; known fields: ${known.join(', ')}`;
  if (typeof target.host !== 'string' || !isIPv4(target.host)) {
    return `host must be an IPv4 address such as "127.0.0.1", received ${JSON.stringify(target.host)}`;
  }
  if (
    typeof target.port !== 'number' ||
    !Number.isInteger(target.port) ||
    target.port < 1 ||
    target.port > 65535
  ) {
    return `port must be an integer from 1 to 65535, received ${JSON.stringify(target.port)}`;
  }
  if (
    target.prefix !== undefined &&
    (typeof target.prefix !== 'string' || !/^(\/[^\s/#*,?[\]{}]+)*$/.test(target.prefix))
  ) {
    return `prefix must be empty or an address such as "/vj" without spaces or a trailing "/", received ${JSON.stringify(target.prefix)}`;
  }
  if (
    target.address_map !== undefined &&
    target.address_map !== null &&
    typeof target.address_map !== 'string'
  ) {
    return `address_map must be a file path or null, received ${JSON.stringify(target.address_map)}`;
  }
  if (
    target.delay_ms !== undefined &&
    (typeof target.delay_ms !== 'number' ||
      !Number.isFinite(target.delay_ms) ||
      target.delay_ms < 0 ||
      target.delay_ms > MAX_DELAY_MS)
  ) {
    return `delay_ms must be a number from 0 to ${MAX_DELAY_MS}, received ${JSON.stringify(target.delay_ms)}`;
  }
  return true;
}

interface PendingDatagrams {
  dueMs: number;
  datagrams: Buffer[];
}

interface ResolvedTarget {
  label: string;
  host: string;
  port: number;
  prefix: string;
  map: AddressMap;
  /** Targets with the same prefix and map file share the encoded datagrams of a frame. */
  encodingKey: string;
  delayMs: number;
  socket: dgram.Socket;
  queue: PendingDatagrams[];
  timer: NodeJS.Timeout | undefined;
  stats: OscTargetStats;
  lastErrorLogMs: number;
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.');
}

/** The UDP side of the analyser's OSC output. */
export class OscSender {
  private targets: ResolvedTarget[] = [];
  private loopbackSocket: dgram.Socket | undefined;
  private anySocket: dgram.Socket | undefined;
  private closed = false;

  /**
   * @param bundle Sends the messages of a frame as one bundle (time tag
   *   "immediately") instead of one datagram per message.
   */
  constructor(
    private readonly log: SenderLog,
    private bundle = false,
  ) {}

  /**
   * Replaces the targets. Address map files are read here, so a bad file is
   * reported before anything changes; the old targets' queued datagrams are
   * dropped.
   *
   * @throws VjError VJ_AUDIO_ADDRESS_MAP_UNREADABLE or VJ_AUDIO_ADDRESS_MAP_INVALID.
   */
  setTargets(targets: readonly OscTarget[]): void {
    const maps = targets.map((target) =>
      target.address_map === undefined || target.address_map === null
        ? new Map()
        : loadAddressMap(target.address_map),
    );
    for (const old of this.targets) clearTimeout(old.timer);
    this.targets = targets.map((target, index) => {
      const label = `${target.host}:${target.port}`;
      const prefix = target.prefix ?? '';
      return {
        label,
        host: target.host,
        port: target.port,
        prefix,
        map: maps[index] as AddressMap,
        encodingKey: `${prefix}\n${target.address_map ?? ''}`,
        delayMs: target.delay_ms ?? 0,
        socket: this.socketFor(target.host),
        queue: [],
        timer: undefined,
        stats: { target: label, sent: 0, errors: 0, queued: 0, last_error: null },
        lastErrorLogMs: Number.NEGATIVE_INFINITY,
      };
    });
  }

  /** Switches between one bundle per frame and one datagram per message. */
  setBundle(bundle: boolean): void {
    this.bundle = bundle;
  }

  /**
   * Sends one frame's messages to every target, or queues them for targets
   * with a delay. Returns the number of datagrams handed to the sockets now.
   */
  sendFrame(messages: readonly OscMessage[]): number {
    if (this.closed) return 0;
    const encoded = new Map<string, Buffer[]>();
    let handed = 0;
    for (const target of this.targets) {
      let datagrams = encoded.get(target.encodingKey);
      if (datagrams === undefined) {
        datagrams = this.encodeFor(target, messages);
        encoded.set(target.encodingKey, datagrams);
      }
      if (target.delayMs > 0) {
        this.enqueue(target, datagrams);
      } else {
        this.transmit(target, datagrams);
        handed += datagrams.length;
      }
    }
    return handed;
  }

  /** Counters per target. */
  stats(): OscTargetStats[] {
    return this.targets.map((target) => ({ ...target.stats, queued: target.queue.length }));
  }

  /** Closes the sockets and drops queued datagrams; later frames are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    for (const target of this.targets) clearTimeout(target.timer);
    this.targets = [];
    const sockets = [this.loopbackSocket, this.anySocket].filter((socket) => socket !== undefined);
    this.loopbackSocket = undefined;
    this.anySocket = undefined;
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  private socketFor(host: string): dgram.Socket {
    // Loopback targets get a socket bound to 127.0.0.1, so nothing the
    // analyser opens is reachable from other hosts; other targets need a
    // socket that may send through any interface.
    if (isLoopback(host)) {
      if (this.loopbackSocket === undefined) this.loopbackSocket = this.createSocket('127.0.0.1');
      return this.loopbackSocket;
    }
    if (this.anySocket === undefined) this.anySocket = this.createSocket(undefined);
    return this.anySocket;
  }

  private createSocket(address: string | undefined): dgram.Socket {
    const socket = dgram.createSocket('udp4');
    socket.on('error', (error) => this.log.error({ err: error, address }, 'OSC socket error'));
    if (address !== undefined) socket.bind({ address, port: 0 });
    socket.unref();
    return socket;
  }

  private encodeFor(target: ResolvedTarget, messages: readonly OscMessage[]): Buffer[] {
    const mapped = applyAddressMap(messages, target.map, target.prefix);
    if (this.bundle) {
      return mapped.length === 0 ? [] : [encode({ oscType: 'bundle', timetag: 0, elements: mapped })];
    }
    return mapped.map((message) => encode(message));
  }

  private transmit(target: ResolvedTarget, datagrams: readonly Buffer[]): void {
    for (const datagram of datagrams) {
      try {
        target.socket.send(datagram, target.port, target.host, (error) => {
          if (error) this.recordError(target, error);
          else target.stats.sent++;
        });
      } catch (error) {
        // dgram throws at once, instead of calling back, for a closed socket or a bad argument.
        this.recordError(target, error as Error);
      }
    }
  }

  private enqueue(target: ResolvedTarget, datagrams: Buffer[]): void {
    target.queue.push({ dueMs: performance.now() + target.delayMs, datagrams });
    if (target.timer === undefined) this.scheduleQueue(target);
  }

  private scheduleQueue(target: ResolvedTarget): void {
    const head = target.queue[0];
    if (head === undefined || this.closed) {
      target.timer = undefined;
      return;
    }
    target.timer = setTimeout(
      () => {
        const now = performance.now();
        while (target.queue.length > 0 && (target.queue[0] as PendingDatagrams).dueMs <= now + 0.5) {
          this.transmit(target, (target.queue.shift() as PendingDatagrams).datagrams);
        }
        this.scheduleQueue(target);
      },
      Math.max(0, head.dueMs - performance.now()),
    );
    target.timer.unref();
  }

  private recordError(target: ResolvedTarget, error: Error): void {
    target.stats.errors++;
    target.stats.last_error = error.message;
    const now = performance.now();
    if (now - target.lastErrorLogMs >= ERROR_LOG_INTERVAL_MS) {
      target.lastErrorLogMs = now;
      this.log.warn(
        { err: error, target: target.label, errors: target.stats.errors },
        'OSC send failed; later failures to this target are counted and logged at most every 10 s',
      );
    }
  }
}
