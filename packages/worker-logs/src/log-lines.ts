/**
 * The aggregator's own recurring log lines, with their levels and texts in one
 * place. Lines about received records are rate-limited: the aggregator's own
 * records are not aggregated, but a line per dropped or rejected record would
 * still flood its stdout and pm2's files.
 */
import type { VjError, Worker } from '@vj/bus';

// pino's Logger, named through the Worker base class because pino is a dependency of @vj/bus only.
type Logger = Worker['log'];

/** Minimum time between two lines about the same kind of record problem, in ms. */
export const RECORD_LOG_INTERVAL_MS = 10_000;

/**
 * @example
 * const lines = new AggregatorLog(worker.log);
 * lines.dropped('audio_analyzer', 120, 5000, Date.now());
 */
export class AggregatorLog {
  private readonly log: Logger;
  private readonly lastLoggedMs = new Map<string, number>();
  private malformedSinceLog = 0;
  private readonly droppedSinceLog = new Map<string, number>();

  constructor(log: Logger) {
    this.log = log;
  }

  /** Notes records of `worker` dropped by flood control; logs at most once per interval and worker. */
  dropped(worker: string, count: number, totalDropped: number, nowMs: number): void {
    const since = (this.droppedSinceLog.get(worker) ?? 0) + count;
    if (!this.due(`dropped:${worker}`, nowMs)) {
      this.droppedSinceLog.set(worker, since);
      return;
    }
    this.droppedSinceLog.delete(worker);
    this.log.warn({ source: worker, dropped: since, totalDropped }, 'log records dropped, worker floods');
  }

  /** Notes a rejected bus message; logs it, with the count since the last line, at most once per interval. */
  malformed(error: VjError, totalMalformed: number, nowMs: number): void {
    this.malformedSinceLog++;
    if (!this.due('malformed', nowMs)) return;
    this.log.warn(
      {
        code: 'VJ_LOGS_MALFORMED_RECORD',
        topic: error.fields.topic,
        error: error.message,
        rejected: this.malformedSinceLog,
        totalMalformed,
      },
      'log record rejected as malformed',
    );
    this.malformedSinceLog = 0;
  }

  /** Logs lines of the persisted files that were skipped at start. */
  corruptLines(file: string, count: number): void {
    this.log.warn({ code: 'VJ_LOGS_CORRUPT_LINE', file, count }, 'corrupt log lines skipped');
  }

  /** Logs a failure of the files; the aggregator carries on in memory. */
  storeFailed(error: VjError): void {
    this.log.error({ code: error.code, err: error }, 'log file operation failed');
  }

  pm2Unreachable(pm2Home: string): void {
    this.log.warn(
      { code: 'VJ_LOGS_PM2_UNREACHABLE', pm2Home },
      'pm2 daemon not found, collecting from the bus only until it starts',
    );
  }

  pm2Connected(pm2Home: string): void {
    this.log.info({ pm2Home }, 'pm2 log bus connected');
  }

  /** Logs a failure to read pm2's process list or one of its log files while recovering missed lines. */
  recoveryFailed(target: string, error: Error): void {
    this.log.warn(
      { code: 'VJ_LOGS_PM2_RECOVERY_FAILED', target, err: error },
      'pm2 log recovery failed, lines printed before the connection may be missing',
    );
  }

  pm2LinesRecovered(recovered: number, files: number): void {
    this.log.info({ recovered, files }, 'pm2 log lines recovered from files');
  }

  pm2Disconnected(pm2Home: string): void {
    this.log.warn({ pm2Home }, 'pm2 log bus disconnected, reconnecting');
  }

  private due(key: string, nowMs: number): boolean {
    const last = this.lastLoggedMs.get(key);
    if (last !== undefined && nowMs - last < RECORD_LOG_INTERVAL_MS) return false;
    this.lastLoggedMs.set(key, nowMs);
    return true;
  }
}
