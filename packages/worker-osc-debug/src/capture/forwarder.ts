import dgram from 'node:dgram';
import net from 'node:net';

/** Minimum time between two logged send errors of one target, in ms. */
export const FORWARD_ERROR_LOG_INTERVAL_MS = 10_000;

/** Counts of one forward target, keyed by its `host:port` text in get_stats. */
export interface ForwardCounts {
  /** Datagrams sent to the target without a send error. */
  forwarded: Record<string, number>;
  /** Sends to the target that failed. */
  forward_errors: Record<string, number>;
}

/**
 * Called on a failed send or a socket error, at most once per target per
 * FORWARD_ERROR_LOG_INTERVAL_MS. `errors` is the target's count of failed sends so far.
 */
export type ForwardErrorHandler = (target: string, error: Error, errors: number) => void;

interface ForwardTarget {
  text: string;
  host: string;
  port: number;
  forwarded: number;
  errors: number;
  lastReportMs: number;
  // Created once per target, so a send allocates no closure.
  onSent: (error: Error | null) => void;
}

/**
 * Re-sends datagrams unchanged to a list of `host:port` targets from one
 * udp4 socket, counting successes and failures per target. A failed send is
 * counted and reported, never thrown.
 *
 * @example
 * const forwarder = new UdpForwarder((target, error) => log.warn({ target, error: error.message }));
 * forwarder.setTargets(['127.0.0.1:9000']);
 * forwarder.forward(datagram);
 */
export class UdpForwarder {
  private targets: ForwardTarget[] = [];
  private socket: dgram.Socket | undefined;

  constructor(private readonly onError: ForwardErrorHandler) {}

  /**
   * Replaces the target list. Targets that stay keep their counts; removed
   * ones lose them. Each target must pass checkForwardTarget.
   */
  setTargets(targets: readonly string[]): void {
    const existing = new Map(this.targets.map((target) => [target.text, target]));
    this.targets = targets.map((text) => existing.get(text) ?? this.makeTarget(text));
  }

  /** Sends `datagram` to every target; the socket is opened on the first send. */
  forward(datagram: Buffer): void {
    if (this.targets.length === 0) return;

    const socket = this.socket ?? this.open();
    for (const target of this.targets) {
      try {
        socket.send(datagram, target.port, target.host, target.onSent);
      } catch (error) {
        // dgram throws synchronously for arguments it rejects before sending, such as a closed socket.
        target.onSent(error as Error);
      }
    }
  }

  /** Returns the counts per target, in target list order. */
  counts(): ForwardCounts {
    const forwarded: Record<string, number> = {};
    const forwardErrors: Record<string, number> = {};
    for (const target of this.targets) {
      forwarded[target.text] = target.forwarded;
      forwardErrors[target.text] = target.errors;
    }
    return { forwarded, forward_errors: forwardErrors };
  }

  /** Sets every target's counts to zero. */
  clearCounts(): void {
    for (const target of this.targets) {
      target.forwarded = 0;
      target.errors = 0;
    }
  }

  /** Closes the socket; a later forward() opens a new one. */
  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private open(): dgram.Socket {
    const socket = dgram.createSocket('udp4');
    // Send errors arrive in each send's callback; this catches the rest, which would otherwise crash the process.
    socket.on('error', (error) => {
      for (const target of this.targets) this.report(target, error);
    });
    this.socket = socket;
    return socket;
  }

  private makeTarget(text: string): ForwardTarget {
    const { host, port } = parseForwardTarget(text);
    const target: ForwardTarget = {
      text,
      host,
      port,
      forwarded: 0,
      errors: 0,
      lastReportMs: Number.NEGATIVE_INFINITY,
      onSent: (error) => {
        if (error === null) {
          target.forwarded++;
          return;
        }
        target.errors++;
        this.report(target, error);
      },
    };
    return target;
  }

  private report(target: ForwardTarget, error: Error): void {
    const now = performance.now();
    if (now - target.lastReportMs < FORWARD_ERROR_LOG_INTERVAL_MS) return;
    target.lastReportMs = now;
    this.onError(target.text, error, target.errors);
  }
}

/**
 * Checks one forward target: an IPv4 address and a port from 1 to 65535,
 * such as `127.0.0.1:9000`. Returns true, or the reason it is invalid.
 * Host names are rejected because dgram would resolve them again on every send.
 */
export function checkForwardTarget(value: unknown): true | string {
  if (typeof value !== 'string') return `expected a "host:port" string, received ${JSON.stringify(value)}`;

  const match = /^([^:]+):(\d{1,5})$/.exec(value);
  if (match === null)
    return `expected "host:port" such as "127.0.0.1:9000", received ${JSON.stringify(value)}`;
  if (!net.isIPv4(match[1] as string)) {
    return `expected an IPv4 address before the colon, received ${JSON.stringify(value)}`;
  }
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return `expected a port from 1 to 65535, received ${JSON.stringify(value)}`;
  return true;
}

function parseForwardTarget(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}
