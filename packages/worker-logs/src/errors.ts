/**
 * Error codes of @vj/worker-logs, one place for all of them. Each code names
 * an area and a problem, and a retired code is never reused. Errors are thrown
 * as `VjError` from @vj/bus with one of these codes, or logged with the code
 * when the aggregator carries on without the failed part.
 */
export const LogsErrorCodes = {
  /** An option or environment variable of the aggregator is invalid; the message names it, its value and the expected range. */
  VJ_LOGS_INVALID_OPTIONS: 'VJ_LOGS_INVALID_OPTIONS',
  /** Appending to the current log file failed; records stay in memory and are counted as unpersisted. */
  VJ_LOGS_WRITE_FAILED: 'VJ_LOGS_WRITE_FAILED',
  /** Renaming or removing log files during rotation failed; writing goes on in the current file. */
  VJ_LOGS_ROTATE_FAILED: 'VJ_LOGS_ROTATE_FAILED',
  /** A persisted log file exists but could not be read at start; the aggregator starts without its records. */
  VJ_LOGS_READ_FAILED: 'VJ_LOGS_READ_FAILED',
  /** Lines of a persisted log file are not valid records; they were skipped and counted. */
  VJ_LOGS_CORRUPT_LINE: 'VJ_LOGS_CORRUPT_LINE',
  /** A message on `logs.<level>` did not match the LogRecord schema; it was dropped and counted. */
  VJ_LOGS_MALFORMED_RECORD: 'VJ_LOGS_MALFORMED_RECORD',
  /** No pm2 daemon runs at PM2_HOME; the aggregator collects from the bus only and keeps trying to connect. */
  VJ_LOGS_PM2_UNREACHABLE: 'VJ_LOGS_PM2_UNREACHABLE',
  /** Listing pm2's processes or reading an app's log file failed while recovering lines printed before the connection; those lines may be missing. */
  VJ_LOGS_PM2_RECOVERY_FAILED: 'VJ_LOGS_PM2_RECOVERY_FAILED',
} as const;

export type LogsErrorCode = keyof typeof LogsErrorCodes;
