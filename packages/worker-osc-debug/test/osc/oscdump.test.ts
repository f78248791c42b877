import { execFile, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { allocatePort, makeTempDir, removeDir, requireTool } from '@vj/test-support';
import {
  encodeBundle,
  encodeMessage,
  OSC_TIME_TAG_IMMEDIATELY,
  type OscArg,
  type OscTimeTag,
  timeTagFromUnixSeconds,
} from '../../src';

const execFileAsync = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', 'fixtures', 'oscdump-in-netns.sh');

// oscdump binds every interface, so it runs only inside a private network namespace.
const canRun =
  requireTool('oscdump', 'liblo-tools') &&
  requireTool('unshare', 'util-linux') &&
  requireTool('ip', 'iproute2') &&
  canCreateNetworkNamespace();
const describeWithOscdump = canRun ? describe : describe.skip;

function canCreateNetworkNamespace(): boolean {
  const probe = spawnSync('unshare', ['-n', 'true'], { encoding: 'utf8' });
  if (probe.status === 0) return true;

  const reason = `unshare -n failed (${probe.stderr.trim() || `status ${probe.status}`}); the oscdump tests need root or CAP_SYS_ADMIN`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true requires every test to run`);
  process.stderr.write(`skipped: ${reason}\n`);
  return false;
}

// oscdump prints a time tag as 8 hex digits of seconds, a dot and 8 of fraction.
function hexTimeTag(timeTag: OscTimeTag): string {
  const hex = (value: number) => value.toString(16).padStart(8, '0');
  return `${hex(timeTag.seconds)}.${hex(timeTag.fraction)}`;
}

// Sends `datagrams` to oscdump in a private network namespace and returns its lines,
// each split into the time tag and the rest.
async function dumpWithOscdump(datagrams: Buffer[], lineCount: number): Promise<Array<[string, string]>> {
  const folder = await makeTempDir('vj-oscdump');
  try {
    const input = path.join(folder, 'datagrams.hex');
    const output = path.join(folder, 'oscdump.out');
    await writeFile(input, `${datagrams.map((datagram) => datagram.toString('hex')).join('\n')}\n`);
    const port = await allocatePort();

    await execFileAsync(
      'unshare',
      ['-n', 'bash', SCRIPT, String(port), input, String(lineCount), output, '20'],
      {
        env: { ...process.env, NODE: process.execPath },
        timeout: 30000,
      },
    );

    const text = await readFile(output, 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const space = line.indexOf(' ');
        return [line.slice(0, space), line.slice(space + 1)];
      });
  } finally {
    await removeDir(folder);
  }
}

describeWithOscdump('encodeMessage and encodeBundle read by liblo oscdump', () => {
  test('oscdump decodes every type liblo 0.31 supports', async () => {
    // liblo 0.31 rejects messages with 'r' (RGBA color) or arrays as invalid, so they are left out.
    const cases: Array<[OscArg, string]> = [
      [{ type: 'i', value: -42 }, 'i -42'],
      [{ type: 'f', value: -1.5 }, 'f -1.500000'],
      [{ type: 's', value: 'grüße, world' }, 's "grüße, world"'],
      [{ type: 'b', value: Uint8Array.from([1, 2, 3, 255, 0]) }, 'b [5b 0x1 0x2 0x3 0xff 00]'],
      [{ type: 'h', value: -1234567890123n }, 'h -1234567890123'],
      // float32 cannot hold 16777217.5, so this value comes through only as a float64.
      [{ type: 'd', value: 16777217.5 }, 'd 16777217.500000'],
      [{ type: 't', value: { seconds: 0xe8754700, fraction: 0x80000000 } }, 't e8754700.80000000'],
      [{ type: 'S', value: 'sym' }, "S 'sym"],
      [{ type: 'c', value: 'x' }, "c 'x'"],
      [
        { type: 'm', value: { port: 0, status: 0x90, data1: 0x40, data2: 0x7f } },
        'm MIDI [0x00 0x90 0x40 0x7f]',
      ],
      [{ type: 'T', value: true }, 'T #T'],
      [{ type: 'F', value: false }, 'F #F'],
      [{ type: 'N', value: null }, 'N Nil'],
      [{ type: 'I', value: Number.POSITIVE_INFINITY }, 'I Infinitum'],
    ];
    const single = cases.map(([arg], index) => encodeMessage(`/enc/${index}`, [arg]));
    // One message with every argument checks the alignment after each type.
    const all = encodeMessage(
      '/enc/all',
      cases.map(([arg]) => arg),
    );

    const lines = await dumpWithOscdump([...single, all], cases.length + 1);

    const printed = lines.map(([, rest]) => rest);
    const expected = cases.map(([, text], index) => `/enc/${index} ${text}`);
    const tags = cases.map(([, text]) => text.slice(0, text.indexOf(' '))).join('');
    const values = cases.map(([, text]) => text.slice(text.indexOf(' ') + 1)).join(' ');
    expect(printed).toEqual([...expected, `/enc/all ${tags} ${values}`]);
  });

  test('oscdump receives nested and time-tagged bundles', async () => {
    const nowS = Date.now() / 1000;
    const outerTag = timeTagFromUnixSeconds(nowS + 0.4);
    const innerTag = timeTagFromUnixSeconds(nowS + 0.8);
    const nested = encodeBundle(outerTag, [
      encodeMessage('/enc/outer', [{ type: 'i', value: 1 }]),
      encodeBundle(innerTag, [encodeMessage('/enc/inner', [{ type: 's', value: 'deep' }])]),
    ]);
    const immediate = encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [
      encodeMessage('/enc/now/1', [{ type: 'i', value: 2 }]),
      encodeMessage('/enc/now/2', [{ type: 'f', value: 0.5 }]),
    ]);

    const lines = await dumpWithOscdump([nested, immediate], 4);

    // liblo delays a bundle's messages until its time tag, then prints them with that tag.
    const byMessage = new Map(lines.map(([timeTag, rest]) => [rest, timeTag]));
    expect([...byMessage.keys()].sort()).toEqual([
      '/enc/inner s "deep"',
      '/enc/now/1 i 2',
      '/enc/now/2 f 0.500000',
      '/enc/outer i 1',
    ]);
    expect(byMessage.get('/enc/outer i 1')).toBe(hexTimeTag(outerTag));
    expect(byMessage.get('/enc/inner s "deep"')).toBe(hexTimeTag(innerTag));
  });
});
