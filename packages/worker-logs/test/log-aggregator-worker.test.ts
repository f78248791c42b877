import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { LogQueryResult } from '@vj/bus';
import {
  BusClient,
  LogAlertValidator,
  LogsAggregatedValidator,
  type PublishedMessage,
  Registry,
  TelemetryPublisher,
} from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { LogAggregatorWorker, type LogsConfig } from '../src';
import { query, spawnChatty, stopChild, waitForValue } from './fixtures/spawn';

interface Harness {
  aggregator: LogAggregatorWorker;
  bus: BusClient;
  logs: PassThrough;
  published: Array<{ topic: string; payload: unknown }>;
}

let home: string;
let vjHome: string;
const harnesses: Harness[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  home = await makeTempDir('vj-logs-worker');
  // No pm2 daemon runs for this home, so these tests exercise the bus route alone.
  process.env.PM2_HOME = path.join(home, 'pm2');
});

beforeEach(async () => {
  vjHome = await makeTempDir('vj-logs-home');
});

afterEach(async () => {
  for (const child of children.splice(0)) await stopChild(child);
  for (const harness of harnesses.splice(0)) await stopHarness(harness);
  await removeDir(vjHome);
});

afterAll(async () => {
  await removeDir(home);
});

async function startAggregator(config: Partial<LogsConfig> = {}): Promise<Harness> {
  const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
  const logs = new PassThrough();
  const aggregator = new LogAggregatorWorker({
    commandPort,
    telemetryPort,
    vjHome,
    manageProcess: false,
    logDestination: logs,
    pm2Home: process.env.PM2_HOME as string,
    config: config as LogsConfig,
  });
  await aggregator.start();

  const bus = new BusClient({ vjHome, rescanIntervalMs: 200, timeoutMs: 5000 });
  const published: Harness['published'] = [];
  bus.on('message', (topic: string, message: PublishedMessage) => {
    if (message.source === 'log_aggregator')
      published.push({ topic, payload: (message as { payload?: unknown }).payload });
  });
  await bus.start();
  await waitFor(() => bus.workers().log_aggregator !== undefined, {
    timeoutMs: 5000,
    message: 'aggregator registered',
  });
  const harness = { aggregator, bus, logs, published };
  harnesses.push(harness);
  return harness;
}

async function stopHarness(harness: Harness): Promise<void> {
  const index = harnesses.indexOf(harness);
  if (index >= 0) harnesses.splice(index, 1);
  await harness.bus.close();
  await harness.aggregator.stop();
}

async function startChatty(harness: Harness, name: string, tickMs = 0): Promise<void> {
  const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
  children.push(spawnChatty({ name, vjHome, commandPort, telemetryPort, tickMs }));
  await waitFor(() => harness.bus.workers()[name] !== undefined, {
    timeoutMs: 15000,
    message: `${name} registered`,
  });
  // The aggregator's SUB socket joins asynchronously; lines logged before it has joined are lost.
  await waitFor(
    async () => {
      await harness.bus.request(name, 'say', { msg: 'probe' });
      return (await query(harness.bus, { worker: name, text: 'probe' })).length > 0;
    },
    { timeoutMs: 15000, intervalMs: 200, message: `${name} heard by the aggregator` },
  );
}

