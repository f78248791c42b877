/**
 * Telemetry publisher: a ZeroMQ Publisher socket sending two-frame messages
 * `[topic, json]`. Publishing never blocks: a subscriber that falls behind by
 * more than the high-water mark loses messages (ZMQ PUB drops at HWM).
 */
import { Publisher } from 'zeromq';
import { newId, nowSeconds } from '../internal/ids';
import { encodeMessage, type PublishedMessage } from '../schemas/codec';
import type { Telemetry } from '../schemas/envelope';
import { bindSocket } from './endpoint';

export interface TelemetryPublisherOptions {
  /** ZeroMQ endpoint to bind, e.g. `tcp://127.0.0.1:5002`. */
  endpoint: string;
  /** Name put in the `source` field of each message. */
  source: string;
  /** Messages queued per subscriber before new ones are dropped (default 1000). */
  sendHighWaterMark?: number;
}

/** Counters of a publisher since it was bound. */
export interface PublisherStats {
  /** Messages handed to ZeroMQ. */
  published: number;
  /** Messages that zeromq.js did not take: dropped because its queue was full, or the socket was closing. */
  failed: number;
}

const DEFAULT_SEND_HWM = 1000;

/**
 * Publishes telemetry, events and heartbeats on one bound socket.
 *
 * @example
 * const publisher = await TelemetryPublisher.open({ endpoint: 'tcp://127.0.0.1:5052', source: 'example_worker' });
 * publisher.publish('example.tick', { count: 1, rate_hz: 10 });
 */
export class TelemetryPublisher {
  readonly endpoint: string;
  readonly stats: PublisherStats = { published: 0, failed: 0 };
  private readonly socket: Publisher;
  private readonly source: string;
  private closed = false;
  private readonly countFailure = (): void => {
    this.stats.failed++;
  };

  private constructor(socket: Publisher, options: TelemetryPublisherOptions) {
    this.socket = socket;
    // lastEndpoint resolves wildcards such as tcp://127.0.0.1:* to the port actually bound.
    this.endpoint = socket.lastEndpoint ?? options.endpoint;
    this.source = options.source;
  }

  /**
   * Binds a Publisher socket.
   *
   * @throws VjError VJ_BUS_PORT_IN_USE or VJ_BUS_BIND_FAILED.
   */
  static async open(options: TelemetryPublisherOptions): Promise<TelemetryPublisher> {
    // sendTimeout 0 makes zeromq.js 6.8 send each message synchronously or reject it at once.
    // Without it, zeromq.js defers one send after a fixed run of synchronous ones (512, in
    // socket.cc), and every send while that one is pending throws EBUSY synchronously: a
    // telemetry burst would crash the worker.
    const socket = new Publisher({
      linger: 0,
      sendTimeout: 0,
      sendHighWaterMark: options.sendHighWaterMark ?? DEFAULT_SEND_HWM,
    });
    try {
      await bindSocket(socket, options.endpoint, 'telemetry');
    } catch (error) {
      socket.close();
      throw error;
    }
    return new TelemetryPublisher(socket, options);
  }

  /** Wraps `payload` in a telemetry envelope and sends it on `topic`. Does nothing after close(). */
  publish(topic: string, payload: unknown): void {
    const message: Telemetry = {
      type: 'telemetry',
      id: newId(),
      timestamp: nowSeconds(),
      source: this.source,
      topic,
      payload,
    };
    this.sendFrames(topic, encodeMessage(message));
  }

  /** Sends a ready-made event or heartbeat message on `topic`. */
  publishMessage(topic: string, message: PublishedMessage): void {
    this.sendFrames(topic, encodeMessage(message));
  }

  /** Closes the socket; later publishes are ignored. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private sendFrames(topic: string, json: string): void {
    if (this.closed) return;
    this.stats.published++;
    try {
      // With sendTimeout 0 the promise is already settled; a rejection means the frame was dropped.
      this.socket.send([topic, json]).catch(this.countFailure);
    } catch {
      // zeromq.js throws synchronously (EBUSY, ETERM) instead of rejecting in some states.
      this.countFailure();
    }
  }
}
