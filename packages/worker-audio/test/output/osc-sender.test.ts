import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { frameMessages, OscAddresses } from '../../src/output/osc-messages';
import { checkOscTarget, OscSender } from '../../src/output/osc-sender';
import { Receiver, sampleFrame } from './fixtures';

/** Keeps what the sender logs, so a test can check it. */
class RecordingLog {
  readonly warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  readonly errors: Array<{ fields: Record<string, unknown>; message: string }> = [];
  warn(fields: Record<string, unknown>, message: string): void {
    this.warnings.push({ fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.errors.push({ fields, message });
  }
}

const silentLog = new RecordingLog();
/** Messages that one frame becomes: one per address. */
const PER_FRAME = Object.keys(OscAddresses).length;

describe('OscSender', () => {
  let receivers: Receiver[] = [];
  let sender: OscSender | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('vj-osc-sender-');
  });
  afterAll(() => removeDir(dir));

  afterEach(async () => {
    await sender?.close();
    sender = undefined;
    await Promise.all(receivers.map((receiver) => receiver.close()));
    receivers = [];
  });

  async function listen(count: number): Promise<number[]> {
    const ports = await allocatePorts(count);
    for (const port of ports) {
      const receiver = new Receiver();
      await receiver.listen(port);
      receivers.push(receiver);
    }
    return ports;
  }

  test('sends every address with its type tags and argument count', async () => {
    const [port] = (await listen(1)) as [number];
    sender = new OscSender(silentLog);
    sender.setTargets([{ host: '127.0.0.1', port }]);

    const handed = sender.sendFrame(frameMessages(sampleFrame()));
    const receiver = receivers[0] as Receiver;
    await waitFor(() => receiver.messages.length === handed, { timeoutMs: 10_000 });

    const byAddress = new Map(receiver.messages.map((message) => [message.address, message]));
    expect(byAddress.get('/audio/levels')?.typeTags).toBe('ffffffff');
    expect(byAddress.get('/audio/levels')?.args).toEqual(
      [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((value) => expect.closeTo(value, 5)),
    );
    expect(byAddress.get('/audio/spectrum')?.typeTags).toBe('f'.repeat(32));
    expect(byAddress.get('/audio/beat')?.typeTags).toBe('if');
    expect(byAddress.get('/audio/beat')?.args).toEqual([1, 0.25]);
    expect(byAddress.get('/audio/bpm')?.args).toEqual([128, expect.closeTo(0.9, 5)]);
    expect(byAddress.get('/audio/pitch')?.args).toEqual([440, expect.closeTo(0.95, 5)]);
    expect(byAddress.get('/audio/structure')?.typeTags).toBe('iiff');
    expect(byAddress.get('/audio/structure')?.args).toEqual([0, 1, -0.5, expect.closeTo(0.45, 5)]);
    expect(byAddress.get('/audio/hits')?.typeTags).toBe('fffffff');
    expect(byAddress.get('/audio/presence')?.typeTags).toBe('fffffff');
    expect(byAddress.get('/audio/loudness')?.args).toEqual([-14.5, -15.25]);
    expect(byAddress.get('/audio/onset')?.args).toEqual([1, 0.25]);
    expect(byAddress.get('/audio/beat_phase')?.args).toEqual([0.25]);
    expect(byAddress.get('/audio/bar')?.args).toEqual([2, 0]);
    expect(byAddress.get('/audio/bpm_alt')?.args).toEqual([64, expect.closeTo(0.3, 5)]);
    expect(byAddress.size).toBe(Object.keys(OscAddresses).length);
  });

  test('sends a zero level as a float', async () => {
    const [port] = (await listen(1)) as [number];
    sender = new OscSender(silentLog);
    sender.setTargets([{ host: '127.0.0.1', port }]);
    sender.sendFrame(frameMessages(sampleFrame({ bands: [0, 0, 0, 0, 0, 0, 1], rms: 0, bpm: 0 })));
    const receiver = receivers[0] as Receiver;
    await waitFor(() => receiver.messages.some((message) => message.address === '/audio/bpm'), {
      timeoutMs: 10_000,
    });

    expect(receiver.messages.find((message) => message.address === '/audio/levels')?.typeTags).toBe(
      'ffffffff',
    );
    expect(receiver.messages.find((message) => message.address === '/audio/bpm')?.typeTags).toBe('ff');
  });

  test('applies prefix and address map per target', async () => {
    const [plainPort, mappedPort] = (await listen(2)) as [number, number];
    const mapFile = path.join(dir, 'map.json');
    writeFileSync(
      mapFile,
      JSON.stringify({
        '/audio/levels': { address: '/lv', scale: { to: [0, 100] } },
        '/audio/spectrum': false,
      }),
    );
    sender = new OscSender(silentLog);
    sender.setTargets([
      { host: '127.0.0.1', port: plainPort },
      { host: '127.0.0.1', port: mappedPort, prefix: '/deck', address_map: mapFile },
    ]);
    sender.sendFrame(frameMessages(sampleFrame()));
    const [plain, mapped] = receivers as [Receiver, Receiver];
    await waitFor(() => plain.messages.length === PER_FRAME && mapped.messages.length === PER_FRAME - 1, {
      timeoutMs: 10_000,
    });

    expect(mapped.messages.map((message) => message.address)).not.toContain('/deck/audio/spectrum');
    expect(mapped.messages.find((message) => message.address === '/deck/lv')?.args[0]).toBeCloseTo(10, 4);
    expect(mapped.messages.find((message) => message.address === '/deck/audio/bpm')).toBeDefined();
    expect(plain.messages.find((message) => message.address === '/audio/levels')?.args[0]).toBeCloseTo(
      0.1,
      5,
    );
  });

  test('sends one bundle per frame when asked', async () => {
    const [port] = (await listen(1)) as [number];
    sender = new OscSender(silentLog, true);
    sender.setTargets([{ host: '127.0.0.1', port }]);
    expect(sender.sendFrame(frameMessages(sampleFrame()))).toBe(1);
    const receiver = receivers[0] as Receiver;
    await waitFor(() => receiver.bundles.length === 1, { timeoutMs: 10_000 });

    expect(receiver.messages).toHaveLength(0);
    expect(receiver.bundles[0]?.elements.map((element) => element.address)).toEqual(
      Object.values(OscAddresses),
    );
  });

  test('holds a delayed target back and keeps order', async () => {
    const [direct, delayed] = (await listen(2)) as [number, number];
    sender = new OscSender(silentLog);
    sender.setTargets([
      { host: '127.0.0.1', port: direct },
      { host: '127.0.0.1', port: delayed, delay_ms: 300 },
    ]);
    const sentAt = performance.now();
    sender.sendFrame(frameMessages(sampleFrame({ frame: 1, bpm: 101 })));
    sender.sendFrame(frameMessages(sampleFrame({ frame: 2, bpm: 102 })));
    expect(sender.stats()[1]?.queued).toBe(2);

    const [directReceiver, delayedReceiver] = receivers as [Receiver, Receiver];
    await waitFor(() => delayedReceiver.messages.length === 2 * PER_FRAME, { timeoutMs: 10_000 });

    // A delayed datagram can arrive late on a busy machine, never early.
    expect(
      Math.min(...delayedReceiver.messages.map((message) => message.receivedAtMs)) - sentAt,
    ).toBeGreaterThanOrEqual(299);
    expect(directReceiver.messages).toHaveLength(2 * PER_FRAME);
    const tempos = delayedReceiver.messages
      .filter((message) => message.address === '/audio/bpm')
      .map((message) => message.args[0]);
    expect(tempos).toEqual([101, 102]);
  });

  test('counts sends per target', async () => {
    const [port] = (await listen(1)) as [number];
    sender = new OscSender(silentLog);
    sender.setTargets([{ host: '127.0.0.1', port }]);
    sender.sendFrame(frameMessages(sampleFrame()));
    await waitFor(() => sender?.stats()[0]?.sent === PER_FRAME, { timeoutMs: 10_000 });
    expect(sender.stats()[0]).toMatchObject({
      target: `127.0.0.1:${port}`,
      sent: PER_FRAME,
      errors: 0,
      last_error: null,
    });
  });

  test('counts failed sends and logs them once', async () => {
    const log = new RecordingLog();
    sender = new OscSender(log);
    // Linux rejects a datagram from a socket bound to 127.0.0.1 to an address
    // off the machine with EINVAL, so pointing the loopback target at a
    // documentation address (RFC 5737) makes every send fail without any
    // packet leaving the machine.
    sender.setTargets([{ host: '127.0.0.1', port: 9 }]);
    const internals = sender as unknown as { targets: Array<{ host: string }> };
    (internals.targets[0] as { host: string }).host = '192.0.2.1';
    sender.sendFrame(frameMessages(sampleFrame()));
    sender.sendFrame(frameMessages(sampleFrame()));
    await waitFor(() => sender?.stats()[0]?.errors === 2 * PER_FRAME, { timeoutMs: 10_000 });

    expect(sender.stats()[0]?.sent).toBe(0);
    expect(sender.stats()[0]?.last_error).toEqual(expect.any(String));
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]?.fields).toMatchObject({ target: '127.0.0.1:9' });
  });

