/**
 * Messages between the bench process and a peer process, sent over the Node
 * IPC channel of `child_process.fork`. Every request carries a sequence number
 * that its reply repeats; the ready message has sequence 0.
 */

/** What a peer process runs. */
export type PeerRole = 'publisher' | 'prototype-publisher' | 'command-server';

/** Settings of a peer, passed as JSON in its second argument. */
export interface PeerOptions {
  /** Send high-water mark of a publisher, in messages. */
  sendHighWaterMark?: number;
}

/** Requests that a publisher peer serves. */
export type PeerRequest =
  /** Publish one frame, so the bench can tell that the subscription is live. */
  | { op: 'probe' }
  /**
   * Publish audio frames for `durationMs`: paced at `rateHz`, or as fast as
   * possible when `rateHz` is 0. With `stampSendTime`, each payload gets a
   * `sent_at_ms` field holding the wall-clock send time in ms.
   */
  | { op: 'send'; rateHz: number; durationMs: number; stampSendTime: boolean }
  /** Reply with this process's wall-clock time, to estimate the clock offset. */
  | { op: 'clock' }
  /** Close the sockets and exit. */
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
  /** `performance.timeOrigin + performance.now()` in the peer, in ms. */
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

/** Wall-clock time in ms with sub-ms resolution, comparable across processes on one machine. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
