/**
 * The aggregator process of the bench: a LogAggregatorWorker with the
 * defaults of src/main.ts, plus an event-loop delay histogram that the bench
 * resets and reads over the IPC channel. Ports, VJ_HOME and PM2_HOME come
 * from the environment. It exits when the channel closes.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LogAggregatorWorker } from '../src';

/** A request from bench/main.ts. */
export type AggregatorRequest = { type: 'reset' } | { type: 'sample' };

/** Event-loop delay since the last reset, in ms. */
export interface LoopDelaySample {
  maxMs: number;
  p99Ms: number;
  meanMs: number;
}

// 1 ms resolution: enough to see a stall, cheap enough not to disturb the measurement.
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();

const aggregator = new LogAggregatorWorker({
  commandPort: 1,
  telemetryPort: 2,
  manageProcess: false,
});

/** The reply to every request: CPU time of the process (all threads) and the delay since the last reset. */
export interface AggregatorSample {
  cpuUs: number;
  /** V8 heap in use after a full garbage collection when the process runs with --expose-gc, in MiB. */
  heapUsedMiB: number;
  loopDelay: LoopDelaySample;
}

process.on('message', (request: AggregatorRequest) => {
  if (request.type === 'reset') histogram.reset();
  const cpu = process.cpuUsage();
  globalThis.gc?.();
  const sample: AggregatorSample = {
    cpuUs: cpu.user + cpu.system,
    heapUsedMiB: process.memoryUsage().heapUsed / 1024 / 1024,
    loopDelay: {
      maxMs: histogram.max / 1e6,
      p99Ms: histogram.percentile(99) / 1e6,
      meanMs: histogram.mean / 1e6,
    },
  };
  process.send?.(sample);
});
process.on('disconnect', () => {
  void aggregator.stop().finally(() => process.exit(0));
});

void aggregator.start();
