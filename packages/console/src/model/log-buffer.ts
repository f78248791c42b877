/**
 * Log lines as the console shows them: a bounded buffer of records from the
 * log aggregator (`logs.aggregated`) or, without it, from each worker's own
 * `logs.<level>` topic, with the filters of the Logs screen.
 */
import { type AggregatedLogRecord, type LogLevel, LogLevels, type LogRecord } from '@vj/bus';

/** One log record, whichever route it came by. */
export interface LogLine {
  /** Wall-clock time, Unix seconds. */
  time: number;
  worker: string;
  level: LogLevel;
  msg: string;
  /** Structured fields of the record besides the ones above. */
  fields: Record<string, unknown>;
}

/** Filter of the Logs screen: one worker or all, and a minimum level. */
export interface LogFilter {
  /** Worker name, or undefined for every worker. */
  worker: string | undefined;
  /** Lowest level shown. */
  minLevel: LogLevel;
}

function lineKey(line: LogLine): string {
  return `${line.time}\n${line.worker}\n${line.msg}`;
}

/** Default number of lines kept; older ones are dropped first. */
export const DEFAULT_LOG_CAPACITY = 2000;

/**
 * Keeps the newest log lines, oldest first.
 *
 * @example
 * const logs = new LogBuffer(500);
 * logs.push(fromAggregated(record));
 * logs.filtered({ worker: undefined, minLevel: 'warn' });
 */
export class LogBuffer {
  private readonly lines: LogLine[] = [];
  private readonly workerNames = new Set<string>();

  constructor(private readonly capacity = DEFAULT_LOG_CAPACITY) {}

  /** Appends a line, dropping the oldest when the buffer is full. */
  push(line: LogLine): void {
    this.lines.push(line);
    this.workerNames.add(line.worker);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /**
   * Puts older lines, oldest first, in front of the held ones, skipping any
   * that is already held (same time, worker and message), and keeps the
   * newest `capacity` lines. Used for the history that the console reads
   * from the log aggregator when it opens.
   */
  prependHistory(history: readonly LogLine[]): void {
    const held = new Set(this.lines.map(lineKey));
    const older = history.filter((line) => !held.has(lineKey(line)));
    this.lines.unshift(...older);
    for (const line of older) this.workerNames.add(line.worker);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** Number of lines held. */
  get size(): number {
    return this.lines.length;
  }

  /** Names of every worker seen in the buffer's lifetime, sorted. */
  workers(): string[] {
    return [...this.workerNames].sort();
  }

  /** Lines that pass `filter`, oldest first. */
  filtered(filter: LogFilter): LogLine[] {
    const minRank = levelRank(filter.minLevel);
    return this.lines.filter(
      (line) =>
        levelRank(line.level) >= minRank && (filter.worker === undefined || line.worker === filter.worker),
    );
  }
}

/** Converts a record of the log aggregator. */
export function fromAggregated(record: AggregatedLogRecord): LogLine {
  return {
    time: record.time,
    worker: record.worker,
    level: record.level,
    msg: record.msg,
    fields: record.fields,
  };
}

/** Converts a record that a worker published itself on `logs.<level>`. */
export function fromWorkerRecord(record: LogRecord): LogLine {
  return {
    time: record.time,
    worker: record.worker,
    level: record.level,
    msg: record.msg,
    fields: record.fields,
  };
}

/** Position of `level` in pino's order, 0 for trace. */
export function levelRank(level: LogLevel): number {
  return LogLevels.indexOf(level);
}
