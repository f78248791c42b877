import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import {
  BusClient,
  OscMessagesValidator,
  OscStatsValidator,
  type PublishedMessage,
  type VjError,
} from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, requireTool, waitFor } from '@vj/test-support';
import type { CapturedEntry, CapturedMalformed, PortStatus, StatsSnapshot } from '../src';
import {
  encodeBundle,
  encodeMessage,
  FORWARD_ERROR_LOG_INTERVAL_MS,
  MAX_BATCH_ENTRIES,
  OSC_TIME_TAG_IMMEDIATELY,
  OscDebugWorker,
  timeTagFromUnixSeconds,
} from '../src';

const execFileAsync = promisify(execFile);
const testWithLiblo = requireTool('oscsend', 'liblo-tools') ? test : test.skip;

interface Harness {
  worker: OscDebugWorker;
  bus: BusClient;
  udpPorts: number[];
  logs: PassThrough;
  published: Array<{ topic: string; payload: unknown }>;
}

const harnesses: Harness[] = [];
const receivers: dgram.Socket[] = [];
const sender = dgram.createSocket('udp4');

beforeAll(async () => {
  sender.bind(0, '127.0.0.1');
  await once(sender, 'listening');
});

afterAll(() => {
  sender.close();
});

afterEach(async () => {
  for (const receiver of receivers.splice(0)) receiver.close();
  for (const harness of harnesses.splice(0)) {
    await harness.bus.close();
    await harness.worker.stop();
    await removeDir(harness.worker.options.vjHome as string);
  }
});

// Starts a worker in this process on fresh bus ports and `udpCount` fresh UDP ports, unless `udpPorts` is given.
async function startWorker(udpCount: number, udpPorts?: number[], forward: string[] = []): Promise<Harness> {
  const vjHome = await makeTempDir('vj-osc-debug');
  const [commandPort, telemetryPort, ...fresh] = (await allocatePorts(2 + udpCount)) as number[];
  const ports = udpPorts ?? fresh;
  const logs = new PassThrough();
  const worker = new OscDebugWorker({
    commandPort: commandPort as number,
    telemetryPort: telemetryPort as number,
    vjHome,
    manageProcess: false,
    logDestination: logs,
    config: { host: '127.0.0.1', ports, buffer_size: 500, forward },
  });
  await worker.start();

  const bus = new BusClient({ vjHome, rescanIntervalMs: 200 });
  const published: Harness['published'] = [];
  bus.on('message', (topic: string, message: PublishedMessage) => {
    published.push({ topic, payload: (message as { payload?: unknown }).payload });
  });
  await bus.start();
  await waitFor(() => bus.workers().osc_debugger !== undefined, {
    timeoutMs: 5000,
    message: 'worker registered',
  });

  const harness = { worker, bus, udpPorts: ports, logs, published };
  harnesses.push(harness);
  return harness;
}

// Binds a udp4 socket on a fresh loopback port that collects every datagram it receives.
async function bindReceiver(): Promise<{ socket: dgram.Socket; target: string; received: Buffer[] }> {
  const [port] = (await allocatePorts(1)) as [number];
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (datagram) => received.push(datagram));
  socket.bind(port, '127.0.0.1');
  await once(socket, 'listening');
  receivers.push(socket);
  return { socket, target: `127.0.0.1:${port}`, received };
}

function send(port: number, datagram: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    sender.send(datagram, port, '127.0.0.1', (error) => (error ? reject(error) : resolve()));
  });
}

async function getMessages(
  harness: Harness,
  payload: Record<string, unknown> = {},
): Promise<CapturedEntry[]> {
  const result = await harness.bus.request('osc_debugger', 'get_messages', payload);
  return (result as { messages: CapturedEntry[] }).messages;
}

async function getStats(harness: Harness): Promise<StatsSnapshot> {
  return (await harness.bus.request('osc_debugger', 'get_stats')) as unknown as StatsSnapshot;
}

async function portStatuses(harness: Harness): Promise<PortStatus[]> {
  const state = (await harness.bus.request('osc_debugger', 'get_state')) as {
    state: { ports: PortStatus[] };
  };
  return state.state.ports;
}

