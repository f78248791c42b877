import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
 * A private pm2 daemon starts its apps before any aggregator runs, as
 * `pnpm start` does when it starts every worker at once. Their first lines
 * reach pm2's log files only, and each aggregator that connects later must
 * recover them from there, once.
 */
describe('LogAggregatorWorker recovering lines printed before it connected', () => {
  let home: string;
  let pm2Home: string;
  let vjHome: string;
  let aggregator: LogAggregatorWorker | undefined;
  let logs: PassThrough;
  // What the current aggregator has logged so far.
  let logText = '';
  let bus: BusClient;

  beforeAll(async () => {
    home = await makeTempDir('vj-logs-recovery');
    pm2Home = path.join(home, 'pm2');
    vjHome = path.join(home, 'vj');
    process.env.PM2_HOME = pm2Home;
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const apps = [
      {
        name: 'chatty_early',
        script: process.execPath,
        args: ['--import', 'tsx', CHATTY_WORKER],
        interpreter: 'none',
        cwd: PACKAGE_DIR,
        autorestart: false,
        time: true,
        env: chattyEnv({ name: 'chatty_early', vjHome, commandPort, telemetryPort }),
      },
      {
        name: 'broken_early',
        script: process.execPath,
        args: ['--import', 'tsx', THROW_AT_START],
        interpreter: 'none',
        cwd: PACKAGE_DIR,
        autorestart: false,
        time: true,
      },
    ];
    const file = path.join(home, 'apps.json');
    writeFileSync(file, JSON.stringify({ apps }));
    await pm2(pm2Home, ['start', file]);

    // Both first lines must be in pm2's files before any aggregator runs.
    const outFile = path.join(pm2Home, 'logs', 'chatty-early-out.log');
    const errFile = path.join(pm2Home, 'logs', 'broken-early-error.log');
    await waitFor(
      () =>
        existsSync(outFile) &&
        readFileSync(outFile, 'utf8').includes('worker started') &&
        existsSync(errFile) &&
        readFileSync(errFile, 'utf8').includes('boom at start-up'),
      { timeoutMs: 20000, intervalMs: 200, message: 'first lines in the pm2 log files' },
    );

    bus = new BusClient({ vjHome, rescanIntervalMs: 200, timeoutMs: 5000 });
    await bus.start();
  }, 60000);

  afterEach(async () => {
    await aggregator?.stop();
    aggregator = undefined;
  });

  afterAll(async () => {
    await bus?.close();
    await killPm2Daemon(pm2Home);
    await removeDir(home);
  }, 30000);

  /** Starts an aggregator that stores in `logDir`, so each test starts from empty files unless it shares one. */
  async function startAggregator(logDir: string): Promise<void> {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    logs = new PassThrough();
    logText = '';
    aggregator = new LogAggregatorWorker({
      commandPort,
      telemetryPort,
      vjHome,
      pm2Home,
      logDir,
      manageProcess: false,
      logDestination: logs,
    });
    await aggregator.start();
    await waitFor(() => bus.workers().log_aggregator?.pid === process.pid, {
      timeoutMs: 10000,
      message: 'aggregator registered',
    });
  }

  async function recoveredStart(): Promise<Awaited<ReturnType<typeof query>>> {
    return waitForValue(
      async () => {
        const found = await query(bus, { worker: 'chatty_early', text: 'worker started' });
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 15000, intervalMs: 250, message: 'worker started line of chatty_early recovered' },
    );
  }

  test('first pino line of an earlier worker is recovered', async () => {
    await startAggregator(path.join(home, 'logs-first-line'));

    const [record] = await recoveredStart();

    expect(record).toMatchObject({
      worker: 'chatty_early',
      level: 'info',
      msg: 'worker started',
      via: 'pm2',
      stream: 'stdout',
      origin_seq: null,
    });
    expect(record?.pid).toBeGreaterThan(1);
  });

  test('stack trace printed before the connection is recovered at level error', async () => {
    await startAggregator(path.join(home, 'logs-stack-trace'));

    const records = await waitForValue(
      async () => {
        const found = await query(bus, { worker: 'broken_early', text: 'boom at start-up', level: 'error' });
        return found.some((record) => record.msg.includes('\n')) ? found : undefined;
      },
      { timeoutMs: 15000, intervalMs: 250, message: 'stack trace of broken_early recovered' },
    );

    const trace = records.find((record) => record.msg.startsWith('Error: settings file is missing'));
    expect(trace).toMatchObject({ level: 'error', stream: 'stderr', via: 'pm2' });
    expect(trace?.msg).toMatch(/\n\s+at loadSettings/);
  });

  test('restarted aggregator does not store recovered lines twice', async () => {
    const logDir = path.join(home, 'logs-restart');
    await startAggregator(logDir);
    await recoveredStart();
    await aggregator?.stop();

    // The second aggregator loads the first one's records, then reads pm2's files after it connects.
    await startAggregator(logDir);
    const recovery = await waitForValue(() => recoveryLine(), {
      timeoutMs: 15000,
      intervalMs: 100,
      message: 'recovery of the second aggregator done',
    });

    expect(recovery.files).toBeGreaterThanOrEqual(2);
    const records = await query(bus, { worker: 'chatty_early', text: 'worker started' });
    expect(records).toHaveLength(1);
  }, 30000);

  /** Returns the aggregator's `pm2 log lines recovered from files` line, parsed, or undefined before it is logged. */
  function recoveryLine(): Record<string, unknown> | undefined {
    logText += String(logs.read() ?? '');
    return logText
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'pm2 log lines recovered from files');
  }
});
