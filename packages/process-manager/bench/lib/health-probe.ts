/**
 * Waits for a worker's healthy health_check response on its command port,
 * and stamps the moment with `performance.now()`.
 *
 * The probe first checks with a plain TCP connect that the port listens, and
 * only then opens a CommandClient. A ZeroMQ socket that connects while nothing
 * listens retries after ZMQ_RECONNECT_IVL, 100 ms by default in libzmq
 * (src/options.cpp). A request queued on such a socket could reach the worker
 * up to 100 ms after it was able to respond, and that delay would count as
 * recovery time.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandClient, tcpEndpoint } from '@vj/bus';

/** Options of waitForHealthy. */
export interface HealthProbeOptions {
  /** Command (REP) port of the worker on 127.0.0.1. */
  port: number;
  /** A response from this pid does not count, because it is the process that was just killed. */
  previousPid?: number;
  /** Time after which the probe gives up, in ms. */
  timeoutMs: number;
  /** Pause between two attempts, in ms. */
  intervalMs: number;
  /** Timeout of each health_check request, in ms. */
  requestTimeoutMs: number;
  /** Ends the wait early, for instance when the probed process exits. The probe then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A healthy response. */
export interface HealthResponse {
  /** `performance.now()` when the response arrived. */
  atMs: number;
  /** Pid of the process that responded. */
  pid: number;
  /** Requests sent, the last one included. */
  requests: number;
}

/**
 * Polls until health_check returns status `healthy` from a pid other
 * than `previousPid`.
 *
 * @throws Error when no such response arrives within `timeoutMs`, or the signal's reason when it aborts.
 */
export async function waitForHealthy(options: HealthProbeOptions): Promise<HealthResponse> {
  const deadline = performance.now() + options.timeoutMs;
  const endpoint = tcpEndpoint('127.0.0.1', options.port);
  let client: CommandClient | undefined;
  let requests = 0;
  let lastResponse = 'no response';
  try {
    while (performance.now() < deadline) {
      options.signal?.throwIfAborted();
      if (client === undefined) {
        if (await isListening(options.port)) {
          client = new CommandClient({ endpoint, timeoutMs: options.requestTimeoutMs, source: 'pm-bench' });
        } else {
          lastResponse = 'port not listening';
        }
      }
      if (client !== undefined) {
        requests++;
        const response = await client.send('health_check');
        const atMs = performance.now();
        const pid = Number(response.result?.pid ?? 0);
        if (
          response.status === 'ok' &&
          response.result?.status === 'healthy' &&
          pid !== options.previousPid
        ) {
          return { atMs, pid, requests };
        }
        lastResponse =
          response.status === 'ok'
            ? `status ${String(response.result?.status)} from pid ${pid}`
            : `${response.status}: ${response.error}`;
        // After a timeout the port is checked again before a new socket connects, for the reason above.
        if (response.status === 'timeout') {
          client.close();
          client = undefined;
        }
      }
      await sleep(options.intervalMs);
    }
  } finally {
    client?.close();
  }
  throw new Error(
    `Worker on ${endpoint} sent no healthy health_check response within ${options.timeoutMs} ms; last response: ${lastResponse}`,
  );
}

/** Resolves true when a TCP connection to 127.0.0.1:port succeeds, false when it is refused or fails. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