function logLines(harness: Harness): Array<Record<string, unknown>> {
  const text = String(harness.logs.read() ?? '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('OscDebugWorker', () => {
  test('get_messages finds a rare address after a flood', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;

    await send(port, encodeMessage('/test', [{ type: 'f', value: 0.5 }]));
    for (let i = 0; i < 600; i++) await send(port, encodeMessage('/audio/levels', [{ type: 'f', value: i }]));
    await waitFor(async () => (await getStats(harness)).messages === 601, { timeoutMs: 10_000 });

    // The 500-entry buffer no longer contains /test, but the newest message of each address is kept.
    const all = await getMessages(harness, { limit: 500 });
    expect(all.some((entry) => (entry as { address?: string }).address === '/test')).toBe(false);
    const rare = await getMessages(harness, { filter: '/test' });
    expect(rare).toHaveLength(1);
    expect(rare[0]).toMatchObject({ address: '/test', args: [{ type: 'f', value: 0.5 }] });
    const both = await getMessages(harness, { filter: '/{test,audio/levels}', limit: 3 });
    expect(both.map((entry) => (entry as { address: string }).address)).toEqual([
      '/audio/levels',
      '/audio/levels',
      '/audio/levels',
    ]);

    await harness.bus.request('osc_debugger', 'clear');
    expect(await getMessages(harness, { filter: '/test' })).toEqual([]);
  });

  test('worker captures messages and bundles with their source', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;

    await send(port, encodeMessage('/layer/1/opacity', [{ type: 'f', value: 0.5 }]));
    await send(
      port,
      encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [
        encodeMessage('/audio/beat', [{ type: 'i', value: 1 }]),
        encodeMessage('/audio/bpm', [{ type: 'h', value: 128n }]),
      ]),
    );
    await waitFor(async () => (await getMessages(harness)).length === 3, {
      timeoutMs: 3000,
      message: '3 entries',
    });

    const entries = await getMessages(harness);
    expect(entries.map((entry) => entry.kind === 'message' && entry.address)).toEqual([
      '/audio/bpm',
      '/audio/beat',
      '/layer/1/opacity',
    ]);
    expect(entries[0]).toMatchObject({
      args: [{ type: 'h', value: '128' }],
      source_address: '127.0.0.1',
      source_port: sender.address().port,
      local_port: port,
      time_tag: null,
    });
    expect(await getMessages(harness, { limit: 1 })).toHaveLength(1);
    expect(await getMessages(harness, { filter: '/audio/*' })).toHaveLength(2);
  });

  test('get_stats counts packets, bundles and each address', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;

    for (let i = 0; i < 3; i++) await send(port, encodeMessage('/a', [{ type: 'i', value: i }]));
    await send(port, encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [encodeMessage('/b', [])]));
    await waitFor(async () => (await getStats(harness)).packets === 4, {
      timeoutMs: 3000,
      message: '4 packets',
    });

    const stats = await getStats(harness);
    expect(stats).toMatchObject({ packets: 4, messages: 4, bundles: 1, malformed: 0 });
    expect(stats.addresses['/a']).toMatchObject({ count: 3, last_args: [{ type: 'i', value: 2 }] });
    expect(stats.addresses['/a']?.rate_per_s).toBeGreaterThan(0);
    expect(stats.addresses['/b']?.count).toBe(1);
  });

  test('set_filter limits published batches while stats count everything', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;
    harness.bus.subscribe('osc.');
    await harness.bus.request('osc_debugger', 'set_filter', { pattern: '/audio/*' });
    // A SUB socket connects asynchronously; wait for a stats message so batches are not missed.
    await waitFor(() => harness.published.some((message) => message.topic === 'osc.stats'), {
      timeoutMs: 5000,
      message: 'an osc.stats message',
    });

    await send(port, encodeMessage('/audio/beat', [{ type: 'i', value: 1 }]));
    await send(port, encodeMessage('/video/clip', [{ type: 's', value: 'x' }]));
    await send(port, encodeMessage('/audio/bpm', [{ type: 'f', value: 120 }]));
    await waitFor(async () => (await getStats(harness)).messages === 3, {
      timeoutMs: 3000,
      message: '3 messages',
    });
    await waitFor(() => publishedAddresses(harness).length === 2, {
      timeoutMs: 3000,
      message: '2 published',
    });
    // Three more batch intervals, so a wrongly published /video/clip would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(publishedAddresses(harness)).toEqual(['/audio/bpm', '/audio/beat']);
    expect((await getStats(harness)).addresses['/video/clip']?.count).toBe(1);
    expect(await getMessages(harness)).toHaveLength(3);
    await harness.bus.request('osc_debugger', 'set_filter', { pattern: '' });
    const state = (await harness.bus.request('osc_debugger', 'get_state')) as { state: { filter: string } };
    expect(state.state.filter).toBe('');
  });

  test('set_filter rejects an invalid pattern with its code', async () => {
    const harness = await startWorker(1);

    const error = (await harness.bus
      .request('osc_debugger', 'set_filter', { pattern: '/layer/[12' })
      .catch((caught: unknown) => caught)) as VjError;

    expect(error.code).toBe('VJ_BUS_COMMAND_FAILED');
    expect(error.message).toContain('"/layer/[12"');
    const logged = logLines(harness).find((line) => line.msg === 'command failed');
    expect(logged).toMatchObject({ command: 'set_filter', code: 'VJ_OSC_INVALID_PATTERN' });
  });

  test('malformed packet is counted and kept while the worker keeps serving', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;

    await send(port, Buffer.from([0x2f, 0x61, 0x00]));
    await send(port, encodeMessage('/after', []));
    await waitFor(async () => (await getStats(harness)).packets === 2, {
      timeoutMs: 3000,
      message: '2 packets',
    });

    const [after, bad] = await getMessages(harness);
    expect(after).toMatchObject({ kind: 'message', address: '/after' });
    expect(bad).toMatchObject({ kind: 'malformed', hex: '2f6100' });
    expect((bad as CapturedMalformed).reason).toContain('not a multiple of 4');
    expect(await getStats(harness)).toMatchObject({ malformed: 1, messages: 1 });
  });

  test('clear empties the buffer and the stats', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;
    await send(port, encodeMessage('/a', []));
    await waitFor(async () => (await getMessages(harness)).length === 1, {
      timeoutMs: 3000,
      message: '1 entry',
    });

    const result = await harness.bus.request('osc_debugger', 'clear');

    expect(result).toEqual({ cleared: 1 });
    expect(await getMessages(harness)).toEqual([]);
    expect(await getStats(harness)).toEqual({
      packets: 0,
      messages: 0,
      bundles: 0,
      malformed: 0,
      addresses: {},
      forwarded: {},
      forward_errors: {},
    });
  });

  test('set_config adds one port and removes another without a restart', async () => {
    const harness = await startWorker(1);
    const [oldPort] = harness.udpPorts as [number];
    const [newPort] = (await allocatePorts(1)) as [number];

    await harness.bus.request('osc_debugger', 'set_config', { ports: [newPort] });
    await harness.worker.portsSettled();

    expect(await portStatuses(harness)).toEqual([
      { port: newPort, status: 'listening', receive_buffer_bytes: expect.any(Number) },
    ]);
    await send(newPort, encodeMessage('/new', []));
    await waitFor(async () => (await getMessages(harness)).length === 1, {
      timeoutMs: 3000,
      message: '1 entry',
    });
    expect((await getMessages(harness))[0]).toMatchObject({ address: '/new', local_port: newPort });
    // The old port is free again, so binding it here succeeds.
    const probe = dgram.createSocket('udp4');
    probe.bind(oldPort, '127.0.0.1');
    await once(probe, 'listening');
    probe.close();
  });

  test('port already in use is reported while the other port listens', async () => {
    const [busyPort, freePort] = (await allocatePorts(2)) as [number, number];
    const holder = dgram.createSocket('udp4');
    holder.bind(busyPort, '127.0.0.1');
    await once(holder, 'listening');
    try {
      const harness = await startWorker(0, [busyPort, freePort]);

      const statuses = await portStatuses(harness);
      expect(statuses[0]).toMatchObject({ port: busyPort, status: 'failed', code: 'VJ_OSC_PORT_IN_USE' });
      expect((statuses[0] as { error: string }).error).toContain(`port ${busyPort}`);
      expect(statuses[1]).toEqual({
        port: freePort,
        status: 'listening',
        receive_buffer_bytes: expect.any(Number),
      });
      const logged = logLines(harness).find((line) => line.msg === 'osc port bind failed');
      expect(logged).toMatchObject({ level: 50, port: busyPort, code: 'VJ_OSC_PORT_IN_USE' });
      expect(logged?.error).toContain('set_config');

      await send(freePort, encodeMessage('/still/works', []));
      await waitFor(async () => (await getMessages(harness)).length === 1, {
        timeoutMs: 3000,
        message: '1 entry',
      });
    } finally {
      holder.close();
    }
  });

  test('forward re-sends every datagram byte for byte', async () => {
    const first = await bindReceiver();
    const second = await bindReceiver();
    const harness = await startWorker(1, undefined, [first.target, second.target]);
    const port = harness.udpPorts[0] as number;
    await harness.bus.request('osc_debugger', 'set_filter', { pattern: '/only/this' });
    const datagrams = [
      encodeMessage('/layer/1/opacity', [{ type: 'f', value: 0.5 }]),
      encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [encodeMessage('/audio/beat', [{ type: 'i', value: 1 }])]),
      Buffer.from([0x2f, 0x61, 0x00]),
    ];

    for (const datagram of datagrams) await send(port, datagram);
    await waitFor(() => first.received.length === 3 && second.received.length === 3, {
      timeoutMs: 3000,
      message: '3 datagrams at each target',
    });

    for (const receiver of [first, second]) {
      expect(receiver.received.map((datagram) => datagram.toString('hex'))).toEqual(
        datagrams.map((datagram) => datagram.toString('hex')),
      );
    }
    const stats = (await getStats(harness)) as StatsSnapshot & Record<string, unknown>;
    expect(stats.forwarded).toEqual({ [first.target]: 3, [second.target]: 3 });
    expect(stats.forward_errors).toEqual({ [first.target]: 0, [second.target]: 0 });
  });

  test('set_config adds and removes a forward target live', async () => {
    const initial = await bindReceiver();
    const added = await bindReceiver();
    const harness = await startWorker(1, undefined, [initial.target]);
    const port = harness.udpPorts[0] as number;
    await send(port, encodeMessage('/one', []));
    await waitFor(() => initial.received.length === 1, { timeoutMs: 3000, message: '1 datagram' });

    await harness.bus.request('osc_debugger', 'set_config', { forward: [added.target] });
    await send(port, encodeMessage('/two', []));
    await waitFor(() => added.received.length === 1, { timeoutMs: 3000, message: '1 datagram' });
    await harness.bus.request('osc_debugger', 'set_config', { forward: [] });
    await send(port, encodeMessage('/three', []));
    await waitFor(async () => (await getStats(harness)).packets === 3, {
      timeoutMs: 3000,
      message: '3 packets',
    });
    // Time for a wrongly forwarded /three to arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(initial.received).toHaveLength(1);
    expect(added.received).toHaveLength(1);
    expect(added.received[0]).toEqual(encodeMessage('/two', []));
    const stats = (await getStats(harness)) as StatsSnapshot & Record<string, unknown>;
    expect(stats.forwarded).toEqual({});
  });

  test.each([
    ['127.0.0.1', 'host:port'],
    ['127.0.0.1:0', 'port from 1 to 65535'],
    ['127.0.0.1:70000', 'port from 1 to 65535'],
    ['localhost:9100', 'IPv4 address'],
    [42, 'host:port'],
  ])('set_config rejects forward target %p', async (target, reason) => {
    const harness = await startWorker(1);

    const error = (await harness.bus
      .request('osc_debugger', 'set_config', { forward: [target] })
      .catch((caught: unknown) => caught)) as VjError;

    expect(error.code).toBe('VJ_BUS_COMMAND_FAILED');
    expect(error.message).toContain(JSON.stringify(target));
    expect(error.message).toContain(reason);
  });

  test('set_config rejects forwarding to its own port', async () => {
    const harness = await startWorker(1);
    const target = `127.0.0.1:${harness.udpPorts[0]}`;

    const error = (await harness.bus
      .request('osc_debugger', 'set_config', { forward: [target] })
      .catch((caught: unknown) => caught)) as VjError;

    expect(error.code).toBe('VJ_BUS_COMMAND_FAILED');
    expect(error.message).toContain(`"${target}"`);
    expect(error.message).toContain('loop');
  });

  test('osc.messages caps a filtered batch at 100', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;
    await subscribeToOsc(harness);
    await harness.bus.request('osc_debugger', 'set_filter', { pattern: '/cap/keep' });
    // One datagram, so all 300 messages arrive within one batch interval: 250 match the filter.
    const addresses = Array.from({ length: 300 }, (_, index) =>
      index % 6 === 5 ? '/cap/skip' : '/cap/keep',
    );
    const bundle = encodeBundle(
      OSC_TIME_TAG_IMMEDIATELY,
      addresses.map((address, index) => encodeMessage(address, [{ type: 'i', value: index }])),
    );

    await send(port, bundle);
    await waitFor(async () => (await getStats(harness)).messages === 300, {
      timeoutMs: 5000,
      message: '300 messages',
    });
    await waitFor(() => batches(harness).length === 1, {
      timeoutMs: 5000,
      message: 'one osc.messages batch',
    });
    // Three more batch intervals, so a wrongly published second batch would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const published = batches(harness);
    expect(published).toHaveLength(1);
    const [batch] = published as [Batch];
    const matchingIndexes = addresses.flatMap((address, index) => (address === '/cap/keep' ? [index] : []));
    expect(batch.messages).toHaveLength(MAX_BATCH_ENTRIES);
    expect(batch.messages.map(argumentValue)).toEqual(matchingIndexes.slice(-MAX_BATCH_ENTRIES).reverse());
    expect(batch.dropped).toBe(matchingIndexes.length - MAX_BATCH_ENTRIES);
    const stats = await getStats(harness);
    expect(stats.addresses['/cap/keep']?.count).toBe(250);
    expect(stats.addresses['/cap/skip']?.count).toBe(50);
    expect(await getMessages(harness, { limit: 500 })).toHaveLength(300);
  });

  test('osc.messages dropped count covers one interval', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;
    await subscribeToOsc(harness);
    const bundleOf = (first: number, count: number) =>
      encodeBundle(
        OSC_TIME_TAG_IMMEDIATELY,
        Array.from({ length: count }, (_, offset) =>
          encodeMessage('/n', [{ type: 'i', value: first + offset }]),
        ),
      );

    await send(port, bundleOf(0, 150));
    await waitFor(() => batches(harness).length === 1, { timeoutMs: 5000, message: 'first batch' });
    await send(port, bundleOf(150, 30));
    await waitFor(() => batches(harness).length === 2, { timeoutMs: 5000, message: 'second batch' });

    const [first, second] = batches(harness) as [Batch, Batch];
    expect(first.dropped).toBe(50);
    expect(first.messages.map(argumentValue)).toEqual(range(50, 150).reverse());
    expect(second.dropped).toBe(0);
    expect(second.messages.map(argumentValue)).toEqual(range(150, 180).reverse());
  });

  test('published payloads pass the bus schemas', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;
    await subscribeToOsc(harness);
    const nowS = Date.now() / 1000;
    const datagrams = [
      encodeMessage('/types/all', [
        { type: 'i', value: -7 },
        { type: 'f', value: Number.NaN },
        { type: 'd', value: Number.NEGATIVE_INFINITY },
        { type: 's', value: 'grüße' },
        { type: 'S', value: 'sym' },
        { type: 'b', value: Uint8Array.from([0, 255]) },
        { type: 'h', value: -(2n ** 63n) },
        { type: 't', value: timeTagFromUnixSeconds(nowS) },
        { type: 'c', value: 'A' },
        { type: 'r', value: { red: 1, green: 2, blue: 3, alpha: 4 } },
        { type: 'm', value: { port: 0, status: 0x90, data1: 64, data2: 127 } },
        { type: 'T', value: true },
        { type: 'F', value: false },
        { type: 'N', value: null },
        { type: 'I', value: Number.POSITIVE_INFINITY },
        {
          type: 'array',
          value: [
            { type: 'i', value: 1 },
            { type: 'array', value: [] },
          ],
        },
      ]),
      encodeBundle(timeTagFromUnixSeconds(nowS + 1), [
        encodeMessage('/bundle/outer', []),
        encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [encodeMessage('/bundle/inner', [{ type: 'i', value: 1 }])]),
      ]),
      Buffer.from([0x2f, 0x61, 0x00]),
    ];

    for (const datagram of datagrams) await send(port, datagram);
    await waitFor(() => batches(harness).reduce((total, batch) => total + batch.messages.length, 0) === 4, {
      timeoutMs: 5000,
      message: '4 published entries',
    });
    await waitFor(() => statsMessages(harness).some((stats) => stats.packets === 3), {
      timeoutMs: 5000,
      message: 'an osc.stats message that counts 3 packets',
    });

    for (const batch of batches(harness)) {
      expect(schemaErrors(OscMessagesValidator, batch)).toEqual([]);
    }
    for (const stats of statsMessages(harness)) {
      expect(schemaErrors(OscStatsValidator, stats)).toEqual([]);
    }
    expect(schemaErrors(OscStatsValidator, await getStats(harness))).toEqual([]);
    const kinds = batches(harness).flatMap((batch) => batch.messages.map((entry) => entry.kind));
    expect(kinds.sort()).toEqual(['malformed', 'message', 'message', 'message']);
  });

  test('forward send error is counted and logged once', async () => {
    const working = await bindReceiver();
    const [unusedPort] = (await allocatePorts(1)) as [number];
    // 127.255.255.255 is the broadcast address of the loopback network, and a socket
    // without SO_BROADCAST may not send there, so every send fails with EACCES.
    const failing = `127.255.255.255:${unusedPort}`;
    const harness = await startWorker(1, undefined, [failing, working.target]);
    const port = harness.udpPorts[0] as number;

    for (let index = 0; index < 3; index++)
      await send(port, encodeMessage('/f', [{ type: 'i', value: index }]));
    await waitFor(() => working.received.length === 3, { timeoutMs: 5000, message: '3 forwarded datagrams' });
    await waitFor(
      async () => ((await getStats(harness)) as unknown as ForwardStats).forward_errors[failing] === 3,
      { timeoutMs: 5000, message: '3 forward errors' },
    );
    await send(port, encodeMessage('/after', []));
    await waitFor(async () => (await getMessages(harness)).length === 4, {
      timeoutMs: 5000,
      message: '4 entries',
    });

    const stats = (await getStats(harness)) as unknown as ForwardStats;
    expect(stats.forwarded).toEqual({ [failing]: 0, [working.target]: 4 });
    expect(stats.forward_errors).toEqual({ [failing]: 4, [working.target]: 0 });
    expect((await getMessages(harness)).map((entry) => entry.kind === 'message' && entry.address)).toEqual([
      '/after',
      '/f',
      '/f',
      '/f',
    ]);
    // All four failures fall within one FORWARD_ERROR_LOG_INTERVAL_MS, so one warning is logged.
    expect(FORWARD_ERROR_LOG_INTERVAL_MS).toBe(10_000);
    const warnings = logLines(harness).filter((line) => line.msg === 'osc forward failed');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, target: failing, forward_errors: 1 });
    expect(warnings[0]?.error).toContain('EACCES');
  });

  testWithLiblo('message sent by liblo oscsend appears in get_messages', async () => {
    const harness = await startWorker(1);
    const port = harness.udpPorts[0] as number;

    await execFileAsync('oscsend', [`osc.udp://127.0.0.1:${port}`, '/liblo/test', 'is', '42', 'hi'], {
      timeout: 5000,
    });
    await waitFor(async () => (await getMessages(harness)).length === 1, {
      timeoutMs: 3000,
      message: '1 entry',
    });

    expect((await getMessages(harness))[0]).toMatchObject({
      kind: 'message',
      address: '/liblo/test',
      type_tags: 'is',
      args: [
        { type: 'i', value: 42 },
        { type: 's', value: 'hi' },
      ],
    });
  });
});

