/**
 * Messages between the bench process and a peer process, sent over the Node
 * IPC channel of `child_process.fork`. Every request carries a sequence number
 * that its reply repeats; the ready message has sequence 0.
 */

/** Role of a peer process: the socket it binds and the requests it serves. */
export type PeerRole = 'publisher' | 'raw-publisher' | 'command-server';

/**
 * Waiting strategy of a paced publisher between frames. `spin` yields to the
 * event loop with setImmediate and keeps a CPU busy. `sleep` blocks in
 * Atomics.wait until shortly before each frame is due, then spins.
 */
export type Pacing = 'spin' | 'sleep';

/** Requests that a publisher peer serves. */
export type PeerRequest =
  /** Publish one frame, so the bench can tell that the subscription is live. */
  | { op: 'probe' }
  /**
   * Publish audio frames for `durationMs`: paced at `rateHz`, or as fast as
   * possible when `rateHz` is 0. With `stampSendTime`, each payload gets a
   * `sent_at_ms` field holding its send time on sharedClockMs().
   */
  | { op: 'send'; rateHz: number; durationMs: number; stampSendTime: boolean; pacing: Pacing }
  /** Reply with this process's sharedClockMs(), to check that both processes read the same clock. */
  | { op: 'clock' }
  /** Close the socket and exit; the peer does the same when the IPC channel closes. */
  | { op: 'exit' };

/** Reply to `send`. */
export interface SendReport {
  /** Frames handed to the publisher without an error. */
  published: number;
  /** Sends that zeromq.js rejected with EBUSY and that were retried on the next turn. */
  busyRetries: number;
  /** Time from the first send to the last, in ms. */
  elapsedMs: number;
}

/** Reply to `clock`. */
export interface ClockReport {
  /** sharedClockMs() in the peer. */
  nowMs: number;
}

/** First message of every peer, once its socket is bound. */
export interface ReadyReport {
  /** Bound endpoint, with the port that the wildcard resolved to. */
  endpoint: string;
}

/** Envelope of a request from the bench to a peer. */
export interface PeerEnvelope {
  seq: number;
  request: PeerRequest;
}

/** Envelope of a reply from a peer to the bench. */
export interface ReplyEnvelope {
  seq: number;
  reply: unknown;
}

/**
 * Time in ms on a monotonic clock that every process of the machine shares:
 * `process.hrtime` reads CLOCK_MONOTONIC on Linux. `performance.timeOrigin +
 * performance.now()` is not used: each process reads timeOrigin from the
 * real-time clock when it starts, and in one run on the bench machine the two
 * processes disagreed by 2.7 ms that way, which made latencies negative.
 */
export function sharedClockMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
