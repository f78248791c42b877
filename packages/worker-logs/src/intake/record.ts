/**
 * Records between arrival and storage, and their conversion from the two
 * routes: LogRecords from the bus and lines that pm2 read from a worker's
 * stdout or stderr.
 */
import type { AggregatedLogRecord, LogLevel, LogRecord } from '@vj/bus';

/** A record that arrived and awaits its sequence number; `committed` turns true once it is stored. */
export interface PendingRecord extends Omit<AggregatedLogRecord, 'seq'> {
  /** True when the record came from a pino JSON object, so the other route may carry a copy of it. */
  structured: boolean;
  committed: boolean;
}

/** pino's numeric levels (pino 10 defaults). */
const PINO_LEVELS: Readonly<Record<number, LogLevel>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Keys of a pino line that become record fields of their own; every other key goes under `fields`. */
const PINO_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'worker']);

/** Converts a LogRecord received on `logs.<level>`; `monoMs` is the aggregator's clock at arrival. */
export function fromBusRecord(record: LogRecord, monoMs: number): PendingRecord {
  return {
    time: record.time,
    mono_ms: monoMs,
    worker: record.worker,
    level: record.level,
    msg: record.msg,
    pid: record.pid,
    fields: record.fields,
    via: 'bus',
    stream: null,
    origin_seq: record.seq,
    structured: true,
    committed: false,
  };
}

/**
 * Converts one line that a worker printed as pino JSON, or returns undefined
 * when the line is not a pino object (one with numeric `level` and `time`).
 * The worker is the line's `worker` field, else the pm2 app name.
 */
export function fromPinoLine(
  text: string,
  appName: string,
  stream: 'stdout' | 'stderr',
  monoMs: number,
): PendingRecord | undefined {
  if (!text.startsWith('{')) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  if (typeof parsed.level !== 'number' || typeof parsed.time !== 'number') return undefined;

  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(parsed)) {
    if (!PINO_KEYS.has(key)) fields[key] = parsed[key];
  }
  const pid = parsed.pid;
  return {
    time: parsed.time / 1000,
    mono_ms: monoMs,
    worker: typeof parsed.worker === 'string' && parsed.worker !== '' ? parsed.worker : appName,
    level: PINO_LEVELS[parsed.level] ?? 'info',
    msg: typeof parsed.msg === 'string' ? parsed.msg : '',
    pid: Number.isInteger(pid) && (pid as number) > 0 ? (pid as number) : null,
    fields,
    via: 'pm2',
    stream,
    origin_seq: null,
    structured: true,
    committed: false,
  };
}

/** Builds the record of a line that is not pino JSON: level `info` from stdout, `error` from stderr. */
export function plainRecord(
  text: string,
  appName: string,
  stream: 'stdout' | 'stderr',
  timeMs: number,
  pid: number | null,
  monoMs: number,
): PendingRecord {
  return {
    time: timeMs / 1000,
    mono_ms: monoMs,
    worker: appName,
    level: stream === 'stderr' ? 'error' : 'info',
    msg: text,
    pid,
    fields: {},
    via: 'pm2',
    stream,
    origin_seq: null,
    structured: false,
    committed: false,
  };
}

/** Returns the stored form of `record` with its sequence number. */
export function toStoredRecord(record: PendingRecord, seq: number): AggregatedLogRecord {
  return {
    time: record.time,
    mono_ms: record.mono_ms,
    seq,
    worker: record.worker,
    level: record.level,
    msg: record.msg,
    pid: record.pid,
    fields: record.fields,
    via: record.via,
    stream: record.stream,
    origin_seq: record.origin_seq,
  };
}