function publishedAddresses(harness: Harness): string[] {
  const addresses: string[] = [];
  for (const message of harness.published) {
    if (message.topic !== 'osc.messages') continue;
    for (const entry of (message.payload as { messages: CapturedEntry[] }).messages) {
      if (entry.kind === 'message') addresses.push(entry.address);
    }
  }
  return addresses;
}

interface Batch {
  messages: CapturedEntry[];
  dropped: number;
}

interface ForwardStats {
  forwarded: Record<string, number>;
  forward_errors: Record<string, number>;
}

// Subscribes to `osc.` and waits for one osc.stats message, since a SUB socket connects
// asynchronously and would miss batches published before it is connected.
async function subscribeToOsc(harness: Harness): Promise<void> {
  harness.bus.subscribe('osc.');
  await waitFor(() => harness.published.some((message) => message.topic === 'osc.stats'), {
    timeoutMs: 5000,
    message: 'an osc.stats message',
  });
}

function batches(harness: Harness): Batch[] {
  return harness.published
    .filter((message) => message.topic === 'osc.messages')
    .map((message) => message.payload as Batch);
}

function statsMessages(harness: Harness): StatsSnapshot[] {
  return harness.published
    .filter((message) => message.topic === 'osc.stats')
    .map((message) => message.payload as StatsSnapshot);
}

// The value of an entry's first argument, which the tests above set to the message's index.
function argumentValue(entry: CapturedEntry): unknown {
  return entry.kind === 'message' ? entry.args[0]?.value : undefined;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, offset) => from + offset);
}

// Lists a compiled TypeBox validator's errors for `payload` as "path: message" lines.
function schemaErrors(
  validator: { Errors(value: unknown): Iterable<{ path: string; message: string }> },
  payload: unknown,
): string[] {
  return [...validator.Errors(payload)].map((error) => `${error.path}: ${error.message}`);
}
