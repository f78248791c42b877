import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  makeTempDir,
  removeDir,
  requirePythonModule,
  requireTool,
  testPython,
  waitFor,
} from '@vj/test-support';
import {
  type DecodedBundle,
  type DecodedMessage,
  type DecodedPacket,
  decodePacket,
  NTP_UNIX_OFFSET_SECONDS,
  toCapturedEntries,
} from '../../src';

const execFileAsync = promisify(execFile);
const FIXTURES = path.join(__dirname, '..', 'fixtures');

const testWithOscsendfile = requireTool('oscsendfile', 'liblo-tools') ? test : test.skip;
const testWithPyliblo = requirePythonModule('liblo', 'python3-liblo') ? test : test.skip;

// Collects every datagram that arrives on a fresh loopback port.
async function bindCollector(): Promise<{ socket: dgram.Socket; port: number; received: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (datagram) => received.push(datagram));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, port: socket.address().port, received };
}

// NTP time of a decoded time tag in seconds, as one float (about 0.5 µs resolution).
function ntpSeconds(packet: DecodedBundle): number {
  return packet.timeTag.seconds + packet.timeTag.fraction / 2 ** 32;
}

// Seconds from the time tag of `from` to that of `to`, exact to 2^-32 s.
function secondsBetween(from: DecodedBundle, to: DecodedBundle): number {
  const seconds = to.timeTag.seconds - from.timeTag.seconds;
  return seconds + (to.timeTag.fraction - from.timeTag.fraction) / 2 ** 32;
}

function asBundle(packet: DecodedPacket | undefined): DecodedBundle {
  if (packet?.kind !== 'bundle') throw new Error(`expected a bundle, decoded ${JSON.stringify(packet)}`);
  return packet;
}

function addressOf(packet: DecodedPacket): string {
  if (packet.kind === 'message') return packet.address;
  if (packet.kind === 'bundle') return (packet.elements[0] as DecodedMessage).address;
  return '';
}

