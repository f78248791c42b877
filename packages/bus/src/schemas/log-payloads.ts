/**
 * Payloads of the log aggregator: the stored record, the `logs.aggregated`
 * batch, the `logs.alert` message and the result of its `query` command. As in
 * payloads.ts, objects accept extra fields and the fields listed are required.
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { LogLevels } from './topics';

const Count = Type.Integer({ minimum: 0 });
const Level = Type.Union(LogLevels.map((level) => Type.Literal(level)));

/** Routes by which the aggregator received a record: the bus, pm2's log bus, or both. */
export const LogRoutes = ['bus', 'pm2', 'both'] as const;
export type LogRoute = (typeof LogRoutes)[number];

/** One record as the log aggregator stores, queries and publishes it. */
export const AggregatedLogRecord = Type.Object({
  /** Wall-clock time, Unix seconds: the worker's own time, or pm2's receive time for plain lines. */
  time: Type.Number(),
  /** Monotonic time in ms of the aggregator process when the record arrived; comparable only within one aggregator run. */
  mono_ms: Type.Number({ minimum: 0 }),
  /** Sequence number per worker, assigned by the aggregator from 1; a gap counts records it dropped. */
  seq: Type.Integer({ minimum: 1 }),
  worker: Type.String({ minLength: 1 }),
  level: Level,
  msg: Type.String(),
  /** Process id of the worker, null for a plain pm2 line whose process is not known. */
  pid: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  /** Structured fields of the record other than the ones above. */
  fields: Type.Record(Type.String(), Type.Unknown()),
  via: Type.Union(LogRoutes.map((route) => Type.Literal(route))),
  /** Output stream of a record that came through pm2, null for one that came only through the bus. */
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr'), Type.Null()]),
  /** The worker's own sequence number (LogRecord.seq), null when the record did not come through the bus. */
  origin_seq: Type.Union([Count, Type.Null()]),
});
export type AggregatedLogRecord = Static<typeof AggregatedLogRecord>;

/** Payload of `logs.aggregated`, published twice a second when records arrived. */
export const LogsAggregated = Type.Object({
  /** Records stored since the previous batch, oldest first, at most the newest 500 of them. */
  records: Type.Array(AggregatedLogRecord),
  /** Records stored in the same interval but left out of this batch because it was full. */
  omitted: Count,
});
export type LogsAggregated = Static<typeof LogsAggregated>;

/** Payload of `logs.alert`, published for each stored `error` or `fatal` record. */
export const LogAlert = Type.Object({
  record: AggregatedLogRecord,
  /** Alerts left out since the previous one because the alert rate limit was reached. */
  suppressed: Count,
});
export type LogAlert = Static<typeof LogAlert>;

/** Result of the log aggregator's `query` command. */
export const LogQueryResult = Type.Object({
  /** Matching records, newest first, at most `limit`. */
  records: Type.Array(AggregatedLogRecord),
  /** Records in the buffer that match, `limit` aside. */
  matched: Count,
  /** Records in the buffer. */
  buffered: Count,
  /** Log files read for a query with `files`; absent when only memory was searched. */
  files_searched: Type.Optional(Count),
});
export type LogQueryResult = Static<typeof LogQueryResult>;

export const AggregatedLogRecordValidator = TypeCompiler.Compile(AggregatedLogRecord);
export const LogsAggregatedValidator = TypeCompiler.Compile(LogsAggregated);
export const LogAlertValidator = TypeCompiler.Compile(LogAlert);
export const LogQueryResultValidator = TypeCompiler.Compile(LogQueryResult);
