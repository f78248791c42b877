/**
 * OSC time tag: a 64-bit NTP timestamp, as seconds since 1900-01-01 UTC and a
 * fraction of a second in units of 2^-32 s (OSC 1.0, "OSC-timetag").
 */
export interface OscTimeTag {
  /** Whole seconds since 1900-01-01 UTC, an unsigned 32-bit integer. */
  seconds: number;
  /** Fraction of a second in units of 2^-32 s, an unsigned 32-bit integer. */
  fraction: number;
}

/** Time tag as decoded: the raw NTP pair plus its value as Unix time. */
export interface DecodedTimeTag extends OscTimeTag {
  /** Seconds since 1970-01-01 UTC, with the fraction as decimals; float64 keeps about 0.2 µs of it. */
  unixSeconds: number;
  /** True for the special value 0x0000000000000001, which OSC 1.0 defines as "immediately". */
  immediately: boolean;
}

/** RGBA color of the OSC 1.0 type tag 'r', each channel 0–255. */
export interface OscColor {
  red: number;
  green: number;
  blue: number;
  alpha: number;
}

/** MIDI message of the OSC 1.0 type tag 'm', each field one byte 0–255, in wire order. */
export interface OscMidi {
  port: number;
  status: number;
  data1: number;
  data2: number;
}

/**
 * One OSC argument, discriminated on `type`, which is its OSC 1.0/1.1 type
 * tag. An array (`[` … `]` on the wire) has the type `array`.
 */
export type OscArg =
  | { type: 'i'; value: number }
  | { type: 'f'; value: number }
  | { type: 's'; value: string }
  | { type: 'S'; value: string }
  | { type: 'b'; value: Uint8Array }
  | { type: 'h'; value: bigint }
  | { type: 't'; value: OscTimeTag }
  | { type: 'd'; value: number }
  | { type: 'c'; value: string }
  | { type: 'r'; value: OscColor }
  | { type: 'm'; value: OscMidi }
  | { type: 'T'; value: true }
  | { type: 'F'; value: false }
  | { type: 'N'; value: null }
  | { type: 'I'; value: number }
  | { type: 'array'; value: OscArg[] };

/** Argument as decoded: like OscArg, but time tags carry their Unix time too. */
export type DecodedArg =
  | Exclude<OscArg, { type: 't' } | { type: 'array' }>
  | { type: 't'; value: DecodedTimeTag }
  | { type: 'array'; value: DecodedArg[] };

/** Decoded OSC message. `typeTags` is the type tag string without its leading ','. */
export interface DecodedMessage {
  kind: 'message';
  address: string;
  typeTags: string;
  args: DecodedArg[];
}

/** Decoded OSC bundle, its elements in wire order. */
export interface DecodedBundle {
  kind: 'bundle';
  timeTag: DecodedTimeTag;
  elements: DecodedPacket[];
}

/** Packet that is not valid OSC, kept as data for display. */
export interface MalformedPacket {
  kind: 'malformed';
  /** One sentence that names what is wrong and where. */
  reason: string;
  /** Byte offset, from the start of the whole packet, where the problem was found. */
  offset: number;
  /** Hex dump of the first 256 bytes at most, in 4-byte words separated by spaces. */
  hex: string;
}

/** Result of decodePacket. */
export type DecodedPacket = DecodedMessage | DecodedBundle | MalformedPacket;
