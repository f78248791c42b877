/**
 * Publish-to-receive latency at 1 kHz. A publisher peer process sends one
 * audio frame per ms, each stamped with its send time. The validating
 * subscriber in the bench process subtracts that stamp from its own clock
 * when the frame is delivered. Both processes read the machine's monotonic
 * clock (sharedClockMs). An offset measured over the IPC channel is reported
 * beside the figures as a check, and is not subtracted.
 */
import type { PublishedMessage } from '../src/schemas/codec';
import type { StampedAudioFeatures } from './lib/audio-frames';
import { type CpuLoad, CpuLoadMeter } from './lib/cpu-load';
import { type Pacing, type PeerRole, type SendReport, sharedClockMs } from './lib/protocol';
import { type LatencySummary, summarizeLatencies } from './lib/stats';
import { type ClockOffset, TelemetrySession } from './lib/telemetry-session';

/** Result of the latency benchmark. */
export interface LatencyResult {
  publisher: PeerRole;
  pacing: Pacing;
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
  cpuLoad: CpuLoad | undefined;
}

export interface LatencyOptions {
  publisher: PeerRole;
  rateHz: number;
  pacing: Pacing;
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
      if (payload.frame < warmupFrames || payload.sent_at_ms === undefined || count === samplesMs.length) {
        return;
      }
      samplesMs[count++] = sharedClockMs() - payload.sent_at_ms;
    };
    session.subscriber.on('message', onMessage);

    const meter = new CpuLoadMeter([process.pid, session.peer.pid]);
    const report = await session.peer.request<SendReport>({
      op: 'send',
      rateHz: options.rateHz,
      durationMs: options.warmupMs + options.measureMs,
      stampSendTime: true,
      pacing: options.pacing,
    });
    const cpuLoad = meter.stop();
    await session.settle();
    session.subscriber.off('message', onMessage);

    return {
      publisher: options.publisher,
      pacing: options.pacing,
      targetHz: options.rateHz,
      achievedHz: (1000 * (report.published - 1)) / report.elapsedMs,
      published: report.published,
      warmupFrames,
      lost: report.published - warmupFrames - count,
      latency: summarizeLatencies(samplesMs, count),
      clockOffset,
      cpuLoad,
    };
  } finally {
    await session.close();
  }
}
