/**
 * The `query` command: checking its payload and selecting records.
 */
import { type AggregatedLogRecord, type LogLevel, LogLevels, type LogQueryResult, VjError } from '@vj/bus';
import { listLogFiles, logFilePath, readLogRecords } from './store/log-files';

/** Records returned when the query gives no `limit`. */
export const DEFAULT_QUERY_LIMIT = 100;

/** A checked query; every criterion is optional. */
export interface LogQuery {
  /** Lowest level returned. */
  level?: LogLevel;
  /** Exact worker name. */
  worker?: string;
  /** Text contained in the message or in the JSON of the fields, compared case-insensitively. */
  text?: string;
  /** Earliest and latest record time, Unix seconds, both inclusive. */
  since?: number;
  until?: number;
  /** Maximum records returned, newest first. */
  limit: number;
  /** True to search the log files too, not only the records in memory. */
  files?: boolean;
}

const LEVEL_RANK = new Map<string, number>(LogLevels.map((level, rank) => [level, rank]));

/**
 * Checks a `query` payload.
 *
 * @throws VjError VJ_BUS_INVALID_PAYLOAD naming the field, what it expects and what it received.
 */
export function parseQuery(payload: Record<string, unknown>): LogQuery {
  const { level, worker, text, since, until, files } = payload;
  const limit = payload.limit ?? DEFAULT_QUERY_LIMIT;

  if (level !== undefined && !LEVEL_RANK.has(level as string))
    throw invalidPayload('level', `one of ${LogLevels.join(', ')}`, level);
  if (worker !== undefined && (typeof worker !== 'string' || worker === ''))
    throw invalidPayload('worker', 'a worker name', worker);
  if (text !== undefined && typeof text !== 'string') throw invalidPayload('text', 'a string', text);
  if (since !== undefined && !Number.isFinite(since)) throw invalidPayload('since', 'Unix seconds', since);
  if (until !== undefined && !Number.isFinite(until)) throw invalidPayload('until', 'Unix seconds', until);
  if (!Number.isInteger(limit) || (limit as number) < 1)
    throw invalidPayload('limit', 'a positive integer', limit);
  if (files !== undefined && typeof files !== 'boolean')
    throw invalidPayload('files', 'true or false', files);

  return {
    ...(level === undefined ? {} : { level: level as LogLevel }),
    ...(worker === undefined ? {} : { worker: worker as string }),
    ...(text === undefined || text === '' ? {} : { text: (text as string).toLowerCase() }),
    ...(since === undefined ? {} : { since: since as number }),
    ...(until === undefined ? {} : { until: until as number }),
    limit: limit as number,
    ...(files === true ? { files: true } : {}),
  };
}

/**
 * Selects the records that match `query` from `records` (in storage order),
 * newest first by time; records of the same time come newest stored first.
 */
export function runQuery(records: readonly AggregatedLogRecord[], query: LogQuery): LogQueryResult {
  const matches: AggregatedLogRecord[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i] as AggregatedLogRecord;
    if (matchesQuery(record, query)) matches.push(record);
  }
  // The array contains the newest stored record first and the sort is stable, so equal times keep that order.
  matches.sort((a, b) => b.time - a.time);
  return { records: matches.slice(0, query.limit), matched: matches.length, buffered: records.length };
}

/**
 * Selects the records that match `query` from the log files in `dir` and
 * from `memory`, the records in memory, which may not all be written yet.
 * A record in both counts once (same worker and seq). Only the newest
 * `limit` matches are kept while the files are read, so a broad query over
 * large files keeps little more in memory than the file being read.
 *
 * @throws VjError VJ_LOGS_READ_FAILED when a log file exists but cannot be read.
 */
export async function runFileQuery(
  dir: string,
  memory: readonly AggregatedLogRecord[],
  query: LogQuery,
): Promise<LogQueryResult> {
  const newest = new NewestMatches(query.limit);
  const inMemory = new Set(memory.map(keyOf));
  const written = new Set<string>();
  const indexes = await listLogFiles(dir);
  for (const index of indexes) {
    for (const record of await readLogRecords(logFilePath(dir, index))) {
      const key = keyOf(record);
      if (inMemory.has(key)) written.add(key);
      if (matchesQuery(record, query)) newest.add(record);
    }
  }
  for (const record of memory) {
    if (!written.has(keyOf(record)) && matchesQuery(record, query)) newest.add(record);
  }
  return {
    records: newest.take(),
    matched: newest.count,
    buffered: memory.length,
    files_searched: indexes.length,
  };
}

/** Tells whether `record` passes every criterion of `query`. */
export function matchesQuery(record: AggregatedLogRecord, query: LogQuery): boolean {
  const minRank = query.level === undefined ? 0 : (LEVEL_RANK.get(query.level) as number);
  if ((LEVEL_RANK.get(record.level) as number) < minRank) return false;
  if (query.worker !== undefined && record.worker !== query.worker) return false;
  if (query.since !== undefined && record.time < query.since) return false;
  if (query.until !== undefined && record.time > query.until) return false;
  if (query.text !== undefined && !containsText(record, query.text)) return false;
  return true;
}

/** Key of a record across memory and files: its worker and its sequence number there. */
function keyOf(record: AggregatedLogRecord): string {
  return `${record.worker}\u0000${record.seq}`;
}

/** The newest `limit` records added, by time, and a count of all. */
class NewestMatches {
  count = 0;
  private records: AggregatedLogRecord[] = [];

  constructor(private readonly limit: number) {}

  add(record: AggregatedLogRecord): void {
    this.count++;
    this.records.push(record);
    // Trimming at four times the limit keeps the sorting cost per record constant.
    if (this.records.length >= 4 * this.limit) this.trim();
  }

  /** Returns the kept records, newest first. */
  take(): AggregatedLogRecord[] {
    this.trim();
    return this.records;
  }

  private trim(): void {
    this.records.sort((a, b) => b.time - a.time);
    this.records.length = Math.min(this.records.length, this.limit);
  }
}

function containsText(record: AggregatedLogRecord, lowerText: string): boolean {
  if (record.msg.toLowerCase().includes(lowerText)) return true;
  return JSON.stringify(record.fields).toLowerCase().includes(lowerText);
}

function invalidPayload(field: string, expected: string, value: unknown): VjError {
  return new VjError(
    'VJ_BUS_INVALID_PAYLOAD',
    `query expects "${field}" to be ${expected}, received ${JSON.stringify(value)}`,
    { field, value, shortMessage: `invalid ${field}` },
  );
}
