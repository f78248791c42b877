/**
 * A TelemetrySubscriber in the bench process connected to a publisher peer,
 * with the waits that every telemetry benchmark needs around a measurement.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Topics } from '../../src/schemas/topics';
import { TelemetrySubscriber } from '../../src/transport/subscriber';
import { PeerProcess } from './peer-process';
import type { ClockReport, PeerRole } from './protocol';
import { sharedClockMs } from './protocol';

const SUBSCRIBE_TIMEOUT_MS = 5000;
const PROBE_INTERVAL_MS = 20;
const QUIET_MS = 300;
const CLOCK_SAMPLES = 50;

/** Offset of the peer's sharedClockMs() from the bench's, estimated over IPC; about 0 when both share the clock. */
export interface ClockOffset {
  /** Peer clock minus bench clock, in ms. */
  offsetMs: number;
  /** Half the shortest IPC round trip, in ms: the estimate is within ± this much. */
  uncertaintyMs: number;
}

/** A publisher peer and a validating subscriber of `audio.features` in this process. */
export class TelemetrySession {
  readonly peer: PeerProcess;
  readonly subscriber: TelemetrySubscriber;

  private constructor(peer: PeerProcess, subscriber: TelemetrySubscriber) {
    this.peer = peer;
    this.subscriber = subscriber;
  }

  /**
   * Starts the peer, connects and subscribes, and resolves once a probe frame
   * has arrived, because a fresh SUB socket misses what is sent before its
   * subscription reaches the publisher (the ZeroMQ slow-joiner effect).
   *
   * @throws Error when no probe frame arrives within 5 s.
   */
  static async open(role: PeerRole): Promise<TelemetrySession> {
    const peer = await PeerProcess.start(role);
    const subscriber = new TelemetrySubscriber();
    subscriber.connect(peer.endpoint);
    subscriber.subscribe(Topics.audioFeatures);

    const deadline = performance.now() + SUBSCRIBE_TIMEOUT_MS;
    while (subscriber.stats.received === 0) {
      if (performance.now() > deadline) {
        throw new Error(`No probe frame from ${peer.endpoint} arrived within ${SUBSCRIBE_TIMEOUT_MS} ms`);
      }
      await peer.request({ op: 'probe' });
      await delay(PROBE_INTERVAL_MS);
    }
    await settle(subscriber);
    return new TelemetrySession(peer, subscriber);
  }

  /** Resolves once no message has arrived for 300 ms, so queued frames are counted. */
  settle(): Promise<void> {
    return settle(this.subscriber);
  }

  /**
   * Estimates the peer's clock offset NTP-style: the peer's time against the
   * midpoint of the IPC round trip, keeping the sample with the shortest trip.
   */
  async measureClockOffset(): Promise<ClockOffset> {
    let best: ClockOffset = { offsetMs: Number.NaN, uncertaintyMs: Number.POSITIVE_INFINITY };
    for (let i = 0; i < CLOCK_SAMPLES; i++) {
      const sentAt = sharedClockMs();
      const { nowMs } = await this.peer.request<ClockReport>({ op: 'clock' });
      const receivedAt = sharedClockMs();
      const uncertaintyMs = (receivedAt - sentAt) / 2;
      if (uncertaintyMs < best.uncertaintyMs) {
        best = { offsetMs: nowMs - (sentAt + receivedAt) / 2, uncertaintyMs };
      }
    }
    return best;
  }

  /** Closes the subscriber and stops the peer. */
  async close(): Promise<void> {
    this.subscriber.close();
    await this.peer.stop();
  }
}

async function settle(subscriber: TelemetrySubscriber): Promise<void> {
  let last = -1;
  while (last !== subscriber.stats.received + subscriber.stats.invalid) {
    last = subscriber.stats.received + subscriber.stats.invalid;
    await delay(QUIET_MS);
  }
}
