/**
 * OscDebugWorker: listens on UDP ports, decodes every OSC datagram, keeps the
 * newest entries and per-address statistics, and publishes them on the bus.
 */
import type dgram from 'node:dgram';
import { Topics, VjError, Worker, type WorkerOptions } from '@vj/bus';
import { AddressStats } from './capture/address-stats';
import { type CapturedEntry, type CapturedMessage, toCapturedEntries } from './capture/entry';
import { checkForwardTarget, UdpForwarder } from './capture/forwarder';
import { type AddressMatcher, compileAddressPattern } from './capture/glob';
import { DEFAULT_RING_CAPACITY, RingBuffer } from './capture/ring-buffer';
import { UdpPorts } from './capture/udp-ports';
import { decodePacket } from './osc/decode';

/** Settings that set_config may change at run time. */
export interface OscDebugConfig extends Record<string, unknown> {
  /** Address that the UDP sockets bind to. */
  host: string;
  /** UDP ports to listen on, each 1–65535. */
  ports: number[];
  /** Entries that the capture buffer keeps, 1–100,000. */
  buffer_size: number;
  /** `host:port` targets (IPv4 address) that every received datagram is re-sent to, unchanged. */
  forward: string[];
}

/** Registry name, default ports and default configuration of the OSC debug worker. */
export const OSC_DEBUG_DEFAULTS = {
  name: 'osc_debugger',
  commandPort: 5041,
  telemetryPort: 5042,
  config: { host: '127.0.0.1', ports: [9001], buffer_size: DEFAULT_RING_CAPACITY, forward: [] },
} as const;

/** Interval between `osc.messages` batches, in ms. */
export const MESSAGES_INTERVAL_MS = 100;
/** Maximum entries in one `osc.messages` batch; older ones of the interval are counted as `dropped`. */
export const MAX_BATCH_ENTRIES = 100;
/** Interval between `osc.stats` messages, in ms. */
export const STATS_INTERVAL_MS = 1000;

const MAX_BUFFER_SIZE = 100_000;
const DEFAULT_GET_LIMIT = 100;
/** Addresses whose newest message is kept beside the buffer; later new addresses are not kept. */
const MAX_REMEMBERED_ADDRESSES = 4096;
const MATCH_ALL = (): boolean => true;

/**
 * The OSC debug worker. Commands besides the built-in ones: `get_messages`
 * {limit?, filter?}, `get_stats`, `clear` and `set_filter` {pattern}.
 *
 * @example
 * await new OscDebugWorker().run();
 */
export class OscDebugWorker extends Worker<OscDebugConfig> {
  private buffer: RingBuffer<CapturedEntry>;
  /** Newest message of each address, for get_messages with a filter. */
  private readonly lastByAddress = new Map<string, CapturedMessage>();
  private readonly stats = new AddressStats();
  private readonly pending = new RingBuffer<CapturedEntry>(MAX_BATCH_ENTRIES);
  private pendingTotal = 0;
  private filter: AddressMatcher | undefined;
  private passesFilter: (entry: CapturedEntry) => boolean = MATCH_ALL;
  private readonly udp: UdpPorts;
  private readonly forwarder: UdpForwarder;
  // Port changes run one after another, so two quick set_config calls cannot interleave binds.
  private portChange: Promise<void> = Promise.resolve();

  constructor(options: Partial<WorkerOptions<OscDebugConfig>> = {}) {
    const config = {
      ...OSC_DEBUG_DEFAULTS.config,
      ports: [...OSC_DEBUG_DEFAULTS.config.ports],
      forward: [...OSC_DEBUG_DEFAULTS.config.forward],
      ...options.config,
    };
    super({ ...OSC_DEBUG_DEFAULTS, ...options, config });
    this.buffer = new RingBuffer(this.config.buffer_size);
    this.udp = new UdpPorts(this.config.host, (datagram, remote, port) =>
      this.capture(datagram, remote, port),
    );
    this.command('get_messages', (payload) => this.getMessages(payload));
    this.forwarder = new UdpForwarder((target, error, errors) =>
      this.log.warn({ target, error: error.message, forward_errors: errors }, 'osc forward failed'),
    );
    this.forwarder.setTargets(this.config.forward);
    this.command('get_stats', () => this.statsSnapshot());
    this.command('clear', () => this.clear());
    this.command('set_filter', (payload) => this.setFilter(payload));
  }

