/**
 * Payloads of the OSC debug worker's telemetry: `osc.messages` (captured
 * entries) and `osc.stats` (counts per address and per forward target). As in
 * payloads.ts, objects accept extra fields and the fields listed are required.
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Byte = Type.Integer({ minimum: 0, maximum: 255 });
const Count = Type.Integer({ minimum: 0 });

// JSON has no Infinity or NaN, so the worker sends these float values as strings.
const NonFinite = Type.Union([Type.Literal('Infinity'), Type.Literal('-Infinity'), Type.Literal('NaN')]);
const JsonFloat = Type.Union([Type.Number(), NonFinite]);

/**
 * One OSC argument as JSON carries it, discriminated on `type`, its OSC 1.0/1.1
 * type tag. An `h` (int64) is a decimal string and a `b` (blob) a hex string.
 * An `I` (infinitum) is the string "Infinity", and a float that is not finite
 * is one of "Infinity", "-Infinity" or "NaN". An `array` contains arguments.
 */
export const OscJsonArg = Type.Recursive(
  (Self) =>
    Type.Union([
      Type.Object({
        type: Type.Literal('i'),
        value: Type.Integer({ minimum: -(2 ** 31), maximum: 2 ** 31 - 1 }),
      }),
      Type.Object({ type: Type.Literal('f'), value: JsonFloat }),
      Type.Object({ type: Type.Literal('d'), value: JsonFloat }),
      Type.Object({ type: Type.Literal('s'), value: Type.String() }),
      Type.Object({ type: Type.Literal('S'), value: Type.String() }),
      // One character, which takes two UTF-16 code units in a JS string when its code point is above U+FFFF.
      Type.Object({ type: Type.Literal('c'), value: Type.String({ minLength: 1, maxLength: 2 }) }),
      Type.Object({ type: Type.Literal('h'), value: Type.String({ pattern: '^-?[0-9]+$' }) }),
      Type.Object({ type: Type.Literal('b'), value: Type.String({ pattern: '^([0-9a-f]{2})*$' }) }),
      Type.Object({
        type: Type.Literal('t'),
        value: Type.Object({
          /** Whole seconds since 1900-01-01 UTC (NTP), unsigned 32-bit. */
          seconds: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 }),
          /** Fraction of a second in units of 2^-32 s, unsigned 32-bit. */
          fraction: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 }),
          /** The same instant as Unix seconds. */
          unix_seconds: Type.Number(),
          /** True for the special time tag 0x0000000000000001, "immediately". */
          immediately: Type.Boolean(),
        }),
      }),
      Type.Object({
        type: Type.Literal('r'),
        value: Type.Object({ red: Byte, green: Byte, blue: Byte, alpha: Byte }),
      }),
      Type.Object({
        type: Type.Literal('m'),
        value: Type.Object({ port: Byte, status: Byte, data1: Byte, data2: Byte }),
      }),
      Type.Object({ type: Type.Literal('T'), value: Type.Literal(true) }),
      Type.Object({ type: Type.Literal('F'), value: Type.Literal(false) }),
      Type.Object({ type: Type.Literal('N'), value: Type.Null() }),
      Type.Object({ type: Type.Literal('I'), value: Type.Literal('Infinity') }),
      Type.Object({ type: Type.Literal('array'), value: Type.Array(Self) }),
    ]),
  { $id: 'OscJsonArg' },
);
export type OscJsonArg = Static<typeof OscJsonArg>;

// Fields that every captured entry has: when and from where its datagram arrived.
const ArrivalFields = {
  /** Receive time, Unix seconds. */
  received_at: Type.Number(),
  /** Sender's IP address. */
  source_address: Type.String({ minLength: 1 }),
  /** Sender's UDP port. */
  source_port: Port,
  /** Local UDP port that received the datagram. */
  local_port: Port,
};

/** A captured OSC message. A message of a bundle carries the bundle's time tag. */
export const OscCapturedMessage = Type.Object({
  kind: Type.Literal('message'),
  address: Type.String({ pattern: '^/' }),
  /** Type tag string without its leading ','. */
  type_tags: Type.String(),
  args: Type.Array(OscJsonArg),
  /** Time tag of the enclosing bundle as Unix seconds, or null outside a bundle or for "immediately". */
  time_tag: Type.Union([Type.Number(), Type.Null()]),
  ...ArrivalFields,
});
export type OscCapturedMessage = Static<typeof OscCapturedMessage>;

/** A captured datagram that is not valid OSC. */
export const OscCapturedMalformed = Type.Object({
  kind: Type.Literal('malformed'),
  /** One sentence that names what is wrong and where. */
  reason: Type.String({ minLength: 1 }),
  /** Byte offset in the datagram where the problem was found. */
  offset: Count,
  /** Hex dump of the first 256 bytes at most. */
  hex: Type.String(),
  ...ArrivalFields,
});
export type OscCapturedMalformed = Static<typeof OscCapturedMalformed>;

/** One entry of the OSC capture buffer, discriminated on `kind`. */
export const OscCapturedEntry = Type.Union([OscCapturedMessage, OscCapturedMalformed]);
export type OscCapturedEntry = Static<typeof OscCapturedEntry>;

/** Payload of `osc.messages`: the newest entries of one interval, at most 100. */
export const OscMessages = Type.Object({
  /** Entries that passed the filter, newest first. */
  messages: Type.Array(OscCapturedEntry, { maxItems: 100 }),
  /** Older entries of the same interval that passed the filter but did not fit in `messages`. */
  dropped: Count,
});
export type OscMessages = Static<typeof OscMessages>;

/** Statistics of one OSC address in `osc.stats`. */
export const OscAddressStats = Type.Object({
  count: Type.Integer({ minimum: 1 }),
  /** Messages per second over the last 5 s. */
  rate_per_s: Type.Number({ minimum: 0 }),
  last_args: Type.Array(OscJsonArg),
  /** Unix seconds. */
  first_seen: Type.Number(),
  /** Unix seconds. */
  last_seen: Type.Number(),
});
export type OscAddressStats = Static<typeof OscAddressStats>;

/** Payload of `osc.stats` and result of `get_stats` on the OSC debug worker. */
export const OscStats = Type.Object({
  /** Datagrams received. */
  packets: Count,
  /** Messages received, those inside bundles included. */
  messages: Count,
  /** Bundles received, nested ones included. */
  bundles: Count,
  /** Datagrams that were not valid OSC. */
  malformed: Count,
  /** Statistics keyed by OSC address. */
  addresses: Type.Record(Type.String(), OscAddressStats),
  /** Datagrams sent per forward target, keyed by `host:port`. */
  forwarded: Type.Record(Type.String(), Count),
  /** Failed sends per forward target, keyed by `host:port`. */
  forward_errors: Type.Record(Type.String(), Count),
});
export type OscStats = Static<typeof OscStats>;

export const OscJsonArgValidator = TypeCompiler.Compile(OscJsonArg);
export const OscCapturedEntryValidator = TypeCompiler.Compile(OscCapturedEntry);
export const OscMessagesValidator = TypeCompiler.Compile(OscMessages);
export const OscStatsValidator = TypeCompiler.Compile(OscStats);