describe('decodePacket of bundles from liblo tools', () => {
  testWithOscsendfile('oscsendfile lines decode as time-tagged bundles', async () => {
    const collector = await bindCollector();
    const folder = await makeTempDir('vj-oscsendfile');
    try {
      // oscdump's line format: NTP seconds.fraction in hex, address, type tags, values.
      // oscsendfile 0.31 sends type 'S' as 's'. It stops at the first 't' or 'b' line and
      // does not send the line before it either, so those types are left out.
      const lines = [
        'eebd0000.00000000 /file/i i 42',
        'eebd0000.40000000 /file/hd hd 1234567890123 2.5',
        'eebd0000.80000000 /file/fs fs 0.5 word',
        'eebd0000.c0000000 /file/TFNI TFNI',
        'eebd0001.00000000 /file/c c x',
        'eebd0001.20000000 /file/m m 0090407f',
      ];
      const offsetsS = [0, 0.25, 0.5, 0.75, 1, 1.125];
      const file = path.join(folder, 'messages.txt');
      await writeFile(file, `${lines.join('\n')}\n`);
      const startedS = Date.now() / 1000;

      await execFileAsync('oscsendfile', [`osc.udp://127.0.0.1:${collector.port}`, file], { timeout: 15000 });
      await waitFor(() => collector.received.length === lines.length, {
        timeoutMs: 10000,
        message: `${lines.length} datagrams from oscsendfile`,
      });
      const finishedS = Date.now() / 1000;

      const bundles = collector.received.map((datagram) => asBundle(decodePacket(datagram)));
      expect(bundles.map((bundle) => bundle.elements)).toEqual([
        [{ kind: 'message', address: '/file/i', typeTags: 'i', args: [{ type: 'i', value: 42 }] }],
        [
          {
            kind: 'message',
            address: '/file/hd',
            typeTags: 'hd',
            args: [
              { type: 'h', value: 1234567890123n },
              { type: 'd', value: 2.5 },
            ],
          },
        ],
        [
          {
            kind: 'message',
            address: '/file/fs',
            typeTags: 'fs',
            args: [
              { type: 'f', value: 0.5 },
              { type: 's', value: 'word' },
            ],
          },
        ],
        [
          {
            kind: 'message',
            address: '/file/TFNI',
            typeTags: 'TFNI',
            args: [
              { type: 'T', value: true },
              { type: 'F', value: false },
              { type: 'N', value: null },
              { type: 'I', value: Number.POSITIVE_INFINITY },
            ],
          },
        ],
        [{ kind: 'message', address: '/file/c', typeTags: 'c', args: [{ type: 'c', value: 'x' }] }],
        [
          {
            kind: 'message',
            address: '/file/m',
            typeTags: 'm',
            args: [{ type: 'm', value: { port: 0x00, status: 0x90, data1: 0x40, data2: 0x7f } }],
          },
        ],
      ]);
      // oscsendfile tags each line's bundle with the time it sends it: now plus the line's
      // offset from the first line.
      const first = bundles[0] as DecodedBundle;
      expect(first.timeTag.immediately).toBe(false);
      expect(first.timeTag.unixSeconds).toBeGreaterThanOrEqual(startedS - 1);
      expect(first.timeTag.unixSeconds).toBeLessThanOrEqual(finishedS + 1);
      for (const [index, bundle] of bundles.entries()) {
        expect(secondsBetween(first, bundle)).toBeCloseTo(offsetsS[index] as number, 6);
      }
    } finally {
      collector.socket.close();
      await removeDir(folder);
    }
  });

  testWithPyliblo('pyliblo blobs and time-tagged bundles decode', async () => {
    const collector = await bindCollector();
    try {
      const { stdout } = await execFileAsync(
        testPython(),
        [path.join(FIXTURES, 'pyliblo-send.py'), String(collector.port)],
        { timeout: 15000 },
      );
      const sent = JSON.parse(stdout) as { now: number; bundle_time: number };
      await waitFor(() => collector.received.length === 4, {
        timeoutMs: 10000,
        message: '4 datagrams from pyliblo',
      });

      const packets = collector.received.map((datagram) => decodePacket(datagram));
      const byAddress = new Map(packets.map((packet) => [addressOf(packet), packet]));
      expect(byAddress.get('/py/blob')).toEqual({
        kind: 'message',
        address: '/py/blob',
        typeTags: 'b',
        args: [{ type: 'b', value: Buffer.from([1, 2, 3, 255, 0]) }],
      });

      const mixed = byAddress.get('/py/mixed') as DecodedMessage;
      expect(mixed.typeTags).toBe('hdtcSm');
      expect(mixed.args[0]).toEqual({ type: 'h', value: 2n ** 40n + 1n });
      expect(mixed.args[1]).toEqual({ type: 'd', value: 0.1 });
      const argTime = mixed.args[2] as { type: 't'; value: { seconds: number; fraction: number } };
      expect(argTime.value.seconds + argTime.value.fraction / 2 ** 32).toBeCloseTo(sent.now, 5);
      expect(mixed.args.slice(3)).toEqual([
        { type: 'c', value: 'z' },
        { type: 'S', value: 'sym' },
        { type: 'm', value: { port: 0, status: 0x90, data1: 64, data2: 127 } },
      ]);

      const tagged = asBundle(byAddress.get('/py/first'));
      expect(ntpSeconds(tagged)).toBeCloseTo(sent.bundle_time, 5);
      expect(tagged.timeTag.immediately).toBe(false);
      expect(tagged.elements).toEqual([
        { kind: 'message', address: '/py/first', typeTags: 'i', args: [{ type: 'i', value: 1 }] },
        { kind: 'message', address: '/py/second', typeTags: 's', args: [{ type: 's', value: 'two' }] },
      ]);
      const arrival = { received_at: 0, source_address: '127.0.0.1', source_port: 1, local_port: 2 };
      const entries = toCapturedEntries(tagged, arrival);
      expect(entries.map((entry) => entry.kind === 'message' && entry.time_tag)).toEqual([
        tagged.timeTag.unixSeconds,
        tagged.timeTag.unixSeconds,
      ]);
      expect(tagged.timeTag.unixSeconds).toBeCloseTo(sent.bundle_time - NTP_UNIX_OFFSET_SECONDS, 5);

      // pyliblo writes a bundle made without a time tag as 0.0, not as 1 ("immediately").
      const untagged = asBundle(byAddress.get('/py/untagged'));
      expect(untagged.timeTag).toEqual({
        seconds: 0,
        fraction: 0,
        unixSeconds: -NTP_UNIX_OFFSET_SECONDS,
        immediately: false,
      });
      expect(untagged.elements).toEqual([
        { kind: 'message', address: '/py/untagged', typeTags: 'i', args: [{ type: 'i', value: 3 }] },
      ]);
    } finally {
      collector.socket.close();
    }
  });
});
