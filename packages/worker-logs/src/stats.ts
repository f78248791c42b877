/**
 * Counters of the aggregator for `get_stats`: records per worker and level,
 * the recent rate, and what was dropped or rejected.
 */
import { type AggregatedLogRecord, type LogLevel, LogLevels } from '@vj/bus';

/** Window of the `rate_per_s` figures, in seconds. */
export const RATE_WINDOW_S = 5;

/** Counters of one worker. */
export interface WorkerCounts {
  /** Records stored. */
  records: number;
  /** Records stored per level. */
  levels: Record<LogLevel, number>;
  /** Records per second stored over the last RATE_WINDOW_S seconds. */
  rate_per_s: number;
  /** Records dropped by flood control (the worker's queue was full). */
  dropped: number;
  /** Records missing on the bus, from gaps in the worker's own sequence numbers; pm2 may still have delivered them. */
  bus_gaps: number;
}

interface WorkerState {
  records: number;
  levels: Record<LogLevel, number>;
  dropped: number;
  busGaps: number;
  // Records stored in each of the last RATE_WINDOW_S whole seconds, indexed by second modulo the window.
  perSecond: number[];
  secondOf: number[];
  // Last origin_seq seen on the bus per process id, to find gaps.
  lastOriginSeq: Map<number, number>;
}

/**
 * @example
 * const stats = new LogStats();
 * stats.countStored(record, Date.now());
 * stats.snapshot(Date.now()).workers.audio_analyzer?.records;
 */
export class LogStats {
  /** Messages on `logs.<level>` rejected as invalid. */
  malformed = 0;
  /** Copies of records that arrived by both routes and were stored once. */
  duplicates = 0;
  /** Invalid lines skipped while loading the files at start. */
  corruptLines = 0;
  /** Alerts left out by the rate limit. */
  alertsSuppressed = 0;
  private workers = new Map<string, WorkerState>();

  /** Counts a stored record. */
  countStored(record: AggregatedLogRecord, nowMs: number): void {
    const state = this.stateOf(record.worker);
    state.records++;
    state.levels[record.level]++;
    const second = Math.floor(nowMs / 1000);
    const slot = second % RATE_WINDOW_S;
    if (state.secondOf[slot] !== second) {
      state.secondOf[slot] = second;
      state.perSecond[slot] = 0;
    }
    state.perSecond[slot] = (state.perSecond[slot] as number) + 1;
  }

  /** Counts records of `worker` dropped by flood control. */
  countDropped(worker: string, count: number): void {
    this.stateOf(worker).dropped += count;
  }

  /** Records of `worker` dropped by flood control so far. */
  droppedOf(worker: string): number {
    return this.workers.get(worker)?.dropped ?? 0;
  }

  /** Notes a bus record's own sequence number and counts the gap before it, if any. */
  noteOriginSeq(worker: string, pid: number, seq: number): void {
    const state = this.stateOf(worker);
    const last = state.lastOriginSeq.get(pid);
    if (last !== undefined && seq > last + 1) state.busGaps += seq - last - 1;
    if (last === undefined || seq > last) state.lastOriginSeq.set(pid, seq);
  }

  /** Resets every counter. */
  clear(): void {
    this.workers = new Map();
    this.malformed = 0;
    this.duplicates = 0;
    this.corruptLines = 0;
    this.alertsSuppressed = 0;
  }

  /** Returns the counters per worker and in total. */
  snapshot(nowMs: number): { workers: Record<string, WorkerCounts>; records: number; dropped: number } {
    const second = Math.floor(nowMs / 1000);
    const workers: Record<string, WorkerCounts> = {};
    let records = 0;
    let dropped = 0;
    for (const [name, state] of this.workers) {
      let recent = 0;
      // The current second is still filling, so the rate covers the RATE_WINDOW_S seconds before it.
      for (let slot = 0; slot < RATE_WINDOW_S; slot++) {
        const at = state.secondOf[slot] as number;
        if (at < second && at >= second - RATE_WINDOW_S) recent += state.perSecond[slot] as number;
      }
      workers[name] = {
        records: state.records,
        levels: { ...state.levels },
        rate_per_s: recent / RATE_WINDOW_S,
        dropped: state.dropped,
        bus_gaps: state.busGaps,
      };
      records += state.records;
      dropped += state.dropped;
    }
    return { workers, records, dropped };
  }

  private stateOf(worker: string): WorkerState {
    let state = this.workers.get(worker);
    if (state === undefined) {
      state = {
        records: 0,
        levels: Object.fromEntries(LogLevels.map((level) => [level, 0])) as Record<LogLevel, number>,
        dropped: 0,
        busGaps: 0,
        perSecond: new Array<number>(RATE_WINDOW_S).fill(0),
        secondOf: new Array<number>(RATE_WINDOW_S).fill(-1),
        lastOriginSeq: new Map(),
      };
      this.workers.set(worker, state);
    }
    return state;
  }
}
