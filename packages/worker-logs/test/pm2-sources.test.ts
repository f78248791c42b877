import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { BusClient } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { LogAggregatorWorker } from '../src';
import {
  CHATTY_WORKER,
  chattyEnv,
  killPm2Daemon,
  PACKAGE_DIR,
  pm2,
  query,
  THROW_AT_START,
  waitForValue,
} from './fixtures/spawn';

/**
 * One private pm2 daemon runs the test workers; the aggregator runs in this
 * process and reads the daemon's log bus. The tests run in order, and the
 * last one restarts the daemon.
 */
describe('LogAggregatorWorker with a real pm2 daemon', () => {
  let home: string;
  let pm2Home: string;
  let vjHome: string;
  let aggregator: LogAggregatorWorker;
  let bus: BusClient;

  beforeAll(async () => {
    home = await makeTempDir('vj-logs-pm2');
    pm2Home = path.join(home, 'pm2');
    vjHome = path.join(home, 'vj');
    process.env.PM2_HOME = pm2Home;
    await startApps([await chattyApp('chatty_pm2')]);

    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    aggregator = new LogAggregatorWorker({
      commandPort,
      telemetryPort,
      vjHome,
      pm2Home,
      manageProcess: false,
      logDestination: new PassThrough().resume(),
    });
    await aggregator.start();
    bus = new BusClient({ vjHome, rescanIntervalMs: 200, timeoutMs: 5000 });
    await bus.start();
    await waitFor(
      () => bus.workers().log_aggregator !== undefined && bus.workers().chatty_pm2 !== undefined,
      {
        timeoutMs: 20000,
        message: 'aggregator and chatty_pm2 registered',
      },
    );
    await waitFor(async () => (await pm2State()).connected, {
      timeoutMs: 10000,
      message: 'pm2 bus connected',
    });
  }, 60000);

  afterAll(async () => {
    await bus?.close();
    await aggregator?.stop();
    await killPm2Daemon(pm2Home);
    await removeDir(home);
  }, 30000);

  async function chattyApp(name: string): Promise<Record<string, unknown>> {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    return {
      name,
      script: process.execPath,
      args: ['--import', 'tsx', CHATTY_WORKER],
      interpreter: 'none',
      cwd: PACKAGE_DIR,
      autorestart: false,
      // As in vj's ecosystem: pm2 prefixes every line with the date.
      time: true,
      env: chattyEnv({ name, vjHome, commandPort, telemetryPort }),
    };
  }

  async function startApps(apps: Array<Record<string, unknown>>): Promise<void> {
    const file = path.join(home, `apps-${String(apps[0]?.name)}.json`);
    writeFileSync(file, JSON.stringify({ apps }));
    await pm2(pm2Home, ['start', file]);
  }

  async function pm2State(): Promise<{ connected: boolean }> {
    const state = (await bus.request('log_aggregator', 'get_state')) as {
      state: { pm2: { connected: boolean } };
    };
    return state.state.pm2;
  }

  test('plain stdout line stored at info', async () => {
    await bus.request('chatty_pm2', 'say', { msg: 'learn my pid' });
    const { pid } = (await bus.request('chatty_pm2', 'health_check')) as { pid: number };

    await waitFor(
      async () => {
        await bus.request('chatty_pm2', 'print', { text: 'printed outside the logger\n' });
        return (await query(bus, { text: 'printed outside' })).length > 0;
      },
      { timeoutMs: 10000, intervalMs: 500, message: 'plain line stored' },
    );

    const [record] = await query(bus, { text: 'printed outside' });
    expect(record).toMatchObject({
      worker: 'chatty_pm2',
      level: 'info',
      msg: 'printed outside the logger',
      via: 'pm2',
      stream: 'stdout',
      origin_seq: null,
      pid,
    });
  });

  test('plain stderr line is stored at level error', async () => {
    await bus.request('chatty_pm2', 'print', { text: 'disk is on fire\n', stream: 'stderr' });

    const records = await waitForValue(
      async () => {
        const found = await query(bus, { text: 'disk is on fire' });
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 10000, message: 'stderr line stored' },
    );

    expect(records?.[0]).toMatchObject({ level: 'error', stream: 'stderr', via: 'pm2' });
  });

  test('logger line that arrives by both routes is stored once', async () => {
    const duplicates = async (): Promise<number> =>
      ((await bus.request('log_aggregator', 'get_stats')) as { duplicates: number }).duplicates;
    const duplicatesBefore = await duplicates();

    await bus.request('chatty_pm2', 'say', { msg: 'one line, two routes', count: 3 });
    await waitFor(async () => (await duplicates()) >= duplicatesBefore + 3, {
      timeoutMs: 10000,
      message: '3 second copies recognised',
    });
    // Another drain and batch interval, so a second copy stored by mistake would show by now.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const records = await query(bus, { text: 'one line, two routes' });
    expect(records.map((record) => record.fields.i).sort()).toEqual([1, 2, 3]);
    expect(await duplicates()).toBe(duplicatesBefore + 3);
    // Each record keeps the worker's own sequence number when its bus copy came first or in the same drain.
    const viaBus = records.filter((record) => record.via !== 'pm2');
    expect(viaBus.every((record) => record.origin_seq !== null)).toBe(true);
  });

  test('worker that throws at start-up has its stack trace stored', async () => {
    await startApps([
      {
        name: 'broken_worker',
        script: process.execPath,
        args: ['--import', 'tsx', THROW_AT_START],
        interpreter: 'none',
        cwd: PACKAGE_DIR,
        autorestart: false,
        time: true,
      },
    ]);

    const records = await waitForValue(
      async () => {
        const found = await query(bus, { worker: 'broken_worker', text: 'boom at start-up', level: 'error' });
        return found.some((record) => record.msg.includes('\n')) ? found : undefined;
      },
      { timeoutMs: 20000, intervalMs: 250, message: 'stack trace of broken_worker stored' },
    );

    const trace = records?.find((record) => record.msg.startsWith('Error: settings file is missing'));
    expect(trace).toMatchObject({ worker: 'broken_worker', level: 'error', stream: 'stderr', via: 'pm2' });
    expect(trace?.msg).toMatch(/\n\s+at loadSettings/);
  });

  test('aggregator reconnects to the pm2 log bus after the daemon restarts', async () => {
    await killPm2Daemon(pm2Home);
    await waitFor(async () => !(await pm2State()).connected, {
      timeoutMs: 10000,
      message: 'pm2 bus disconnected',
    });

    await startApps([await chattyApp('chatty_again')]);
    await waitFor(async () => (await pm2State()).connected, {
      timeoutMs: 15000,
      message: 'pm2 bus reconnected',
    });
    await waitFor(() => bus.workers().chatty_again !== undefined, {
      timeoutMs: 20000,
      message: 'chatty_again registered',
    });

    await waitFor(
      async () => {
        await bus.request('chatty_again', 'print', { text: 'heard through the new daemon\n' });
        return (await query(bus, { worker: 'chatty_again', text: 'new daemon' })).length > 0;
      },
      { timeoutMs: 15000, intervalMs: 500, message: 'line through the new daemon stored' },
    );
    const [record] = await query(bus, { worker: 'chatty_again', text: 'new daemon' });
    expect(record).toMatchObject({ via: 'pm2', stream: 'stdout', level: 'info' });
  }, 60000);
});
