/**
 * LogAggregatorWorker: collects every worker's log records from the bus and
 * from pm2's log bus, stores each record once, keeps the newest in memory,
 * persists all of them in rotated files, serves queries and publishes
 * batches and alerts.
 */
import path from 'node:path';
import {
  type AggregatedLogRecord,
  BusClient,
  type LogAlert,
  LogLevels,
  type LogRecord,
  type LogsAggregated,
  logTopic,
  type PublishedMessage,
  Topics,
  type VjError,
  Worker,
  type WorkerOptions,
} from '@vj/bus';
import { checkLogsConfig, type LogsConfig, resolveLogsConfig } from './config';
import { DuplicateFilter } from './intake/duplicate-filter';
import { Intake } from './intake/intake';
import { fromBusRecord, type PendingRecord, toStoredRecord } from './intake/record';
import { AggregatorLog } from './log-lines';
import { Pm2LineParser } from './pm2/pm2-lines';
import { Pm2LogBus } from './pm2/pm2-log-bus';
import { RECOVERY_WINDOW_MS, readLogTail, withoutStored } from './pm2/pm2-log-recovery';
import { parseQuery, runFileQuery, runQuery } from './query';
import { LogStats } from './stats';
import { loadRecords } from './store/log-files';
import { LogWriter } from './store/log-writer';
import { RingBuffer } from './store/ring-buffer';

/** Registry name and default ports of the log aggregator. */
export const LOGS_DEFAULTS = { name: 'log_aggregator', commandPort: 5061, telemetryPort: 5062 } as const;

/** Interval between two drains of the intake queues into storage, in ms. */
export const DRAIN_INTERVAL_MS = 100;
/** Interval between `logs.aggregated` batches, in ms (2 Hz). */
export const AGGREGATED_INTERVAL_MS = 500;
/** Maximum records in one `logs.aggregated` batch; older ones of the interval are counted as `omitted`. */
export const MAX_BATCH_RECORDS = 500;
/** Maximum `logs.alert` messages per second; the rest are counted as suppressed. */
export const MAX_ALERTS_PER_S = 50;
/**
 * Delay between a connection to pm2's log bus and the reading of pm2's log files, in ms, so that lines
 * printed around the connection arrive live and are stored before the files are compared with the store.
 */
export const RECOVERY_DELAY_MS = 1000;
/** Time the daemon has to list its processes for the recovery, in ms. */
const RECOVERY_LIST_TIMEOUT_MS = 5000;

/** Options of the aggregator beyond those of every worker. */
export interface LogAggregatorOptions extends Partial<WorkerOptions<LogsConfig>> {
  /** Folder of the log files (default `$VJ_HOME/logs`). */
  logDir?: string;
  /** pm2 home whose log bus is read (default env PM2_HOME, else ~/.pm2). */
  pm2Home?: string;
}

/**
 * The log aggregator. Commands besides the built-in ones: `query` {level?,
 * worker?, text?, since?, until?, limit?}, `get_stats` and `clear`.
 *
 * @example
 * await new LogAggregatorWorker().run();
 */
export class LogAggregatorWorker extends Worker<LogsConfig> {
  readonly logDir: string;
  private ring: RingBuffer<AggregatedLogRecord>;
  private readonly intake: Intake;
  private readonly duplicates = new DuplicateFilter();
  private readonly stats = new LogStats();
  private readonly lastSeq = new Map<string, number>();
  private readonly lines: AggregatorLog;
  private readonly pm2: Pm2LogBus;
  private readonly pm2Lines: Pm2LineParser;
  private bus: BusClient | undefined;
  private writer: LogWriter | undefined;
  private batch: AggregatedLogRecord[] = [];
  private batchTotal = 0;
  private alertSecond = 0;
  private alertsThisSecond = 0;
  private alertsSuppressedSinceLast = 0;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  /** @throws VjError VJ_LOGS_INVALID_OPTIONS or VJ_WORKER_INVALID_OPTIONS. */
  constructor(options: LogAggregatorOptions = {}) {
    const { logDir, pm2Home, ...workerOptions } = options;
    super({ ...LOGS_DEFAULTS, ...workerOptions, config: resolveLogsConfig(workerOptions.config) });
    this.logDir = logDir ?? path.join(path.dirname(this.registry.path), 'logs');
    this.ring = new RingBuffer(this.config.buffer_size);
    this.intake = new Intake(this.config.queue_size);
    this.lines = new AggregatorLog(this.log);
    this.pm2 = new Pm2LogBus(pm2Home === undefined ? {} : { pm2Home });
    this.pm2Lines = new Pm2LineParser(
      (record) => this.ingest(record),
      () => performance.now(),
    );
    this.command('query', (payload) => {
      const query = parseQuery(payload);
      return query.files === true
        ? runFileQuery(this.logDir, this.ring.toArray(), query)
        : runQuery(this.ring.toArray(), query);
    });
    this.command('get_stats', () => this.statsSnapshot());
    this.command('clear', () => this.clear());
  }