  test('rejects a bad map file and keeps the old targets', async () => {
    const [port] = (await listen(1)) as [number];
    sender = new OscSender(silentLog);
    sender.setTargets([{ host: '127.0.0.1', port }]);
    expect(() =>
      sender?.setTargets([{ host: '127.0.0.1', port, address_map: path.join(dir, 'absent.json') }]),
    ).toThrow(expect.objectContaining({ code: 'VJ_AUDIO_ADDRESS_MAP_UNREADABLE' }));
    expect(sender.stats()).toHaveLength(1);
  });
});

describe('checkOscTarget', () => {
  test.each([
    [{ host: '127.0.0.1', port: 9000 }, true],
    [{ host: '127.0.0.1', port: 9000, prefix: '/vj', delay_ms: 120, address_map: null }, true],
    [{ host: 'localhost', port: 9000 }, 'host must be an IPv4 address'],
    [{ host: '127.0.0.1', port: 0 }, 'port must be an integer from 1 to 65535'],
    [{ host: '127.0.0.1', port: 9000, prefix: 'vj' }, 'prefix must be empty or an address'],
    [{ host: '127.0.0.1', port: 9000, prefix: '/vj/' }, 'prefix must be empty or an address'],
    [{ host: '127.0.0.1', port: 9000, delay_ms: 6000 }, 'delay_ms must be a number from 0 to 5000'],
    [{ host: '127.0.0.1', port: 9000, colour: 'red' }, 'unknown fields colour'],
    ['127.0.0.1:9000', 'expected an object'],
  ])('checks %j', (target, expected) => {
    const verdict = checkOscTarget(target);
    if (expected === true) expect(verdict).toBe(true);
    else expect(verdict).toEqual(expect.stringContaining(expected as string));
  });
});
