/**
 * Recovery after `kill -9` of the example worker that pm2 runs for the
 * process manager. After each kill the bench stamps, with `performance.now()`,
 * the arrival of pm2's `exit` and `online` events, of the process manager's
 * `worker_restarted` event and of the first healthy health_check response
 * from the new process. It waits between kills so that each restart is a
 * first restart of the restart policy.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Event } from '@vj/bus';
import type { Pm2ProcessEvent } from '../src';
import { type CpuShare, CpuShareMeter } from './lib/cpu-share';
import { waitForHealthy } from './lib/health-probe';
import { onWorkerEvent, type SupervisedSystem, WORKER_NAME } from './lib/supervised-system';

/** Timings of one kill, in ms after the kill. */
export interface KillSample {
  killedPid: number;
  /** Pid that sent the healthy health_check response afterwards. */
  newPid: number;
  /** pid in the worker_restarted payload. It differs from newPid only if something is wrong. */
  restartedPid: number;
  /** pm2's `exit` event of the killed process arrived. */
  exitMs: number;
  /** pm2's `online` event of the new process arrived. */
  onlineMs: number;
  /** The process manager's worker_restarted event arrived on the bus. */
  restartedEventMs: number;
  /** The new process responded to health_check with status healthy. */
  healthMs: number;
  /** `delay_ms` of worker_restarted: the backoff delay that the process manager waited. */
  delayMs: number;
  /** `attempt` of worker_restarted, which is 1 for a first restart. */
  attempt: number;
}

/** Options of the recovery measurement. */
export interface RecoveryOptions {
  kills: number;
  /** Time to wait after each healthy response before the next kill, in ms. */
  settleMs: number;
  /** Time one kill may take to recover before the run fails, in ms. */
  timeoutMs: number;
  /** Health probe: pause between attempts and timeout of each request, in ms. */
  probeIntervalMs: number;
  probeRequestTimeoutMs: number;
  /** Called after each kill, for progress output. */
  onSample?: (sample: KillSample, index: number) => void;
  /** Stops the loop between kills when aborted. */
  signal?: AbortSignal;
}

/** Samples of every kill, and the CPU share of the phase. */
export interface RecoveryResult {
  samples: KillSample[];
  cpu: CpuShare | undefined;
}

/**
 * Kills the example worker `kills` times and times each recovery.
 *
 * @throws Error when a recovery step does not happen within `timeoutMs`, or when aborted.
 */
export async function measureRecovery(
  system: SupervisedSystem,
  options: RecoveryOptions,
): Promise<RecoveryResult> {
  const meter = new CpuShareMeter();
  meter.track(process.pid);
  meter.track(system.daemonPid);
  meter.track(system.managerPid);
  meter.track(system.workerPid);

  const samples: KillSample[] = [];
  let pid = system.workerPid;
  for (let i = 0; i < options.kills; i++) {
    options.signal?.throwIfAborted();
    meter.settle(pid);
    const sample = await measureOneKill(system, pid, options);
    meter.track(sample.newPid, true);
    samples.push(sample);
    options.onSample?.(sample, i);
    pid = sample.newPid;
    await sleep(options.settleMs, undefined, options.signal === undefined ? {} : { signal: options.signal });
  }
  return { samples, cpu: meter.stop() };
}

async function measureOneKill(
  system: SupervisedSystem,
  pid: number,
  options: RecoveryOptions,
): Promise<KillSample> {
  const exit = observe<Pm2ProcessEvent>(
    (handler) => onPm2Event(system, 'exit', handler),
    options.timeoutMs,
    `pm2 exit event of ${WORKER_NAME}`,
  );
  const online = observe<Pm2ProcessEvent>(
    (handler) => onPm2Event(system, 'online', handler),
    options.timeoutMs,
    `pm2 online event of ${WORKER_NAME}`,
  );
  const restarted = observe<Event>(
    (handler) =>
      onWorkerEvent(system.bus, (event) => {
        if (event.event === 'worker_restarted' && event.payload.previous_pid === pid) handler(event);
      }),
    options.timeoutMs,
    `worker_restarted event with previous_pid ${pid}`,
  );

  const killedAtMs = performance.now();
  process.kill(pid, 'SIGKILL');

  try {
    const exited = await exit.promise;
    // Probing starts once pm2 has reaped the killed process, so the probe
    // cannot connect to the old process's socket before it closes.
    const health = await waitForHealthy({
      port: system.workerCommandPort,
      previousPid: pid,
      timeoutMs: options.timeoutMs,
      intervalMs: options.probeIntervalMs,
      requestTimeoutMs: options.probeRequestTimeoutMs,
    });
    const [cameOnline, restartEvent] = await Promise.all([online.promise, restarted.promise]);
    return {
      killedPid: pid,
      newPid: health.pid,
      restartedPid: Number(restartEvent.value.payload.pid ?? 0),
      exitMs: exited.atMs - killedAtMs,
      onlineMs: cameOnline.atMs - killedAtMs,
      restartedEventMs: restartEvent.atMs - killedAtMs,
      healthMs: health.atMs - killedAtMs,
      delayMs: Number(restartEvent.value.payload.delay_ms ?? Number.NaN),
      attempt: Number(restartEvent.value.payload.attempt ?? Number.NaN),
    };
  } finally {
    exit.cancel();
    online.cancel();
    restarted.cancel();
  }
}

function onPm2Event(
  system: SupervisedSystem,
  name: string,
  handler: (event: Pm2ProcessEvent) => void,
): () => void {
  const listener = (event: Pm2ProcessEvent): void => {
    if (event.name === WORKER_NAME && event.event === name) handler(event);
  };
  system.pm2.on('process', listener);
  return () => system.pm2.off('process', listener);
}

/** First value delivered after `subscribe`, stamped with `performance.now()` on arrival. */
interface Observation<T> {
  promise: Promise<{ value: T; atMs: number }>;
  /** Unsubscribes and stops the timeout, and leaves the promise as it is. */
  cancel: () => void;
}

function observe<T>(
  subscribe: (handler: (value: T) => void) => () => void,
  timeoutMs: number,
  description: string,
): Observation<T> {
  let unsubscribe = (): void => {};
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<{ value: T; atMs: number }>((resolve, reject) => {
    unsubscribe = subscribe((value) => {
      const atMs = performance.now();
      cancel();
      resolve({ value, atMs });
    });
    timer = setTimeout(() => {
      cancel();
      reject(new Error(`No ${description} arrived within ${timeoutMs} ms of the kill`));
    }, timeoutMs);
  });
  // A rejection that no caller awaits, because an earlier step failed, must not crash the bench.
  promise.catch(() => undefined);
  function cancel(): void {
    clearTimeout(timer);
    unsubscribe();
  }
  return { promise, cancel };
}
