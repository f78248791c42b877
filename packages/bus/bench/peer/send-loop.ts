/** The publisher side of the telemetry benchmarks: a flood or a paced stream of audio frames. */
import { Topics } from '../../src/schemas/topics';
import type { StampedAudioFeatures } from '../lib/audio-frames';
import { type PeerRequest, type SendReport, sharedClockMs } from '../lib/protocol';

/** Anything with the `publish(topic, payload)` of TelemetryPublisher. */
export interface FramePublisher {
  publish(topic: string, payload: unknown): void;
}

/** The `send` request of the peer protocol. */
export type SendRequest = Extract<PeerRequest, { op: 'send' }>;

/**
 * Frames sent per event-loop turn when flooding. Yielding between batches
 * lets zeromq.js run its deferred sends and lets the IPC channel be read.
 */
const FLOOD_BATCH = 256;

/**
 * A sleeping sender blocks in Atomics.wait until this long before a frame is
 * due, then spins. On the bench machine a 0.5 ms Atomics.wait overslept by
 * 0.075 ms at p50 and 0.13 ms at p99.
 */
const SPIN_MARGIN_MS = 0.15;

/** A sleeping sender paced above 1 kHz waits until this many ms of frames are due, then sends them together. */
const BATCH_PERIOD_MS = 1;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Publishes frames as the `send` request specifies and resolves with the
 * counts. A paced sender reads the monotonic clock every turn and sends each
 * frame that has fallen due, so a late turn catches up and the stream keeps
 * its average rate. Timers are not used because they cannot fire every
 * millisecond reliably. Between turns it yields with setImmediate. With
 * `sleep` pacing it first blocks until shortly before the next frame, or the
 * next 1 ms batch, is due. In runs at 1 kHz on the 2-CPU bench machine, the
 * sender used 0.8 s of CPU per 6 s sleeping against 6.3 s spinning, and the
 * p99 latency was 0.21–0.51 ms sleeping against 0.45–1.1 ms spinning.
 */
export function runSendLoop(
  publisher: FramePublisher,
  frames: StampedAudioFeatures[],
  request: SendRequest,
): Promise<SendReport> {
  const { rateHz, durationMs, stampSendTime } = request;
  const paced = rateHz > 0;
  const sleeps = paced && request.pacing === 'sleep';
  const framesPerWake = Math.max(1, Math.floor((BATCH_PERIOD_MS * rateHz) / 1000));
  const total = paced ? Math.round((rateHz * durationMs) / 1000) : Number.POSITIVE_INFINITY;
  const startedAt = performance.now();
  let sent = 0;
  let busyRetries = 0;
  let lastSendAt = startedAt;

  return new Promise((resolve) => {
    const turn = (): void => {
      if (sleeps && sent < total)
        sleepUntil(startedAt + ((sent + framesPerWake - 1) * 1000) / rateHz - SPIN_MARGIN_MS);
      const now = performance.now();
      if (sent >= total || (!paced && now - startedAt >= durationMs)) {
        resolve({ published: sent, busyRetries, elapsedMs: lastSendAt - startedAt });
        return;
      }

      const due = paced
        ? Math.min(total, Math.floor(((now - startedAt) * rateHz) / 1000) + 1)
        : sent + FLOOD_BATCH;
      while (sent < due) {
        const frame = frames[sent % frames.length] as StampedAudioFeatures;
        frame.frame = sent;
        if (stampSendTime) frame.sent_at_ms = sharedClockMs();
        if (!tryPublish(publisher, frame)) {
          busyRetries++;
          break;
        }
        sent++;
      }
      lastSendAt = performance.now();
      setImmediate(turn);
    };
    turn();
  });
}

/**
 * Blocks the thread until `deadline` on the performance.now() clock. It runs
 * only at the start of a turn, after the event loop has run zeromq.js's
 * deferred sends, so no frame waits in the sleep.
 */
function sleepUntil(deadline: number): void {
  const idleMs = deadline - performance.now();
  if (idleMs > 0) Atomics.wait(sleepCell, 0, 0, idleMs);
}

/**
 * Publishes one frame and returns false when zeromq.js throws EBUSY, so that
 * the caller retries the frame on the next turn. On a socket with a nonzero
 * send timeout, zeromq.js 6.8 sends up to 512 messages synchronously, defers
 * the next one to a later turn, and throws EBUSY from every send made before
 * that deferred one completes. A publisher that lets this error out of
 * publish() shows a nonzero `busyRetries` in the report.
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