  protected override async onStart(): Promise<void> {
    this.stopping = false;
    await this.loadPersisted();
    try {
      this.writer = await LogWriter.open({
        dir: this.logDir,
        maxFileBytes: this.config.max_file_bytes,
        maxFiles: this.config.max_files,
        onError: (error) => this.lines.storeFailed(error),
      });
    } catch (error) {
      // Without files the aggregator still serves queries from memory.
      this.lines.storeFailed(error as VjError);
    }

    this.startBusSource();
    this.startPm2Source();
    this.every(DRAIN_INTERVAL_MS, () => {
      this.pm2Lines.flush();
      this.commit();
    });
    this.every(AGGREGATED_INTERVAL_MS, () => this.publishBatch());
  }

  protected override async onStop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.recoveryTimer);
    await this.bus?.close();
    this.bus = undefined;
    this.pm2.close();
    this.pm2Lines.flush(true);
    this.commit();
    await this.writer?.close();
    this.writer = undefined;
  }

  protected override describeState(): Record<string, unknown> {
    return {
      log_dir: this.logDir,
      buffered: this.ring.size,
      queued: this.intake.queued,
      pm2: { home: this.pm2.pm2Home, connected: this.pm2.connected },
    };
  }

  protected override checkConfig(key: string, value: unknown): true | string {
    return checkLogsConfig(key, value);
  }

  protected override onConfigChanged(changes: Partial<LogsConfig>): void {
    if (changes.buffer_size !== undefined) this.ring = this.ring.resized(changes.buffer_size);
    if (changes.queue_size !== undefined) this.intake.queueSize = changes.queue_size;
    if (this.writer !== undefined) {
      this.writer.maxFileBytes = this.config.max_file_bytes;
      this.writer.maxFiles = this.config.max_files;
    }
  }

  private async loadPersisted(): Promise<void> {
    try {
      const loaded = await loadRecords(this.logDir, this.config.buffer_size);
      for (const record of loaded.records) this.ring.push(record);
      for (const [worker, seq] of loaded.lastSeq) this.lastSeq.set(worker, seq);
      for (const [file, count] of loaded.corruptLines) {
        this.stats.corruptLines += count;
        this.lines.corruptLines(file, count);
      }
      this.log.info({ logDir: this.logDir, loaded: loaded.records.length }, 'persisted log records loaded');
    } catch (error) {
      this.lines.storeFailed(error as VjError);
    }
  }

  private startBusSource(): void {
    const bus = new BusClient({
      vjHome: path.dirname(this.registry.path),
      source: this.name,
      rescanIntervalMs: 1000,
    });
    // Level topics one by one rather than `logs.`, so `logs.aggregated` and `logs.alert` never come in.
    bus.subscribe(...LogLevels.map((level) => logTopic(level)));
    bus.on('message', (_topic, message) => this.receiveFromBus(message));
    bus.on('invalid', (error) => {
      this.stats.malformed++;
      this.lines.malformed(error, this.stats.malformed, Date.now());
    });
    bus.on('warning', (error) => this.log.warn({ err: error }, 'registry read failed'));
    this.bus = bus;
    void bus.start();
  }

  private startPm2Source(): void {
    if (!this.pm2.daemonRunning()) this.lines.pm2Unreachable(this.pm2.pm2Home);
    this.pm2.on('output', (output) => {
      if (output.appName !== this.name) this.pm2Lines.push(output);
    });
    this.pm2.on('process', (change) => {
      if (change.event === 'exit' || change.event === 'online') this.pm2Lines.forgetPid(change.pmId);
    });
    this.pm2.on('connected', () => {
      this.lines.pm2Connected(this.pm2.pm2Home);
      const connectedAtMs = Date.now();
      clearTimeout(this.recoveryTimer);
      this.recoveryTimer = setTimeout(() => void this.recoverPm2Lines(connectedAtMs), RECOVERY_DELAY_MS);
    });
    this.pm2.on('disconnected', () => this.lines.pm2Disconnected(this.pm2.pm2Home));
    this.pm2.start();
  }

  /**
   * Stores the lines that pm2 wrote to its apps' log files within
   * RECOVERY_WINDOW_MS before the connection and that no route delivered,
   * such as the first lines of workers that pm2 started together with the aggregator.
   */
  private async recoverPm2Lines(connectedAtMs: number): Promise<void> {
    let processes: Awaited<ReturnType<Pm2LogBus['listLogFiles']>>;
    try {
      processes = await this.pm2.listLogFiles(RECOVERY_LIST_TIMEOUT_MS);
    } catch (error) {
      this.lines.recoveryFailed(this.pm2.pm2Home, error as Error);
      return;
    }

    const window = { sinceMs: connectedAtMs - RECOVERY_WINDOW_MS, untilMs: connectedAtMs };
    const recovered: PendingRecord[] = [];
    const filesRead = new Set<string>();
    for (const { appName, outFile, errFile } of processes) {
      if (appName === this.name) continue;
      for (const [file, stream] of [
        [outFile, 'stdout'],
        [errFile, 'stderr'],
      ] as const) {
        if (file === undefined || filesRead.has(file)) continue;
        filesRead.add(file);
        try {
          recovered.push(...(await readLogTail(file, appName, stream, window, performance.now())));
        } catch (error) {
          // pm2 creates a file at the first line, so an app that printed nothing has none.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
            this.lines.recoveryFailed(file, error as Error);
        }
      }
    }
    if (this.stopping) return;

    // Stores what the live routes delivered meanwhile, so the comparison includes those copies.
    this.commit();
    const fresh = withoutStored(recovered, this.ring.toArray());
    for (const record of fresh) this.ingest(record);
    this.lines.pm2LinesRecovered(fresh.length, filesRead.size);
  }

  private receiveFromBus(message: PublishedMessage): void {
    if (message.type !== 'telemetry' || message.source === this.name) return;
    // The subscriber has checked the payload of every `logs.<level>` topic against LogRecord.
    const record = message.payload as LogRecord;
    this.stats.noteOriginSeq(record.worker, record.pid, record.seq);
    this.ingest(fromBusRecord(record, performance.now()));
  }

  private ingest(record: PendingRecord): void {
    if (record.worker === this.name) return;
    if (this.duplicates.isDuplicate(record, Date.now())) {
      this.stats.duplicates++;
      return;
    }
    this.intake.push(record);
  }

  private commit(): void {
    const { records, dropped } = this.intake.drain();
    // Every queued record is now stored below or was dropped, so the filter need not keep any of them alive.
    this.duplicates.releaseRecords();
    const nowMs = Date.now();
    // A full queue drops its oldest records, which all came after the worker's last stored record,
    // so skipping their numbers puts the gap where they were.
    for (const [worker, count] of dropped) {
      this.lastSeq.set(worker, (this.lastSeq.get(worker) ?? 0) + count);
      this.stats.countDropped(worker, count);
      this.lines.dropped(worker, count, this.stats.droppedOf(worker), nowMs);
    }

    for (const pending of records) {
      const seq = (this.lastSeq.get(pending.worker) ?? 0) + 1;
      this.lastSeq.set(pending.worker, seq);
      pending.committed = true;
      const record = toStoredRecord(pending, seq);
      this.ring.push(record);
      this.writer?.append(record);
      this.stats.countStored(record, nowMs);
      this.batch.push(record);
      this.batchTotal++;
      if (record.level === 'error' || record.level === 'fatal') this.alert(record, nowMs);
    }
    if (this.batch.length > MAX_BATCH_RECORDS) this.batch = this.batch.slice(-MAX_BATCH_RECORDS);
  }

  private alert(record: AggregatedLogRecord, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.alertSecond) {
      this.alertSecond = second;
      this.alertsThisSecond = 0;
    }
    if (this.alertsThisSecond >= MAX_ALERTS_PER_S) {
      this.alertsSuppressedSinceLast++;
      this.stats.alertsSuppressed++;
      return;
    }
    this.alertsThisSecond++;
    const alert: LogAlert = { record, suppressed: this.alertsSuppressedSinceLast };
    this.alertsSuppressedSinceLast = 0;
    this.publish(Topics.logsAlert, alert);
  }

  private publishBatch(): void {
    if (this.batchTotal === 0) return;
    const payload: LogsAggregated = { records: this.batch, omitted: this.batchTotal - this.batch.length };
    this.batch = [];
    this.batchTotal = 0;
    this.publish(Topics.logsAggregated, payload);
  }

  private statsSnapshot(): Record<string, unknown> {
    const nowMs = Date.now();
    const { workers, records, dropped } = this.stats.snapshot(nowMs);
    let ratePerS = 0;
    for (const counts of Object.values(workers)) ratePerS += counts.rate_per_s;
    return {
      workers,
      records,
      rate_per_s: ratePerS,
      dropped,
      duplicates: this.stats.duplicates,
      malformed: this.stats.malformed,
      corrupt_lines: this.stats.corruptLines,
      unpersisted: this.writer?.stats.unpersisted ?? 0,
      rotations: this.writer?.stats.rotations ?? 0,
      alerts_suppressed: this.stats.alertsSuppressed,
      buffered: this.ring.size,
      pm2_connected: this.pm2.connected,
    };
  }

  private clear(): Record<string, unknown> {
    const cleared = this.ring.size;
    this.ring.clear();
    this.stats.clear();
    this.log.info({ cleared }, 'log buffer cleared');
    return { cleared };
  }
}
