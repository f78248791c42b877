/**
 * Command round trip: a CommandServer with a trivial `ping` handler runs in a
 * peer process, and a CommandClient in the bench process sends sequential
 * requests over tcp on 127.0.0.1, each awaited before the next is sent.
 */
import { CommandClient } from '../src/transport/command-client';
import { type CpuLoad, CpuLoadMeter } from './lib/cpu-load';
import { PeerProcess } from './lib/peer-process';
import { type LatencySummary, summarizeLatencies } from './lib/stats';

/** Result of the round-trip benchmark. */
export interface RoundTripResult {
  warmupRequests: number;
  latency: LatencySummary;
  /** Sequential requests completed per second over the measured requests. */
  requestsPerSecond: number;
  cpuLoad: CpuLoad | undefined;
}

export interface RoundTripOptions {
  warmupRequests: number;
  requests: number;
}

/** Times `requests` sequential `ping` requests after `warmupRequests` untimed ones. */
export async function runRoundTrip(options: RoundTripOptions): Promise<RoundTripResult> {
  const server = await PeerProcess.start('command-server');
  const client = new CommandClient({ endpoint: server.endpoint, source: 'bench' });
  try {
    for (let i = 0; i < options.warmupRequests; i++) await client.request('ping');

    const samplesMs = new Float64Array(options.requests);
    const meter = new CpuLoadMeter([process.pid, server.pid]);
    const startedAt = performance.now();
    for (let i = 0; i < options.requests; i++) {
      const sentAt = performance.now();
      await client.request('ping');
      samplesMs[i] = performance.now() - sentAt;
    }
    const elapsedMs = performance.now() - startedAt;
    const cpuLoad = meter.stop();

    return {
      warmupRequests: options.warmupRequests,
      latency: summarizeLatencies(samplesMs, options.requests),
      requestsPerSecond: (1000 * options.requests) / elapsedMs,
      cpuLoad,
    };
  } finally {
    client.close();
    await server.stop();
  }
}
