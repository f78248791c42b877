/**
 * A UDP socket on loopback that decodes the OSC messages it receives, for
 * checking the worker's output byte by byte. It reads the types the worker
 * sends (`i`, `f`, `s`) and rejects anything else, so that an unexpected type
 * fails the test.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { allocatePort } from '@vj/test-support';

/** One received OSC message. */
export interface ReceivedOsc {
  address: string;
  typeTags: string;
  args: Array<number | string>;
}

/** A bound receiver and the messages it has decoded so far. */
export interface OscReceiver {
  target: string;
  messages: ReceivedOsc[];
  close(): void;
}

/** Binds a receiver on 127.0.0.1 on a fresh port. */
export async function startOscReceiver(): Promise<OscReceiver> {
  const port = await allocatePort();
  const socket = dgram.createSocket('udp4');
  const messages: ReceivedOsc[] = [];
  socket.on('message', (datagram) => messages.push(decodeOscMessage(datagram)));
  socket.bind(port, '127.0.0.1');
  await once(socket, 'listening');
  return { target: `127.0.0.1:${port}`, messages, close: () => socket.close() };
}

/** Decodes one OSC 1.0 message with `i`, `f` and `s` arguments. */
export function decodeOscMessage(datagram: Buffer): ReceivedOsc {
  let offset = 0;
  const readString = (): string => {
    const end = datagram.indexOf(0, offset);
    if (end < 0) throw new Error(`OSC string at byte ${offset} has no NUL terminator`);
    const value = datagram.toString('utf8', offset, end);
    offset = (end + 4) & ~3;
    return value;
  };

  const address = readString();
  const typeTags = readString();
  if (!typeTags.startsWith(',')) throw new Error(`OSC type tag string ${JSON.stringify(typeTags)} lacks ","`);
  const args: Array<number | string> = [];
  for (const tag of typeTags.slice(1)) {
    if (tag === 'i') {
      args.push(datagram.readInt32BE(offset));
      offset += 4;
    } else if (tag === 'f') {
      args.push(datagram.readFloatBE(offset));
      offset += 4;
    } else if (tag === 's') {
      args.push(readString());
    } else {
      throw new Error(`OSC type tag ${tag} is not one the worker sends`);
    }
  }
  if (offset !== datagram.length)
    throw new Error(`OSC message has ${datagram.length - offset} bytes after its arguments`);
  return { address, typeTags: typeTags.slice(1), args };
}
