/**
 * Validated telemetry throughput: a publisher peer process sends
 * `audio.features` over tcp on 127.0.0.1, and a subscriber in the bench
 * process decodes and validates every frame (envelope and AudioFeatures
 * schema, in decodePublished). A flood shows the receive rate and the loss
 * when the publisher outruns the subscriber. Paced runs then find the
 * highest tested rate that arrives without loss.
 */
import { type CpuLoad, CpuLoadMeter } from './lib/cpu-load';
import type { PeerRole, SendReport } from './lib/protocol';
import { TelemetrySession } from './lib/telemetry-session';

/** Counts of one publishing run. */
export interface StreamRun {
  /** Paced rate asked of the publisher in messages/s; 0 for a flood. */
  targetHz: number;
  published: number;
  /** Messages that arrived and passed validation. */
  received: number;
  /** Messages that arrived and failed validation; 0 unless something is broken. */
  invalid: number;
  lossPercent: number;
  /** Publish rate over the publisher's sending time, in messages/s. */
  publishedPerSecond: number;
  /** Validated messages per second, from the first arrival to the last. */
  receivedPerSecond: number;
  /** Publishes that zeromq.js rejected with EBUSY and the sender retried. */
  busyRetries: number;
  /** CPU time of the subscriber process per message received, in µs. */
  subscriberCpuUs: number;
  /** CPU time of the publisher process per message published, in µs. */
  publisherCpuUs: number;
  cpuLoad: CpuLoad | undefined;
}

/** Result of the throughput benchmark for one publisher and subscriber pair. */
export interface ThroughputResult {
  publisher: PeerRole;
  flood: StreamRun | undefined;
  /** Paced runs from fastest to slowest, stopping at the first without loss. */
  paced: StreamRun[];
  /** Highest paced rate that lost nothing, in messages/s; 0 when every paced run lost messages. */
  zeroLossHz: number;
}

export interface ThroughputOptions {
  publisher: PeerRole;
  /** Length of the flood in ms; 0 skips it. */
  floodMs: number;
  pacedMs: number;
  /** Paced rates to try, fastest first, in messages/s. */
  pacedRatesHz: readonly number[];
}

/** Runs the flood and the paced runs against one publisher peer. */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const session = await TelemetrySession.open(options.publisher);
  try {
    const flood = options.floodMs > 0 ? await measureStream(session, 0, options.floodMs) : undefined;
    const paced: StreamRun[] = [];
    for (const rateHz of options.pacedRatesHz) {
      const run = await measureStream(session, rateHz, options.pacedMs);
      paced.push(run);
      if (run.published === run.received) break;
    }
    const lossless = paced.find((run) => run.published === run.received);
    return { publisher: options.publisher, flood, paced, zeroLossHz: lossless?.targetHz ?? 0 };
  } finally {
    await session.close();
  }
}

async function measureStream(
  session: TelemetrySession,
  rateHz: number,
  durationMs: number,
): Promise<StreamRun> {
  const { subscriber } = session;
  const receivedBefore = subscriber.stats.received;
  const invalidBefore = subscriber.stats.invalid;
  let firstAt = 0;
  let lastAt = 0;
  const onMessage = (): void => {
    lastAt = performance.now();
    if (firstAt === 0) firstAt = lastAt;
  };
  subscriber.on('message', onMessage);

  const meter = new CpuLoadMeter([process.pid, session.peer.pid]);
  const report = await session.peer.request<SendReport>({
    op: 'send',
    rateHz,
    durationMs,
    stampSendTime: false,
    pacing: 'sleep',
  });
  await session.settle();
  const cpuLoad = meter.stop();
  subscriber.off('message', onMessage);

  const received = subscriber.stats.received - receivedBefore;
  const invalid = subscriber.stats.invalid - invalidBefore;
  const [subscriberMs = Number.NaN, publisherMs = Number.NaN] = cpuLoad?.processMs ?? [];
  return {
    targetHz: rateHz,
    published: report.published,
    received,
    invalid,
    lossPercent:
      report.published === 0 ? 0 : (100 * (report.published - received - invalid)) / report.published,
    publishedPerSecond: (1000 * report.published) / report.elapsedMs,
    receivedPerSecond: lastAt > firstAt ? (1000 * (received - 1)) / (lastAt - firstAt) : 0,
    busyRetries: report.busyRetries,
    subscriberCpuUs: (1000 * subscriberMs) / received,
    publisherCpuUs: (1000 * publisherMs) / report.published,
    cpuLoad,
  };
}
