/**
 * Telemetry subscriber: a ZeroMQ Subscriber socket connected to any number of
 * publishers, filtering by topic prefix and validating every message. ZeroMQ
 * reconnects by itself when a publisher restarts on the same address, and
 * resends the subscriptions on the new connection.
 */
import { EventEmitter } from 'node:events';
import { Subscriber } from 'zeromq';
import { VjError } from '../errors';
import { decodePublished, type PublishedMessage } from '../schemas/codec';

export interface TelemetrySubscriberOptions {
  /** Messages buffered before new ones are dropped (default 1000). */
  receiveHighWaterMark?: number;
  /** Delay before a reconnection attempt, in ms (default 100). */
  reconnectIntervalMs?: number;
}

/** Counters of a subscriber since it was created. */
export interface SubscriberStats {
  /** Valid messages delivered to listeners. */
  received: number;
  /** Messages dropped because they failed to decode or validate. */
  invalid: number;
}

export interface TelemetrySubscriberEvents {
  /** A valid message arrived. */
  message: [topic: string, message: PublishedMessage];
  /** A message was dropped as invalid; `error.fields.topic` names its topic. */
  invalid: [error: VjError];
}

const DEFAULT_RECEIVE_HWM = 1000;

/**
 * Receives and validates telemetry from one or more publishers.
 *
 * @example
 * const subscriber = new TelemetrySubscriber();
 * subscriber.connect('tcp://127.0.0.1:5052');
 * subscriber.subscribe('example.');
 * subscriber.on('message', (topic, message) => console.log(topic, message));
 */
export class TelemetrySubscriber extends EventEmitter<TelemetrySubscriberEvents> {
  readonly stats: SubscriberStats = { received: 0, invalid: 0 };
  private readonly socket: Subscriber;
  private readonly endpoints = new Set<string>();
  private receiving = false;
  private closed = false;

  constructor(options: TelemetrySubscriberOptions = {}) {
    super();
    this.socket = new Subscriber({
      linger: 0,
      receiveHighWaterMark: options.receiveHighWaterMark ?? DEFAULT_RECEIVE_HWM,
      reconnectInterval: options.reconnectIntervalMs ?? 100,
    });
  }

  /** Connects to a publisher; connecting twice to the same endpoint does nothing. */
  connect(endpoint: string): void {
    if (this.closed || this.endpoints.has(endpoint)) return;
    this.endpoints.add(endpoint);
    this.socket.connect(endpoint);
    // The receive loop starts after the first connect: with zeromq.js 6.8, a receive pending
    // before an inproc connect never receives that connection's messages.
    if (!this.receiving) {
      this.receiving = true;
      void this.receiveLoop();
    }
  }

  /** Disconnects from a publisher that was connected. */
  disconnect(endpoint: string): void {
    if (this.closed || !this.endpoints.delete(endpoint)) return;
    this.socket.disconnect(endpoint);
  }

  /** Endpoints currently connected. */
  connectedEndpoints(): string[] {
    return [...this.endpoints];
  }

  /** Subscribes to topic prefixes; no argument subscribes to everything. */
  subscribe(...prefixes: string[]): void {
    if (this.closed) return;
    this.socket.subscribe(...prefixes);
  }

  /** Removes topic prefixes given to subscribe(). */
  unsubscribe(...prefixes: string[]): void {
    if (this.closed) return;
    this.socket.unsubscribe(...prefixes);
  }

  /** Closes the socket; no more events are emitted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const [topicFrame, body] of this.socket) {
        this.deliver(topicFrame, body);
      }
    } catch (error) {
      if (!this.closed)
        this.emit(
          'invalid',
          new VjError('VJ_BUS_CLOSED', `The telemetry subscriber stopped: ${(error as Error).message}`, {
            cause: error,
          }),
        );
    }
  }

  private deliver(topicFrame: Buffer | undefined, body: Buffer | undefined): void {
    const topic = topicFrame === undefined ? '' : topicFrame.toString('utf8');
    if (body === undefined) {
      this.reject(
        new VjError(
          'VJ_BUS_INVALID_MESSAGE',
          `A telemetry message on "${topic}" has 1 frame instead of 2 (topic, JSON); publishers must send [topic, json]`,
          { topic },
        ),
      );
      return;
    }

    const decoded = decodePublished(topic, body);
    if (!decoded.ok) {
      (decoded.error.fields as Record<string, unknown>).topic = topic;
      this.reject(decoded.error);
      return;
    }
    this.stats.received++;
    this.emit('message', topic, decoded.value);
  }

  private reject(error: VjError): void {
    this.stats.invalid++;
    this.emit('invalid', error);
  }
}
