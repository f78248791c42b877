/** The publisher side of the telemetry benchmarks: a flood or a paced stream of audio frames. */
import { Topics } from '../../src/schemas/topics';
import type { StampedAudioFeatures } from '../lib/audio-frames';
import { type PeerRequest, type SendReport, wallClockMs } from '../lib/protocol';

/** Anything with the `publish(topic, payload)` of TelemetryPublisher. */
export interface FramePublisher {
  publish(topic: string, payload: unknown): void;
}

/**
 * Frames sent per event-loop turn when flooding. Yielding between batches
 * lets zeromq.js run its deferred sends and lets the IPC channel be read.
 */
const FLOOD_BATCH = 256;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Publishes frames as the `send` request asks and resolves with the counts.
 * Pacing spins on `setImmediate` and reads the monotonic clock every turn,
 * because timers cannot fire every millisecond reliably. A late turn sends
 * every frame that fell due, so the stream keeps its average rate.
 */
export function runSendLoop(
  publisher: FramePublisher,
  frames: StampedAudioFeatures[],
  request: Extract<PeerRequest, { op: 'send' }>,
): Promise<SendReport> {
  const { rateHz, durationMs, stampSendTime } = request;
  const total = rateHz === 0 ? Number.POSITIVE_INFINITY : Math.round((rateHz * durationMs) / 1000);
  const startedAt = performance.now();
  const endsAt = startedAt + durationMs;
  let sent = 0;
  let busyRetries = 0;
  let lastSendAt = startedAt;

  return new Promise((resolve) => {
    const turn = (): void => {
      const now = performance.now();
      if (sent >= total || (rateHz === 0 && now >= endsAt)) {
        resolve({ published: sent, busyRetries, elapsedMs: lastSendAt - startedAt });
        return;
      }

      const due = rateHz === 0 ? sent + FLOOD_BATCH : Math.min(total, Math.floor(((now - startedAt) * rateHz) / 1000) + 1);
      while (sent < due) {
        const frame = frames[sent % frames.length] as StampedAudioFeatures;
        frame.frame = sent;
        if (stampSendTime) frame.sent_at_ms = wallClockMs();
        if (!tryPublish(publisher, frame)) {
          busyRetries++;
          break;
        }
        sent++;
      }
      lastSendAt = performance.now();
      if (process.env.BENCH_SLEEP === '1' && rateHz !== 0) {
        const nextDueAt = startedAt + (sent * 1000) / rateHz;
        const idleMs = nextDueAt - lastSendAt - 0.15;
        if (idleMs > 0.05) Atomics.wait(sleeper, 0, 0, idleMs);
      }
      setImmediate(turn);
    };
    turn();
  });
}

/**
 * Publishes one frame and returns false when zeromq.js rejects the send with
 * EBUSY. NOTE: zeromq.js 6.8 sends up to 512 messages synchronously, defers
 * the next one to a later turn, and throws EBUSY from any send made before
 * that deferred one completes. TelemetryPublisher.publish lets the error out,
 * so the frame is retried on the next turn here.
 */
function tryPublish(publisher: FramePublisher, frame: StampedAudioFeatures): boolean {
  try {
    publisher.publish(Topics.audioFeatures, frame);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EBUSY') throw error;
    return false;
  }
}
