import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { requireTool } from '@vj/test-support';
import { type DecodedArg, decodePacket } from '../../src';

const execFileAsync = promisify(execFile);

const describeWithLiblo = requireTool('oscsend', 'liblo-tools') ? describe : describe.skip;

// Sends one message with liblo's oscsend to a fresh loopback socket and returns the decoded packet.
async function sendWithOscsend(typeTags: string, values: string[]) {
  const socket = dgram.createSocket('udp4');
  try {
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const received = once(socket, 'message') as Promise<[Buffer, dgram.RemoteInfo]>;
    const url = `osc.udp://127.0.0.1:${socket.address().port}`;
    await execFileAsync('oscsend', [url, '/t/x', typeTags, ...values], { timeout: 5000 });
    const [datagram] = await received;
    return decodePacket(datagram);
  } finally {
    socket.close();
  }
}

describeWithLiblo('decodePacket of messages from liblo oscsend', () => {
  const cases: Array<[string, string[], DecodedArg[]]> = [
    ['i', ['42'], [{ type: 'i', value: 42 }]],
    ['f', ['3.14'], [{ type: 'f', value: Math.fround(3.14) }]],
    ['s', ['hello world'], [{ type: 's', value: 'hello world' }]],
    ['h', ['1234567890123'], [{ type: 'h', value: 1234567890123n }]],
    ['d', [String(Math.E)], [{ type: 'd', value: Math.E }]],
    ['S', ['sym'], [{ type: 'S', value: 'sym' }]],
    ['c', ['x'], [{ type: 'c', value: 'x' }]],
    ['T', [], [{ type: 'T', value: true }]],
    ['F', [], [{ type: 'F', value: false }]],
    ['N', [], [{ type: 'N', value: null }]],
    ['I', [], [{ type: 'I', value: Number.POSITIVE_INFINITY }]],
    ['m', ['0090407f'], [{ type: 'm', value: { port: 0x00, status: 0x90, data1: 0x40, data2: 0x7f } }]],
    [
      'ifs',
      ['-7', '0.25', 'abc'],
      [
        { type: 'i', value: -7 },
        { type: 'f', value: 0.25 },
        { type: 's', value: 'abc' },
      ],
    ],
  ];

  test.each(cases)('oscsend type %s decodes to its exact value', async (typeTags, values, expected) => {
    const packet = await sendWithOscsend(typeTags, values);

    expect(packet).toEqual({ kind: 'message', address: '/t/x', typeTags, args: expected });
  });
});
