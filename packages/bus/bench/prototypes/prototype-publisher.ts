/**
 * Prototype of the proposed TelemetryPublisher fix, kept in bench/ so that
 * src/ stays untouched: the same envelope and JSON frame, on a Publisher
 * socket with `sendTimeout: 0`. With a zero send timeout, zeromq.js 6.8 sends
 * every message synchronously (socket.cc, Socket::Send) instead of deferring
 * one send in 513 and throwing EBUSY from the sends that follow it in the same
 * turn. A PUB socket never blocks in ZeroMQ, so nothing waits either way.
 */
import { Publisher } from 'zeromq';
import { newId, nowSeconds } from '../../src/internal/ids';
import { encodeMessage } from '../../src/schemas/codec';
import type { Telemetry } from '../../src/schemas/envelope';
import { bindSocket } from '../../src/transport/endpoint';
import type { TelemetryPublisherOptions } from '../../src/transport/publisher';

const DEFAULT_SEND_HWM = 1000;

/** TelemetryPublisher with the proposed socket options. */
export class PrototypePublisher {
  readonly endpoint: string;
  private readonly socket: Publisher;
  private readonly source: string;
  private closed = false;
  private failed = 0;
  private readonly countFailure = (): void => {
    this.failed++;
  };

  private constructor(socket: Publisher, options: TelemetryPublisherOptions) {
    this.socket = socket;
    this.endpoint = socket.lastEndpoint ?? options.endpoint;
    this.source = options.source;
  }

  /** Binds a Publisher socket with `sendTimeout: 0`. */
  static async open(options: TelemetryPublisherOptions): Promise<PrototypePublisher> {
    const socket = new Publisher({ linger: 0, sendTimeout: 0, sendHighWaterMark: options.sendHighWaterMark ?? DEFAULT_SEND_HWM });
    try {
      await bindSocket(socket, options.endpoint, 'telemetry');
    } catch (error) {
      socket.close();
      throw error;
    }
    return new PrototypePublisher(socket, options);
  }

  /** Wraps `payload` in a telemetry envelope and sends it on `topic`. */
  publish(topic: string, payload: unknown): void {
    if (this.closed) return;
    const message: Telemetry = { type: 'telemetry', id: newId(), timestamp: nowSeconds(), source: this.source, topic, payload };
    this.socket.send([topic, encodeMessage(message)]).catch(this.countFailure);
  }

  /** Closes the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}
