/**
 * Publish-to-receive latency at 1 kHz: a publisher peer process sends one
 * audio frame per ms, each stamped with its wall-clock send time, and the
 * validating subscriber in the bench process subtracts that stamp from its
 * own wall clock on arrival. Both clocks are `performance.timeOrigin +
 * performance.now()`, which derive from the same system clock; the measured
 * offset between the two processes is reported beside the figures.
 */
import type { PublishedMessage } from '../src/schemas/codec';
import type { StampedAudioFeatures } from './lib/audio-frames';
import { type PeerRole, type SendReport, wallClockMs } from './lib/protocol';
import { type LatencySummary, summarizeLatencies } from './lib/stats';
import { type ClockOffset, TelemetrySession } from './lib/telemetry-session';

/** Result of the latency benchmark. */
export interface LatencyResult {
  publisher: PeerRole;
  targetHz: number;
  /** Rate the paced publisher achieved over the whole run, in messages/s. */
  achievedHz: number;
  published: number;
  /** Frames sent during the warm-up, left out of the figures. */
  warmupFrames: number;
  /** Frames sent after the warm-up that never arrived. */
  lost: number;
  latency: LatencySummary;
  clockOffset: ClockOffset;
}

export interface LatencyOptions {
  publisher: PeerRole;
  rateHz: number;
  warmupMs: number;
  measureMs: number;
}

/** Runs one paced stream and summarises the latencies of the frames after the warm-up. */
export async function runLatency(options: LatencyOptions): Promise<LatencyResult> {
  const session = await TelemetrySession.open(options.publisher);
  try {
    const clockOffset = await session.measureClockOffset();
    const warmupFrames = Math.round((options.rateHz * options.warmupMs) / 1000);
    const measuredFrames = Math.round((options.rateHz * options.measureMs) / 1000);
    const samplesMs = new Float64Array(measuredFrames);
    let count = 0;
    const onMessage = (_topic: string, message: PublishedMessage): void => {
      const payload = (message as { payload: StampedAudioFeatures }).payload;
      if (payload.frame < warmupFrames || payload.sent_at_ms === undefined || count === samplesMs.length) return;
      samplesMs[count++] = wallClockMs() - payload.sent_at_ms;
    };
    session.subscriber.on('message', onMessage);

    const report = await session.peer.request<SendReport>({
      op: 'send',
      rateHz: options.rateHz,
      durationMs: options.warmupMs + options.measureMs,
      stampSendTime: true,
    });
    await session.settle();
    session.subscriber.off('message', onMessage);

    return {
      publisher: options.publisher,
      targetHz: options.rateHz,
      achievedHz: (1000 * (report.published - 1)) / report.elapsedMs,
      published: report.published,
      warmupFrames,
      lost: report.published - warmupFrames - count,
      latency: summarizeLatencies(samplesMs, count),
      clockOffset,
    };
  } finally {
    await session.close();
  }
}