  /** Resolves once the port changes requested so far have been applied. */
  portsSettled(): Promise<void> {
    return this.portChange;
  }

  protected override async onStart(): Promise<void> {
    await this.changePorts(() => this.udp.sync(this.config.ports));
    this.every(MESSAGES_INTERVAL_MS, () => this.publishBatch());
    this.every(STATS_INTERVAL_MS, () => this.publish(Topics.oscStats, this.statsSnapshot()));
  }

  protected override async onStop(): Promise<void> {
    await this.portChange;
    this.udp.close();
    this.forwarder.close();
  }

  protected override describeState(): Record<string, unknown> {
    return {
      ports: this.udp.statuses(),
      filter: this.filter?.pattern ?? '',
      buffered: this.buffer.size,
      buffer_size: this.buffer.capacity,
    };
  }

  protected override checkConfig(key: string, value: unknown): true | string {
    if (key === 'ports') return checkPorts(value);
    if (key === 'forward') return this.checkForward(value);
    if (
      key === 'buffer_size' &&
      !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_BUFFER_SIZE)
    ) {
      return `expected an integer from 1 to ${MAX_BUFFER_SIZE} entries, received ${JSON.stringify(value)}`;
    }
    if (key === 'host' && (typeof value !== 'string' || value === '')) {
      return `expected an IPv4 address such as "127.0.0.1", received ${JSON.stringify(value)}`;
    }
    return super.checkConfig(key, value);
  }

  protected override onConfigChanged(changes: Partial<OscDebugConfig>): void {
    if (changes.buffer_size !== undefined) this.buffer = this.buffer.resized(changes.buffer_size);
    if (changes.forward !== undefined) {
      this.forwarder.setTargets(changes.forward);
      this.log.info({ forward: changes.forward }, 'osc forward targets updated');
    }
    if (changes.host !== undefined) {
      void this.changePorts(() => this.udp.rebind(this.config.host, this.config.ports));
    } else if (changes.ports !== undefined) {
      void this.changePorts(() => this.udp.sync(this.config.ports));
    }
  }

  private changePorts(apply: () => Promise<VjError[]>): Promise<void> {
    this.portChange = this.portChange.then(async () => {
      const failures = await apply();
      for (const failure of failures) {
        this.log.error(
          {
            port: failure.fields.port,
            host: failure.fields.host,
            code: failure.code,
            error: failure.message,
          },
          'osc port bind failed',
        );
      }
      this.log.info({ ports: this.udp.statuses() }, 'osc ports updated');
    });
    return this.portChange;
  }

  private capture(datagram: Buffer, remote: dgram.RemoteInfo, localPort: number): void {
    const arrival = {
      received_at: Date.now() / 1000,
      source_address: remote.address,
      source_port: remote.port,
      local_port: localPort,
    };
    this.forwarder.forward(datagram);
    this.stats.countPacket();
    const entries = toCapturedEntries(decodePacket(datagram), arrival, () => this.stats.countBundle());
    for (const entry of entries) {
      this.buffer.push(entry);
      if (
        entry.kind === 'message' &&
        (this.lastByAddress.has(entry.address) || this.lastByAddress.size < MAX_REMEMBERED_ADDRESSES)
      ) {
        this.lastByAddress.set(entry.address, entry);
      }
      this.stats.countEntry(entry);
      if (!this.passesFilter(entry)) continue;
      this.pending.push(entry);
      this.pendingTotal++;
    }
  }

  private statsSnapshot(): Record<string, unknown> {
    return { ...this.stats.snapshot(Date.now() / 1000), ...this.forwarder.counts() };
  }

  /**
   * Checks the forward list: each target valid, no duplicates, and none that
   * is one of this worker's own ports, which would loop every datagram back.
   */
  private checkForward(value: unknown): true | string {
    if (!Array.isArray(value))
      return `expected a list of "host:port" strings, received ${JSON.stringify(value)}`;

    for (const target of value) {
      const verdict = checkForwardTarget(target);
      if (verdict !== true) return verdict;
      if (this.isOwnPort(target as string)) {
        return `target ${JSON.stringify(target)} is a port this worker listens on, so every datagram would loop back; forward to another port`;
      }
    }
    if (new Set(value).size !== value.length) {
      return `expected distinct targets, received ${JSON.stringify(value)}`;
    }
    return true;
  }

  // NOTE: compares with the ports and host in force now, so a set_config that changes ports and forward together is not cross-checked.
  private isOwnPort(target: string): boolean {
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon);
    const port = Number(target.slice(colon + 1));
    const sameHost = host === this.config.host || this.config.host === '0.0.0.0';
    return sameHost && this.config.ports.includes(port);
  }

  private publishBatch(): void {
    if (this.pendingTotal === 0) return;

    const messages = this.pending.latest(MAX_BATCH_ENTRIES);
    const dropped = this.pendingTotal - messages.length;
    this.pending.clear();
    this.pendingTotal = 0;
    this.publish(Topics.oscMessages, { messages, dropped });
  }

  private getMessages(payload: Record<string, unknown>): Record<string, unknown> {
    const limit = payload.limit ?? DEFAULT_GET_LIMIT;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw invalidPayload('get_messages', 'limit', 'a positive integer', limit);
    }
    const filter = payload.filter ?? '';
    if (typeof filter !== 'string')
      throw invalidPayload('get_messages', 'filter', 'an OSC address pattern string', filter);

    const matches = filter === '' ? MATCH_ALL : entryMatcher(compileAddressPattern(filter));
    const messages = this.buffer.latest(limit, matches);
    if (filter !== '' && messages.length < limit) {
      // A busy sender (the analyser sends about 800 messages/s) pushes a rare address out of the
      // buffer within a second, so the newest message of each matching address is kept aside.
      const held = new Set(messages);
      for (const entry of this.lastByAddress.values()) {
        if (!held.has(entry) && matches(entry)) messages.push(entry);
      }
      messages.sort((a, b) => b.received_at - a.received_at);
      messages.length = Math.min(messages.length, limit);
    }
    return { messages, buffered: this.buffer.size };
  }

  private setFilter(payload: Record<string, unknown>): Record<string, unknown> {
    const pattern = payload.pattern;
    if (typeof pattern !== 'string')
      throw invalidPayload('set_filter', 'pattern', 'an OSC address pattern string', pattern);

    if (pattern === '') {
      this.filter = undefined;
      this.passesFilter = MATCH_ALL;
    } else {
      this.filter = compileAddressPattern(pattern);
      this.passesFilter = entryMatcher(this.filter);
    }
    this.log.info({ pattern }, 'filter changed');
    return { filter: pattern };
  }

  private clear(): Record<string, unknown> {
    const cleared = this.buffer.size;
    this.buffer.clear();
    this.lastByAddress.clear();
    this.stats.clear();
    this.forwarder.clearCounts();
    this.pending.clear();
    this.pendingTotal = 0;
    this.log.info({ cleared }, 'capture cleared');
    return { cleared };
  }
}

// A malformed entry has no address, so it passes only the empty filter.
function entryMatcher(matcher: AddressMatcher): (entry: CapturedEntry) => boolean {
  return (entry) => entry.kind === 'message' && matcher.test(entry.address);
}

function checkPorts(value: unknown): true | string {
  const valid =
    Array.isArray(value) &&
    value.every((port) => Number.isInteger(port) && port >= 1 && port <= 65535) &&
    new Set(value).size === value.length;
  if (valid) return true;
  return `expected a list of distinct integer UDP ports from 1 to 65535, received ${JSON.stringify(value)}`;
}

function invalidPayload(command: string, field: string, expected: string, value: unknown): VjError {
  return new VjError(
    'VJ_BUS_INVALID_PAYLOAD',
    `${command} expects "${field}" to be ${expected}, received ${JSON.stringify(value)}`,
    { field, value, shortMessage: `invalid ${field}` },
  );
}
