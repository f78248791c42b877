/**
 * A sender with no per-message encoding cost, to find the subscriber's own
 * limit: it cycles through frames that were wrapped in telemetry envelopes
 * and encoded once at setup, and sends them as buffers on a raw Publisher
 * socket. Every frame is still a valid `audio.features` message.
 */
import { randomUUID } from 'node:crypto';
import { Publisher } from 'zeromq';
import { encodeMessage } from '../../src/schemas/codec';
import { Topics } from '../../src/schemas/topics';
import type { StampedAudioFeatures } from '../lib/audio-frames';

const TOPIC_FRAME = Buffer.from(Topics.audioFeatures);
/** Send high-water mark, the TelemetryPublisher default. */
const SEND_HWM = 1000;

/** Publisher of pre-encoded audio frames, whose `publish` ignores its arguments and sends the next frame. */
export class RawPublisher {
  readonly endpoint: string;
  private readonly socket: Publisher;
  private readonly encoded: Buffer[];
  private next = 0;

  private constructor(socket: Publisher, encoded: Buffer[]) {
    this.socket = socket;
    this.encoded = encoded;
    this.endpoint = socket.lastEndpoint ?? '';
  }

  /** Binds a Publisher socket with `sendTimeout: 0` and encodes `frames` once. */
  static async open(endpoint: string, frames: readonly StampedAudioFeatures[]): Promise<RawPublisher> {
    const socket = new Publisher({ linger: 0, sendTimeout: 0, sendHighWaterMark: SEND_HWM });
    await socket.bind(endpoint);
    const encoded = frames.map((payload) =>
      Buffer.from(
        encodeMessage({
          type: 'telemetry',
          id: randomUUID(),
          timestamp: Date.now() / 1000,
          source: 'bench_publisher',
          topic: Topics.audioFeatures,
          payload,
        }),
      ),
    );
    return new RawPublisher(socket, encoded);
  }

  /** Sends the next pre-encoded frame; the topic and payload arguments are ignored. */
  publish(_topic: string, _payload: unknown): void {
    const frame = this.encoded[this.next] as Buffer;
    this.next = (this.next + 1) % this.encoded.length;
    void this.socket.send([TOPIC_FRAME, frame]);
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }
}
