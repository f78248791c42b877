import type { DecodedArg, DecodedPacket } from '../osc/types';

/**
 * Argument value as JSON can carry it: an int64 (`h`) becomes a decimal
 * string, a blob a hex string, and Infinity, -Infinity and NaN (which JSON
 * lacks) the strings "Infinity", "-Infinity" and "NaN". Time tags keep their
 * NTP pair and add `unix_seconds` and `immediately`.
 */
export type JsonArgValue = number | string | boolean | null | Record<string, number | boolean> | JsonArg[];

/** One OSC argument with its type tag and a JSON-safe value. */
export interface JsonArg {
  type: DecodedArg['type'];
  value: JsonArgValue;
}

/** Arrival details of a datagram: receive time, sender and local port. */
export interface Arrival {
  /** Receive time, Unix seconds. */
  received_at: number;
  /** Sender's IP address. */
  source_address: string;
  /** Sender's UDP port. */
  source_port: number;
  /** Local UDP port that received the datagram. */
  local_port: number;
}

/** Captured OSC message; a message of a bundle carries the bundle's time tag as Unix seconds. */
export interface CapturedMessage extends Arrival {
  kind: 'message';
  address: string;
  type_tags: string;
  args: JsonArg[];
  /** Time tag of the enclosing bundle, Unix seconds; null outside a bundle or when the tag means "immediately". */
  time_tag: number | null;
}

/** Captured datagram that is not valid OSC. */
export interface CapturedMalformed extends Arrival {
  kind: 'malformed';
  reason: string;
  /** Byte offset where the problem was found. */
  offset: number;
  /** Hex dump of the first 256 bytes at most. */
  hex: string;
}

/** One entry of the capture buffer, as get_messages and `osc.messages` send it. */
export type CapturedEntry = CapturedMessage | CapturedMalformed;

/**
 * Flattens a decoded packet into entries: one per message, however deeply
 * bundles nest, and one for a malformed packet. Calls `onBundle` once per
 * bundle, nested ones included, so the caller can count them.
 *
 * @example
 * const entries = toCapturedEntries(decodePacket(datagram), arrival, () => bundles++);
 */
export function toCapturedEntries(
  packet: DecodedPacket,
  arrival: Arrival,
  onBundle: () => void = () => {},
): CapturedEntry[] {
  const entries: CapturedEntry[] = [];
  collect(packet, arrival, null, entries, onBundle);
  return entries;
}

/** Converts decoded arguments to their JSON-safe form (see {@link JsonArgValue}). */
export function toJsonArgs(args: readonly DecodedArg[]): JsonArg[] {
  return args.map(toJsonArg);
}

function collect(
  packet: DecodedPacket,
  arrival: Arrival,
  timeTag: number | null,
  entries: CapturedEntry[],
  onBundle: () => void,
): void {
  if (packet.kind === 'malformed') {
    entries.push({
      kind: 'malformed',
      reason: packet.reason,
      offset: packet.offset,
      hex: packet.hex,
      ...arrival,
    });
    return;
  }
  if (packet.kind === 'message') {
    entries.push({
      kind: 'message',
      address: packet.address,
      type_tags: packet.typeTags,
      args: toJsonArgs(packet.args),
      time_tag: timeTag,
      ...arrival,
    });
    return;
  }

  onBundle();
  const bundleTime = packet.timeTag.immediately ? null : packet.timeTag.unixSeconds;
  for (const element of packet.elements) collect(element, arrival, bundleTime, entries, onBundle);
}

function toJsonArg(arg: DecodedArg): JsonArg {
  switch (arg.type) {
    case 'h':
      return { type: arg.type, value: arg.value.toString() };
    case 'b':
      return { type: arg.type, value: Buffer.from(arg.value).toString('hex') };
    case 'f':
    case 'd':
    case 'I':
      return { type: arg.type, value: Number.isFinite(arg.value) ? arg.value : String(arg.value) };
    case 't':
      return {
        type: arg.type,
        value: {
          seconds: arg.value.seconds,
          fraction: arg.value.fraction,
          unix_seconds: arg.value.unixSeconds,
          immediately: arg.value.immediately,
        },
      };
    case 'r':
    case 'm':
      return { type: arg.type, value: { ...arg.value } };
    case 'array':
      return { type: arg.type, value: toJsonArgs(arg.value) };
    default:
      return { type: arg.type, value: arg.value };
  }
}
