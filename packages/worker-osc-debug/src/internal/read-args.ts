/**
 * Readers of the arguments of one OSC message, after decodePacket has checked
 * its type tag string: every tag is known and the brackets are balanced.
 *
 * @internal
 */
import { toDecodedTimeTag } from '../osc/timetag';
import type { DecodedArg } from '../osc/types';
import { MalformedOscError, type OscReader } from './osc-reader';

/**
 * Reads the arguments that `typeTags` (without the ',') names, from the
 * reader's offset on. Arrays nest through an explicit stack, not recursion, so
 * a tag string of thousands of '[' cannot overflow the call stack.
 *
 * @internal
 */
export function readArgs(reader: OscReader, typeTags: string): DecodedArg[] {
  const top: DecodedArg[] = [];
  const stack: DecodedArg[][] = [];
  let current = top;

  for (let index = 0; index < typeTags.length; index++) {
    const tag = typeTags[index];
    if (tag === '[') {
      const array: DecodedArg[] = [];
      current.push({ type: 'array', value: array });
      stack.push(current);
      current = array;
      continue;
    }
    if (tag === ']') {
      current = stack.pop() ?? top;
      continue;
    }
    current.push(readArg(reader, tag ?? ''));
  }
  return top;
}

function readArg(reader: OscReader, tag: string): DecodedArg {
  switch (tag) {
    case 'i':
      return { type: 'i', value: reader.readInt32("Argument 'i'") };
    case 'f':
      return { type: 'f', value: reader.readFloat32("Argument 'f'") };
    case 's':
      return { type: 's', value: reader.readString("Argument 's'") };
    case 'S':
      return { type: 'S', value: reader.readString("Argument 'S'") };
    case 'b':
      return { type: 'b', value: reader.readBlob("Argument 'b'") };
    case 'h':
      return { type: 'h', value: reader.readInt64("Argument 'h'") };
    case 'd':
      return { type: 'd', value: reader.readFloat64("Argument 'd'") };
    case 't':
      return readTimeTagArg(reader);
    case 'c':
      return readCharArg(reader);
    case 'r': {
      const at = reader.readFourBytes("Argument 'r'");
      const bytes = reader.buffer;
      return {
        type: 'r',
        value: {
          red: bytes[at] ?? 0,
          green: bytes[at + 1] ?? 0,
          blue: bytes[at + 2] ?? 0,
          alpha: bytes[at + 3] ?? 0,
        },
      };
    }
    case 'm': {
      const at = reader.readFourBytes("Argument 'm'");
      const bytes = reader.buffer;
      return {
        type: 'm',
        value: {
          port: bytes[at] ?? 0,
          status: bytes[at + 1] ?? 0,
          data1: bytes[at + 2] ?? 0,
          data2: bytes[at + 3] ?? 0,
        },
      };
    }
    case 'T':
      return { type: 'T', value: true };
    case 'F':
      return { type: 'F', value: false };
    case 'N':
      return { type: 'N', value: null };
    default:
      return { type: 'I', value: Number.POSITIVE_INFINITY };
  }
}

function readTimeTagArg(reader: OscReader): DecodedArg {
  const seconds = reader.readUInt32("Argument 't'");
  const fraction = reader.readUInt32("Argument 't'");
  return { type: 't', value: toDecodedTimeTag(seconds, fraction) };
}

function readCharArg(reader: OscReader): DecodedArg {
  const offset = reader.offset;
  const code = reader.readInt32("Argument 'c'");
  if (code < 0 || code > 0x10ffff) {
    throw new MalformedOscError(
      `Argument 'c' at offset ${offset} is ${code}, which is not a character code.`,
      offset,
    );
  }
  return { type: 'c', value: String.fromCodePoint(code) };
}
