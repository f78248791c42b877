/**
 * Envelopes of the bus wire format: one JSON object per message, discriminated
 * on `type`, with snake_case fields so that a Python pyzmq client speaking the
 * original protocol can join. Timestamps are Unix time in seconds (float).
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { EventNames } from './topics';

const Id = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'Message id, a UUID for messages sent by vj',
});
const Timestamp = Type.Number({ description: 'Unix time in seconds when the message was created' });
const Source = Type.Union([Type.String(), Type.Null()], {
  description: 'Name of the sender, null when anonymous',
});
const JsonObject = Type.Record(Type.String(), Type.Unknown());

/** A command sent REQ → REP to a worker's command port. */
export const Command = Type.Object({
  type: Type.Literal('command'),
  id: Id,
  timestamp: Timestamp,
  source: Source,
  command: Type.String({ minLength: 1, maxLength: 128 }),
  payload: JsonObject,
});
export type Command = Static<typeof Command>;

/** Outcome of a command. `timeout` is set only by clients, never sent by a worker. */
export const ResponseStatus = Type.Union([
  Type.Literal('ok'),
  Type.Literal('error'),
  Type.Literal('timeout'),
]);
export type ResponseStatus = Static<typeof ResponseStatus>;

/** The reply to a command; `id` repeats the command's id. */
export const Response = Type.Object({
  type: Type.Literal('response'),
  id: Id,
  timestamp: Timestamp,
  source: Source,
  status: ResponseStatus,
  result: Type.Union([JsonObject, Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  /** vj extension: the VjError code when status is "error"; absent in the original protocol. */
  code: Type.Optional(Type.String()),
});
export type Response = Static<typeof Response>;

/** A telemetry message, the second frame after the topic frame. */
export const Telemetry = Type.Object({
  type: Type.Literal('telemetry'),
  id: Id,
  timestamp: Timestamp,
  source: Source,
  topic: Type.String({ minLength: 1 }),
  payload: Type.Unknown(),
});
export type Telemetry = Static<typeof Telemetry>;

/** A lifecycle event of the process manager, published on `events.<event>`. */
export const Event = Type.Object({
  type: Type.Literal('event'),
  id: Id,
  timestamp: Timestamp,
  source: Source,
  event: Type.Union(EventNames.map((name) => Type.Literal(name))),
  worker: Type.String({ minLength: 1 }),
  payload: JsonObject,
});
export type Event = Static<typeof Event>;

/** A liveness beat that every worker publishes on topic `heartbeat`. */
export const Heartbeat = Type.Object({
  type: Type.Literal('heartbeat'),
  id: Id,
  timestamp: Timestamp,
  source: Type.String({ minLength: 1 }),
  pid: Type.Integer({ minimum: 1 }),
  status: Type.String(),
  uptime_s: Type.Number({ minimum: 0 }),
});
export type Heartbeat = Static<typeof Heartbeat>;

/** Any bus message. */
export const Message = Type.Union([Command, Response, Telemetry, Event, Heartbeat]);
export type Message = Static<typeof Message>;

export const CommandValidator = TypeCompiler.Compile(Command);
export const ResponseValidator = TypeCompiler.Compile(Response);
export const TelemetryValidator = TypeCompiler.Compile(Telemetry);
export const EventValidator = TypeCompiler.Compile(Event);
export const HeartbeatValidator = TypeCompiler.Compile(Heartbeat);
