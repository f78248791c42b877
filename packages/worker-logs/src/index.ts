/** @vj/worker-logs: the public door. Names are listed one by one so ESM callers can import them. */
export { checkLogsConfig, LOGS_CONFIG_DEFAULTS, type LogsConfig, resolveLogsConfig } from './config';
export { type LogsErrorCode, LogsErrorCodes } from './errors';
export {
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_MAX_KEYS,
  DuplicateFilter,
} from './intake/duplicate-filter';
export { DEFAULT_QUEUE_SIZE, type Drained, Intake } from './intake/intake';
export {
  fromBusRecord,
  fromPinoLine,
  type PendingRecord,
  plainRecord,
  toStoredRecord,
} from './intake/record';
export {
  AGGREGATED_INTERVAL_MS,
  DRAIN_INTERVAL_MS,
  LOGS_DEFAULTS,
  type LogAggregatorOptions,
  LogAggregatorWorker,
  MAX_ALERTS_PER_S,
  MAX_BATCH_RECORDS,
  RECOVERY_DELAY_MS,
} from './log-aggregator-worker';
export { PARTIAL_LINE_FLUSH_MS, Pm2LineParser, splitDatePrefix, stripDatePrefix } from './pm2/pm2-lines';
export {
  Pm2LogBus,
  type Pm2LogBusEvents,
  type Pm2Output,
  type Pm2ProcessChange,
  type Pm2ProcessLogFiles,
} from './pm2/pm2-log-bus';
export {
  RECOVERY_TAIL_BYTES,
  RECOVERY_WINDOW_MS,
  type RecoveryWindow,
  readLogTail,
  withoutStored,
} from './pm2/pm2-log-recovery';
export { DEFAULT_QUERY_LIMIT, type LogQuery, parseQuery, runFileQuery, runQuery } from './query';
export { LogStats, RATE_WINDOW_S, type WorkerCounts } from './stats';
export {
  CURRENT_FILE,
  type LoadedRecords,
  listLogFiles,
  loadRecords,
  logFilePath,
  shiftLogFiles,
} from './store/log-files';
export { LogWriter, type LogWriterOptions, type WriterStats } from './store/log-writer';
export { DEFAULT_BUFFER_SIZE, RingBuffer } from './store/ring-buffer';
