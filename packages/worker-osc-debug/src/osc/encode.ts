import { VjError } from '@vj/bus';
import { OscErrorCodes } from '../errors';
import { checkArg, typeTagsOf } from '../internal/osc-arg-check';
import type { OscArg, OscTimeTag } from './types';

/**
 * Encodes one OSC message with the OSC 1.0/1.1 types of OscArg. An arg of
 * type `array` becomes `[` … `]` in the type tag string. Strings are written
 * as UTF-8. Each argument is checked first and nothing is encoded when one is
 * invalid.
 *
 * Throws VjError VJ_OSC_INVALID_ADDRESS when `address` does not start with
 * '/' or contains NUL, and VJ_OSC_INVALID_ARGUMENT when a value does not fit
 * its type (e.g. an 'i' outside int32, a string with NUL, a 'c' outside ASCII).
 *
 * @example
 * const datagram = encodeMessage('/layer/1/opacity', [{ type: 'f', value: 0.5 }]);
 */
export function encodeMessage(address: string, args: readonly OscArg[]): Buffer {
  if (typeof address !== 'string' || !address.startsWith('/') || address.includes('\0')) {
    throw new VjError(
      OscErrorCodes.VJ_OSC_INVALID_ADDRESS,
      `OSC address ${JSON.stringify(address)} is invalid: expected a string that starts with '/' and has no NUL.`,
      { address, shortMessage: `invalid OSC address ${JSON.stringify(address)}` },
    );
  }
  for (const [index, arg] of args.entries()) checkArg(arg, index, address);

  const typeTags = `,${typeTagsOf(args)}`;
  const size = stringSize(address) + stringSize(typeTags) + argsSize(args);
  const buffer = Buffer.alloc(size);
  let offset = writeString(buffer, 0, address);
  offset = writeString(buffer, offset, typeTags);
  writeArgs(buffer, offset, args);
  return buffer;
}

/**
 * Encodes one OSC bundle: "#bundle", the time tag, then each element prefixed
 * by its int32 size (OSC 1.0). Elements are encoded packets, from
 * encodeMessage or encodeBundle, so bundles nest.
 *
 * Throws VjError VJ_OSC_INVALID_ARGUMENT when the time tag's seconds or
 * fraction is not an unsigned 32-bit integer, and
 * VJ_OSC_INVALID_BUNDLE_ELEMENT when an element is empty or its size is not a
 * multiple of 4 bytes.
 *
 * @example
 * encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [encodeMessage('/a', []), encodeMessage('/b', [])]);
 */
export function encodeBundle(timeTag: OscTimeTag, elements: readonly Uint8Array[]): Buffer {
  checkArg({ type: 't', value: timeTag }, 0, '#bundle');
  for (const [index, element] of elements.entries()) {
    if (element.length > 0 && element.length % 4 === 0) continue;
    throw new VjError(
      OscErrorCodes.VJ_OSC_INVALID_BUNDLE_ELEMENT,
      `Bundle element ${index} is ${element.length} bytes: expected a non-empty encoded packet whose size is a multiple of 4.`,
      { index, sizeBytes: element.length, shortMessage: `invalid bundle element ${index}` },
    );
  }

  let size = 16;
  for (const element of elements) size += 4 + element.length;
  const buffer = Buffer.alloc(size);
  let offset = buffer.write('#bundle\0', 0, 'latin1');
  offset = buffer.writeUInt32BE(timeTag.seconds, offset);
  offset = buffer.writeUInt32BE(timeTag.fraction, offset);
  for (const element of elements) {
    offset = buffer.writeInt32BE(element.length, offset);
    buffer.set(element, offset);
    offset += element.length;
  }
  return buffer;
}

// Size of an OSC-string: its bytes, a NUL, then NULs up to a multiple of 4.
function stringSize(text: string): number {
  return (Buffer.byteLength(text, 'utf8') + 4) & ~3;
}

function argsSize(args: readonly OscArg[]): number {
  let size = 0;
  for (const arg of args) size += argSize(arg);
  return size;
}

function argSize(arg: OscArg): number {
  switch (arg.type) {
    case 'i':
    case 'f':
    case 'c':
    case 'r':
    case 'm':
      return 4;
    case 'h':
    case 'd':
    case 't':
      return 8;
    case 's':
    case 'S':
      return stringSize(arg.value);
    case 'b':
      return 4 + ((arg.value.length + 3) & ~3);
    case 'array':
      return argsSize(arg.value);
    default:
      return 0;
  }
}

// Buffer.alloc zero-fills, so padding needs no writes.
function writeString(buffer: Buffer, offset: number, text: string): number {
  buffer.write(text, offset, 'utf8');
  return offset + stringSize(text);
}

function writeArgs(buffer: Buffer, start: number, args: readonly OscArg[]): number {
  let offset = start;
  for (const arg of args) offset = writeArg(buffer, offset, arg);
  return offset;
}

function writeArg(buffer: Buffer, offset: number, arg: OscArg): number {
  switch (arg.type) {
    case 'i':
      return buffer.writeInt32BE(arg.value, offset);
    case 'f':
      return buffer.writeFloatBE(arg.value, offset);
    case 'd':
      return buffer.writeDoubleBE(arg.value, offset);
    case 'h':
      return buffer.writeBigInt64BE(arg.value, offset);
    case 'c':
      return buffer.writeInt32BE(arg.value.charCodeAt(0), offset);
    case 's':
    case 'S':
      return writeString(buffer, offset, arg.value);
    case 'b':
      buffer.writeInt32BE(arg.value.length, offset);
      buffer.set(arg.value, offset + 4);
      return offset + 4 + ((arg.value.length + 3) & ~3);
    case 't':
      buffer.writeUInt32BE(arg.value.seconds, offset);
      return buffer.writeUInt32BE(arg.value.fraction, offset + 4);
    case 'r':
      buffer.set([arg.value.red, arg.value.green, arg.value.blue, arg.value.alpha], offset);
      return offset + 4;
    case 'm':
      buffer.set([arg.value.port, arg.value.status, arg.value.data1, arg.value.data2], offset);
      return offset + 4;
    case 'array':
      return writeArgs(buffer, offset, arg.value);
    default:
      return offset;
  }
}