function logLines(harness: Harness): Array<Record<string, unknown>> {
  const text = String(harness.logs.read() ?? '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('LogAggregatorWorker on the bus', () => {
  test('worker log line reaches query with its fields', async () => {
    const harness = await startAggregator();
    await startChatty(harness, 'chatty_one');

    await harness.bus.request('chatty_one', 'say', {
      level: 'warn',
      msg: 'lamp is overheating',
      tag: 'lamp',
    });
    const [record] = await waitForValue(
      async () => {
        const found = await query(harness.bus, { text: 'overheating' });
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 5000, message: 'warn line stored' },
    );

    expect(record).toMatchObject({
      worker: 'chatty_one',
      level: 'warn',
      msg: 'lamp is overheating',
      fields: { i: 1, tag: 'lamp' },
      via: 'bus',
      stream: null,
    });
    expect(record?.pid).toBeGreaterThan(1);
    expect(record?.origin_seq).toBeGreaterThan(0);
    expect(record?.seq).toBeGreaterThan(1);
  });

  test('query filters by level, worker, text, time and limit', async () => {
    const harness = await startAggregator();
    await startChatty(harness, 'chatty_a');
    await startChatty(harness, 'chatty_b');
    const before = Date.now() / 1000;
    // A worker may log a line of its own meanwhile, such as a registry warning on a loaded machine,
    // so the counts look only at the lines that this test asked for, which carry its tag.
    const tag = 'query-filters';
    const ours = async (payload: Record<string, unknown>) =>
      (await query(harness.bus, { since: before, ...payload, limit: 1000 })).filter(
        (record) => record.fields.tag === tag,
      );

    await harness.bus.request('chatty_a', 'say', { level: 'info', msg: 'a info', count: 3, tag });
    await harness.bus.request('chatty_a', 'say', { level: 'error', msg: 'a error', tag });
    await harness.bus.request('chatty_b', 'say', { level: 'warn', msg: 'b warn', count: 2, tag });
    await waitFor(async () => (await ours({})).length === 6, {
      timeoutMs: 15000,
      message: '6 records since the start',
    });

    expect(await ours({ level: 'warn' })).toHaveLength(3);
    expect(await ours({ worker: 'chatty_b' })).toHaveLength(2);
    expect(await ours({ text: 'A INFO' })).toHaveLength(3);
    expect(await query(harness.bus, { since: before, limit: 2 })).toHaveLength(2);
    expect(await query(harness.bus, { until: before - 1, text: 'a info' })).toHaveLength(0);
    const newestFirst = await query(harness.bus, { since: before });
    const times = newestFirst.map((record) => record.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  test('query with files reaches records past the buffer', async () => {
    const harness = await startAggregator({ buffer_size: 10, max_file_bytes: 4096, max_files: 4 });
    await startChatty(harness, 'chatty_files');
    const fileQuery = async (payload: Record<string, unknown>) =>
      (await harness.bus.request('log_aggregator', 'query', {
        ...payload,
        files: true,
      })) as unknown as LogQueryResult;

    await harness.bus.request('chatty_files', 'say', { msg: 'early marker line' });
    await harness.bus.request('chatty_files', 'say', { msg: 'later filler line', count: 40 });
    await waitFor(async () => (await fileQuery({ text: 'later filler', limit: 1000 })).matched === 40, {
      timeoutMs: 10000,
      message: 'all 40 later lines',
    });
    const stats = (await harness.bus.request('log_aggregator', 'get_stats')) as { rotations: number };

    expect(await query(harness.bus, { text: 'early marker' })).toHaveLength(0);
    const result = await fileQuery({ text: 'early marker' });
    expect(result.records.map((record) => record.msg)).toEqual(['early marker line']);
    expect(stats.rotations).toBeGreaterThan(0);
    expect(result.files_searched).toBeGreaterThan(1);
  });

  test('query rejects an invalid level', async () => {
    const harness = await startAggregator();

    const response = await harness.bus.send('log_aggregator', 'query', { level: 'loud' });

    expect(response.status).toBe('error');
    expect(response.code).toBe('VJ_BUS_INVALID_PAYLOAD');
    expect(response.error).toContain('"loud"');
  });

  test('sequence numbers per worker have no gap without a flood', async () => {
    const harness = await startAggregator();
    await startChatty(harness, 'chatty_seq');

    await harness.bus.request('chatty_seq', 'say', { msg: 'numbered', count: 50 });
    const records = await waitForValue(
      async () => {
        const found = await query(harness.bus, { worker: 'chatty_seq', limit: 1000 });
        return found.filter((record) => record.msg === 'numbered').length === 50 ? found : undefined;
      },
      { timeoutMs: 5000, message: '50 numbered records' },
    );

    const seqs = records.map((record) => record.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    const stats = (await harness.bus.request('log_aggregator', 'get_stats')) as {
      workers: Record<string, { records: number; dropped: number; levels: Record<string, number> }>;
    };
    expect(stats.workers.chatty_seq?.records).toBe(records.length);
    expect(stats.workers.chatty_seq?.dropped).toBe(0);
    expect(stats.workers.chatty_seq?.levels.info).toBe(records.length);
  });

  test('error record is published on logs.alert and in a logs.aggregated batch', async () => {
    const harness = await startAggregator();
    harness.bus.subscribe('logs.alert', 'logs.aggregated');
    await startChatty(harness, 'chatty_alert');

    await harness.bus.request('chatty_alert', 'say', { level: 'error', msg: 'projector lost' });
    const alert = await waitForValue(
      () =>
        harness.published.find(
          (entry) => entry.topic === 'logs.alert' && JSON.stringify(entry.payload).includes('projector lost'),
        ),
      { timeoutMs: 5000, message: 'alert published' },
    );
    const batch = await waitForValue(
      () =>
        harness.published.find(
          (entry) =>
            entry.topic === 'logs.aggregated' && JSON.stringify(entry.payload).includes('projector lost'),
        ),
      { timeoutMs: 5000, message: 'batch published' },
    );

    expect(LogAlertValidator.Check(alert.payload)).toBe(true);
    expect(alert.payload).toMatchObject({
      record: { level: 'error', worker: 'chatty_alert' },
      suppressed: 0,
    });
    expect(LogsAggregatedValidator.Check(batch.payload)).toBe(true);
    expect(
      harness.published.some(
        (entry) => entry.topic === 'logs.alert' && JSON.stringify(entry.payload).includes('probe'),
      ),
    ).toBe(false);
  });

  test('malformed record on the bus is counted, not fatal', async () => {
    const harness = await startAggregator();
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const publisher = await TelemetryPublisher.open({
      endpoint: `tcp://127.0.0.1:${telemetryPort}`,
      source: 'rogue',
    });
    try {
      await new Registry({ vjHome }).register('rogue', {
        pid: process.pid,
        ports: { command: commandPort, telemetry: telemetryPort },
      });
      await waitFor(
        async () => {
          publisher.publish('logs.info', { msg: 'no time, no worker, no seq' });
          const stats = (await harness.bus.request('log_aggregator', 'get_stats')) as { malformed: number };
          return stats.malformed > 0;
        },
        { timeoutMs: 10000, intervalMs: 200, message: 'malformed record counted' },
      );
      await startChatty(harness, 'chatty_after');

      const health = await harness.bus.request('log_aggregator', 'health_check');
      expect(health).toMatchObject({ status: 'healthy' });
      expect(await query(harness.bus, { text: 'no time' })).toEqual([]);
      const warning = logLines(harness).find((line) => line.msg === 'log record rejected as malformed');
      expect(warning).toMatchObject({ code: 'VJ_LOGS_MALFORMED_RECORD', topic: 'logs.info' });
    } finally {
      publisher.close();
    }
  });

  test('aggregator stores none of its own records', async () => {
    const harness = await startAggregator();
    await startChatty(harness, 'chatty_self');
    await harness.bus.request('log_aggregator', 'clear');
    await harness.bus.request('log_aggregator', 'set_config', { queue_size: 500 });

    const records = await query(harness.bus, { worker: 'log_aggregator' });

    expect(records).toEqual([]);
    expect(logLines(harness).some((line) => line.msg === 'config changed')).toBe(true);
  });

  test('persisted records survive a restart', async () => {
    const first = await startAggregator();
    await startChatty(first, 'chatty_keep');
    await first.bus.request('chatty_keep', 'say', { msg: 'before restart', count: 5 });
    await waitFor(async () => (await query(first.bus, { text: 'before restart' })).length === 5, {
      timeoutMs: 5000,
      message: '5 records before the restart',
    });
    const lastSeqBefore = Math.max(
      ...(await query(first.bus, { worker: 'chatty_keep' })).map((record) => record.seq),
    );
    await stopHarness(first);

    const second = await startAggregator();
    const kept = await query(second.bus, { text: 'before restart' });
    expect(kept).toHaveLength(5);
    await second.bus.request('chatty_keep', 'say', { msg: 'after restart' });
    const [after] = await waitForValue(
      async () => {
        const found = await query(second.bus, { text: 'after restart' });
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 10000, intervalMs: 200, message: 'record after the restart' },
    );
    expect(after?.seq).toBeGreaterThan(lastSeqBefore);
  });

  test('rotation keeps the configured number of files', async () => {
    const harness = await startAggregator({ max_file_bytes: 4096, max_files: 3 });
    await startChatty(harness, 'chatty_rotate');

    await harness.bus.request('chatty_rotate', 'say', { msg: 'fill the files with this line', count: 200 });
    await waitFor(
      async () => {
        const stats = (await harness.bus.request('log_aggregator', 'get_stats')) as { rotations: number };
        return stats.rotations >= 4;
      },
      { timeoutMs: 10000, message: '4 rotations' },
    );

    // A rotation renames the files one after another, so a listing taken during one
    // may miss a file. The test waits until the writes have settled.
    const logFiles = (): string[] =>
      readdirSync(path.join(vjHome, 'logs'))
        .filter((name) => name.startsWith('aggregated'))
        .sort();
    const expected = ['aggregated.1.log', 'aggregated.2.log', 'aggregated.log'];
    await waitFor(() => JSON.stringify(logFiles()) === JSON.stringify(expected), {
      timeoutMs: 10000,
      message: 'three log files after the rotations settle',
    });
    expect(logFiles()).toEqual(expected);
  });

  test('flood leaves the quiet worker whole', async () => {
    const harness = await startAggregator({ buffer_size: 2000, queue_size: 200 });
    await startChatty(harness, 'chatty_quiet', 50);
    await startChatty(harness, 'chatty_flood');
    const before = Date.now() / 1000;

    await harness.bus.request('chatty_flood', 'flood', { count: 150_000, batch: 5000 });
    await waitFor(
      async () => {
        const status = (await harness.bus.request('chatty_flood', 'flood_status')) as {
          sent: number;
          count: number;
        };
        return status.sent === status.count;
      },
      { timeoutMs: 90000, intervalMs: 500, message: 'flood sent' },
    );
    // The flooder's publisher drops what exceeds its queue, so probe until a line after the flood gets through.
    await waitFor(
      async () => {
        await harness.bus.request('chatty_flood', 'say', { msg: 'after the flood' });
        return (await query(harness.bus, { worker: 'chatty_flood', text: 'after the flood' })).length > 0;
      },
      { timeoutMs: 30000, intervalMs: 500, message: 'line after the flood stored' },
    );

    const stats = (await harness.bus.request('log_aggregator', 'get_stats')) as {
      buffered: number;
      dropped: number;
      workers: Record<string, { dropped: number; records: number }>;
    };
    expect(stats.workers.chatty_flood?.dropped).toBeGreaterThan(0);
    expect(stats.workers.chatty_quiet?.dropped).toBe(0);
    expect(stats.buffered).toBeLessThanOrEqual(2000);
    const ticks = (
      await query(harness.bus, { worker: 'chatty_quiet', text: 'tick', since: before, limit: 2000 })
    )
      .map((record) => record.fields.n as number)
      .sort((a, b) => a - b);
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, index) => (ticks[0] as number) + index));
    const floodSeqs = (await query(harness.bus, { worker: 'chatty_flood', limit: 2000 })).map(
      (record) => record.seq,
    );
    expect(Math.max(...floodSeqs)).toBeGreaterThan(stats.workers.chatty_flood?.records ?? 0);
  }, 180000);

  test('aggregator without a pm2 daemon runs from the bus and says so', async () => {
    const harness = await startAggregator();

    const lines = logLines(harness);
    const state = (await harness.bus.request('log_aggregator', 'get_state')) as {
      state: { pm2: { connected: boolean } };
    };

    expect(lines.find((line) => line.code === 'VJ_LOGS_PM2_UNREACHABLE')).toMatchObject({
      level: 40,
      pm2Home: process.env.PM2_HOME,
    });
    expect(state.state.pm2.connected).toBe(false);
  });
});
