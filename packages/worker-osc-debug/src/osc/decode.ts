import { MalformedOscError, OscReader } from '../internal/osc-reader';
import { readArgs } from '../internal/read-args';
import { toDecodedTimeTag } from './timetag';
import type { DecodedBundle, DecodedMessage, DecodedPacket, MalformedPacket } from './types';

/** Bytes of the packet shown in a malformed result's hex dump. */
const MAX_HEX_BYTES = 256;

/**
 * Bundles nested deeper than this are reported as malformed, so a crafted
 * packet cannot exhaust the call stack.
 * NOTE: 32 is a guess, not taken from any sender; raise it if a real sender
 * nests deeper.
 */
const MAX_BUNDLE_DEPTH = 32;

// "#bundle" and its NUL, the 8-byte OSC-string that starts every bundle (OSC 1.0).
const BUNDLE_HEADER = Buffer.from('#bundle\0', 'latin1');

/**
 * Decodes one OSC 1.0/1.1 packet (a message or a bundle, as one UDP datagram
 * carries it). Does not throw for bad input, which the fuzz tests check: a
 * packet that is not valid OSC comes back as `{ kind: 'malformed', reason, offset, hex }`, so a capture
 * tool can show it. A message without a type tag string, which OSC 1.0 recommends
 * that receivers accept, decodes with no arguments and `typeTags: ''`.
 * Blob values are copies, so they stay valid when `buffer` is reused.
 *
 * @example
 * const packet = decodePacket(datagram);
 * if (packet.kind === 'message') console.log(packet.address, packet.args);
 */
export function decodePacket(buffer: Buffer): DecodedPacket {
  try {
    return decodeElement(buffer, 0, buffer.length, 0);
  } catch (error) {
    if (!(error instanceof MalformedOscError)) throw error;
    return toMalformed(buffer, error.message, error.offset);
  }
}

function decodeElement(
  buffer: Buffer,
  start: number,
  end: number,
  depth: number,
): DecodedMessage | DecodedBundle {
  const size = end - start;
  if (size === 0) throw new MalformedOscError(`Packet at offset ${start} is empty.`, start);
  if (size % 4 !== 0) {
    throw new MalformedOscError(
      `Packet size ${size} at offset ${start} is not a multiple of 4 bytes.`,
      start,
    );
  }

  if (isBundle(buffer, start, end)) return decodeBundle(buffer, start, end, depth);
  return decodeMessage(buffer, start, end);
}

function isBundle(buffer: Buffer, start: number, end: number): boolean {
  return end - start >= BUNDLE_HEADER.length && buffer.compare(BUNDLE_HEADER, 0, 8, start, start + 8) === 0;
}

function decodeBundle(buffer: Buffer, start: number, end: number, depth: number): DecodedBundle {
  if (depth >= MAX_BUNDLE_DEPTH) {
    throw new MalformedOscError(
      `Bundle at offset ${start} is nested deeper than ${MAX_BUNDLE_DEPTH} levels.`,
      start,
    );
  }

  const reader = new OscReader(buffer, start + BUNDLE_HEADER.length, end);
  const seconds = reader.readUInt32('Bundle time tag');
  const fraction = reader.readUInt32('Bundle time tag');

  const elements: DecodedPacket[] = [];
  while (reader.offset < end) {
    const sizeOffset = reader.offset;
    const size = reader.readInt32('Bundle element size');
    const left = end - reader.offset;
    if (size < 0 || size > left) {
      throw new MalformedOscError(
        `Bundle element size ${size} at offset ${sizeOffset} exceeds the ${left} bytes left in the bundle.`,
        sizeOffset,
      );
    }
    elements.push(decodeElement(buffer, reader.offset, reader.offset + size, depth + 1));
    reader.offset += size;
  }

  return { kind: 'bundle', timeTag: toDecodedTimeTag(seconds, fraction), elements };
}

function decodeMessage(buffer: Buffer, start: number, end: number): DecodedMessage {
  const reader = new OscReader(buffer, start, end);
  const address = reader.readString('Address');
  if (!address.startsWith('/')) {
    throw new MalformedOscError(
      `Address ${quote(address)} at offset ${start} does not start with '/'.`,
      start,
    );
  }
  if (reader.offset === end) return { kind: 'message', address, typeTags: '', args: [] };

  const tagsOffset = reader.offset;
  const tagString = reader.readString('Type tag string');
  if (!tagString.startsWith(',')) {
    throw new MalformedOscError(
      `Type tag string ${quote(tagString)} at offset ${tagsOffset} does not start with ','.`,
      tagsOffset,
    );
  }
  const typeTags = tagString.slice(1);
  checkTypeTags(typeTags, tagsOffset + 1);

  const args = readArgs(reader, typeTags);
  if (reader.offset !== end) {
    throw new MalformedOscError(
      `Message at offset ${start} has ${end - reader.offset} bytes after its last argument at offset ${reader.offset}.`,
      reader.offset,
    );
  }
  return { kind: 'message', address, typeTags, args };
}

const KNOWN_TAGS = new Set('ifsbhtdScrmTFNI[]');

// Checks every tag and the bracket balance before any argument is read, so the
// reason names the tag string rather than whichever argument read failed first.
function checkTypeTags(typeTags: string, offset: number): void {
  let depth = 0;
  for (let index = 0; index < typeTags.length; index++) {
    const tag = typeTags[index] ?? '';
    if (!KNOWN_TAGS.has(tag)) {
      throw new MalformedOscError(
        `Type tag string has unknown type tag ${quote(tag)} at offset ${offset + index}.`,
        offset + index,
      );
    }
    if (tag === '[') depth++;
    if (tag === ']') depth--;
    if (depth < 0) {
      throw new MalformedOscError(
        `Type tag string has unbalanced array brackets: ']' at offset ${offset + index} closes no '['.`,
        offset + index,
      );
    }
  }
  if (depth > 0) {
    throw new MalformedOscError(
      `Type tag string has unbalanced array brackets: ${depth} '[' never closed.`,
      offset,
    );
  }
}

function toMalformed(buffer: Buffer, reason: string, offset: number): MalformedPacket {
  return { kind: 'malformed', reason, offset, hex: hexDump(buffer) };
}

function hexDump(buffer: Buffer): string {
  const shownBytes = Math.min(buffer.length, MAX_HEX_BYTES);
  const words: string[] = [];
  for (let start = 0; start < shownBytes; start += 4) {
    words.push(buffer.toString('hex', start, Math.min(start + 4, shownBytes)));
  }
  const rest = buffer.length - shownBytes;
  return rest > 0 ? `${words.join(' ')} (${rest} more bytes)` : words.join(' ');
}

// Quotes a decoded string for a reason, cut to 40 characters, because the
// string may be garbage of any length.
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text).replace(/^"|"$/g, "'");
}
