/**
 * The `query` command: checking its payload and selecting records.
 */
import { type AggregatedLogRecord, type LogLevel, LogLevels, type LogQueryResult, VjError } from '@vj/bus';

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
}

const LEVEL_RANK = new Map<string, number>(LogLevels.map((level, rank) => [level, rank]));

/**
 * Checks a `query` payload.
 *
 * @throws VjError VJ_BUS_INVALID_PAYLOAD naming the field, what it expects and what it received.
 */
export function parseQuery(payload: Record<string, unknown>): LogQuery {
  const { level, worker, text, since, until } = payload;
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

  return {
    ...(level === undefined ? {} : { level: level as LogLevel }),
    ...(worker === undefined ? {} : { worker: worker as string }),
    ...(text === undefined || text === '' ? {} : { text: (text as string).toLowerCase() }),
    ...(since === undefined ? {} : { since: since as number }),
    ...(until === undefined ? {} : { until: until as number }),
    limit: limit as number,
  };
}

/**
 * Selects the records that match `query` from `records` (in storage order),
 * newest first by time; records of the same time come newest stored first.
 */
export function runQuery(records: readonly AggregatedLogRecord[], query: LogQuery): LogQueryResult {
  const minRank = query.level === undefined ? 0 : (LEVEL_RANK.get(query.level) as number);
  const matches: AggregatedLogRecord[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i] as AggregatedLogRecord;
    if ((LEVEL_RANK.get(record.level) as number) < minRank) continue;
    if (query.worker !== undefined && record.worker !== query.worker) continue;
    if (query.since !== undefined && record.time < query.since) continue;
    if (query.until !== undefined && record.time > query.until) continue;
    if (query.text !== undefined && !containsText(record, query.text)) continue;
    matches.push(record);
  }
  // The array contains the newest stored record first and the sort is stable, so equal times keep that order.
  matches.sort((a, b) => b.time - a.time);
  return { records: matches.slice(0, query.limit), matched: matches.length, buffered: records.length };
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
