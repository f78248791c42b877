import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BusClient, type Event, type PublishedMessage } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { Pm2Adapter } from '../src/pm2-adapter';
import type { WorkerSummary } from '../src/supervisor';

const run = promisify(execFile);
const REPO_ROOT = path.join(__dirname, '..', '..', '..');
const PM2_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'pm2');
const EXIT_AT_ONCE = path.join(__dirname, 'fixtures', 'exit-at-once.js');
const CRASH_AFTER_START = path.join(__dirname, 'fixtures', 'crash-after-start.ts');
const IDLE_APP = path.join(__dirname, 'fixtures', 'idle-app.js');

/**
 * One pm2 daemon with a private PM2_HOME runs the process manager, the example
 * worker and an app that exits at once. The tests run in order on that system.
 */
describe('process manager under a real pm2 daemon', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let bus: BusClient;
  const events: Event[] = [];

  beforeAll(async () => {
    home = await makeTempDir('vj-supervision');
    const ports = await allocatePorts(8);
    env = { ...process.env, PM2_HOME: path.join(home, 'pm2'), VJ_HOME: path.join(home, 'vj') };
    const ecosystemFile = path.join(home, 'ecosystem.config.ts');
    // The start timeout leaves a restarted worker 8 s to register: on the 2-core CI machine, with another
    // package's tests running beside this one, 4 s was sometimes too short and the worker was killed as hung.
    const source = `import { defineEcosystem } from ${JSON.stringify(path.join(__dirname, '..', 'src', 'ecosystem'))};
const ecosystem = defineEcosystem({
  root: ${JSON.stringify(REPO_ROOT)},
  file: ${JSON.stringify(ecosystemFile)},
  apps: [
    { name: 'process_manager', packageDir: 'process-manager', commandPort: ${ports[0]}, telemetryPort: ${ports[1]}, restartedBy: 'pm2',
      env: { VJ_HUNG_AFTER_MS: '2000', VJ_START_TIMEOUT_MS: '8000', VJ_HEARTBEAT_MS: '500' } },
    { name: 'example_worker', packageDir: 'worker-example', commandPort: ${ports[2]}, telemetryPort: ${ports[3]},
      env: { VJ_HEARTBEAT_MS: '300' } },
  ],
});
export default {
  apps: [
    ...ecosystem.apps,
    { name: 'exit_at_once', script: ${JSON.stringify(EXIT_AT_ONCE)}, autorestart: false,
      env: { VJ_RESTART_POLICY: JSON.stringify({ maxRestarts: 3, baseDelayMs: 50, windowMs: 60000 }) } },
    { name: 'never_registers', script: ${JSON.stringify(IDLE_APP)}, autorestart: false },
    { name: 'crash_after_start', script: process.execPath, args: ['--import', 'tsx', ${JSON.stringify(CRASH_AFTER_START)}],
      interpreter: 'none', cwd: ${JSON.stringify(path.join(__dirname, '..'))}, autorestart: false,
      env: { VJ_HOME: ${JSON.stringify(path.join(home, 'vj'))}, VJ_COMMAND_PORT: '${ports[4]}', VJ_TELEMETRY_PORT: '${ports[5]}',
        VJ_RESTART_POLICY: JSON.stringify({ maxRestarts: 1, baseDelayMs: 50, windowMs: 60000 }) } },
    { name: 'slow_crash', script: process.execPath, args: ['--import', 'tsx', ${JSON.stringify(CRASH_AFTER_START)}],
      interpreter: 'none', cwd: ${JSON.stringify(path.join(__dirname, '..'))}, autorestart: false,
      env: { VJ_HOME: ${JSON.stringify(path.join(home, 'vj'))}, VJ_COMMAND_PORT: '${ports[6]}', VJ_TELEMETRY_PORT: '${ports[7]}',
        FIXTURE_WORKER_NAME: 'slow_crash', CRASH_AFTER_MS: '5000',
        VJ_RESTART_POLICY: JSON.stringify({ maxRestarts: 1, baseDelayMs: 50, windowMs: 120000 }) } },
  ],
};
`;
    writeFileSync(ecosystemFile, source);

    bus = new BusClient({ vjHome: env.VJ_HOME, rescanIntervalMs: 100, timeoutMs: 5000 });
    await bus.start();
    bus.subscribe('events.');
    bus.on('message', (_topic, message: PublishedMessage) => {
      if (message.type === 'event') events.push(message);
    });

    // exit_at_once starts later, through start_worker, once the process manager watches.
    await run(PM2_BIN, ['start', ecosystemFile, '--only', 'process_manager,example_worker'], {
      cwd: REPO_ROOT,
      env,
    });
    await waitFor(
      () => bus.workers().process_manager !== undefined && bus.workers().example_worker !== undefined,
      {
        timeoutMs: 20000,
        message: 'process_manager and example_worker registered',
      },
    );
  });

  afterAll(async () => {
    await bus.close();
    await new Pm2Adapter({ pm2Home: env.PM2_HOME }).killDaemon();
    await removeDir(home);
  });

  function eventsFor(worker: string): string[] {
    return events.filter((event) => event.worker === worker).map((event) => event.event);
  }

  async function listWorkers(): Promise<WorkerSummary[]> {
    const result = await bus.request('process_manager', 'list_workers');
    return (result?.workers ?? []) as WorkerSummary[];
  }

  async function workerRow(name: string): Promise<WorkerSummary | undefined> {
    return (await listWorkers()).find((row) => row.name === name);
  }

  test('app that exits at once is restarted by the policy, then reported errored', async () => {
    await bus.request('process_manager', 'start_worker', { name: 'exit_at_once' });
    await waitFor(() => eventsFor('exit_at_once').includes('worker_errored'), {
      timeoutMs: 15000,
      message: 'worker_errored',
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));

    expect(eventsFor('exit_at_once')).toEqual([
      'worker_started',
      'worker_crashed',
      'worker_restarted',
      'worker_crashed',
      'worker_restarted',
      'worker_crashed',
      'worker_restarted',
      'worker_crashed',
      'worker_errored',
    ]);
    const crashed = events.find(
      (event) => event.worker === 'exit_at_once' && event.event === 'worker_crashed',
    );
    // The fixture calls process.exit(1), so the code is known and no signal ended it.
    expect(crashed?.payload).toMatchObject({ exit_code: 1, signal: null });
    const errored = events.find(
      (event) => event.worker === 'exit_at_once' && event.event === 'worker_errored',
    );
    expect(errored?.payload).toMatchObject({
      restarts_in_window: 3,
      reason: 'restarted 3 times within 60 s',
    });
    const delays = events
      .filter((event) => event.worker === 'exit_at_once' && event.event === 'worker_restarted')
      .map((event) => event.payload.delay_ms as number);
    expect(delays).toHaveLength(3);
    expect(delays[2]).toBeGreaterThan(delays[0] ?? 0);
    // pm2 7.0.4 shows such an app as "waiting restart" although nothing will restart it.
    await expect(workerRow('exit_at_once')).resolves.toMatchObject({
      health: 'errored',
      pm2_status: 'waiting restart',
      pid: 0,
    });
  });

  test('kill -9 of a worker is reported crashed, then restarted with a new pid that registers', async () => {
    const before = (await workerRow('example_worker'))?.pid ?? 0;
    events.length = 0;
    process.kill(before, 'SIGKILL');

    await waitFor(() => eventsFor('example_worker').includes('worker_restarted'), {
      timeoutMs: 10000,
      message: 'worker_restarted',
    });
    expect(eventsFor('example_worker')).toEqual(['worker_crashed', 'worker_restarted']);
    const [crashed, restarted] = events.filter((event) => event.worker === 'example_worker');
    expect(crashed?.payload).toMatchObject({
      reason: 'exited',
      pid: before,
      exit_code: null,
      signal: 'SIGKILL',
    });
    expect(restarted?.payload).toMatchObject({ previous_pid: before, attempt: 1, reason: 'exited' });
    expect(restarted?.payload.delay_ms).toEqual(expect.any(Number));

    const after = restarted?.payload.pid as number;
    expect(after).not.toBe(before);
    await waitFor(() => bus.workers().example_worker?.pid === after, {
      timeoutMs: 10000,
      message: 'new pid registered',
    }).catch((error: Error) => {
      // The registry entry and the worker's events tell a slow start from a second restart.
      const entry = JSON.stringify(bus.workers().example_worker);
      const seen = JSON.stringify(events.filter((event) => event.worker === 'example_worker'));
      throw new Error(`${error.message}; expected pid ${after}, registry ${entry}, events ${seen}`, {
        cause: error,
      });
    });
    await expect(bus.request('example_worker', 'health_check')).resolves.toMatchObject({
      status: 'healthy',
      pid: after,
    });
    // defineEcosystem built the worker's bundle when pm2 loaded the ecosystem file, and the restart runs it too.
    const cmdline = readFileSync(`/proc/${after}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(
      path.join(REPO_ROOT, 'packages', 'worker-example', 'dist', 'bundle', 'main.cjs'),
    );
  });

  test('SIGSTOP makes a worker hung: it is killed, reported, and restarted', async () => {
    const before = (await workerRow('example_worker'))?.pid ?? 0;
    events.length = 0;
    process.kill(before, 'SIGSTOP');

    await waitFor(() => eventsFor('example_worker').includes('worker_restarted'), {
      timeoutMs: 15000,
      message: 'restart after hang',
    });
    const crashed = events.find(
      (event) => event.worker === 'example_worker' && event.event === 'worker_crashed',
    );
    expect(crashed?.payload).toMatchObject({ reason: 'hung', pid: before });
    expect(crashed?.payload.heartbeat_age_s).toBeGreaterThan(2);
    expect(eventsFor('example_worker')).toEqual(['worker_crashed', 'worker_restarted']);
    expect(() => process.kill(before, 0)).toThrow();
    await waitFor(async () => (await workerRow('example_worker'))?.health === 'healthy', {
      timeoutMs: 10000,
      message: 'healthy again',
    });
  });

  test('stop_worker stops without a restart, and start_worker brings it back', async () => {
    events.length = 0;
    await expect(
      bus.request('process_manager', 'stop_worker', { name: 'example_worker' }),
    ).resolves.toMatchObject({
      worker: { name: 'example_worker', health: 'stopped' },
    });
    await waitFor(() => eventsFor('example_worker').includes('worker_stopped'), {
      timeoutMs: 5000,
      message: 'worker_stopped',
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(eventsFor('example_worker')).toEqual(['worker_stopped']);
    await expect(workerRow('example_worker')).resolves.toMatchObject({
      health: 'stopped',
      pm2_status: 'stopped',
      pid: 0,
    });

    await bus.request('process_manager', 'start_worker', { name: 'example_worker' });
    await waitFor(() => eventsFor('example_worker').includes('worker_started'), {
      timeoutMs: 10000,
      message: 'worker_started',
    });
    await waitFor(async () => (await workerRow('example_worker'))?.health === 'healthy', {
      timeoutMs: 10000,
      message: 'healthy after start',
    });

    // Starting a running worker, or stopping it twice, changes nothing.
    const running = (await workerRow('example_worker'))?.pid;
    events.length = 0;
    await expect(
      bus.request('process_manager', 'start_worker', { name: 'example_worker' }),
    ).resolves.toMatchObject({
      worker: { pid: running, health: 'healthy' },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(eventsFor('example_worker')).toEqual([]);
    await expect(workerRow('example_worker')).resolves.toMatchObject({ pid: running });
  });

  test('restart through the pm2 CLI is reported as worker_restarted', async () => {
    const before = (await workerRow('example_worker'))?.pid ?? 0;
    events.length = 0;
    await run(PM2_BIN, ['restart', 'example_worker'], { cwd: REPO_ROOT, env });
    await waitFor(() => eventsFor('example_worker').includes('worker_restarted'), {
      timeoutMs: 10000,
      message: 'worker_restarted',
    });
    expect(eventsFor('example_worker')).toEqual(['worker_restarted']);
    const restarted = events.find((event) => event.worker === 'example_worker');
    expect(restarted?.payload).toMatchObject({
      previous_pid: before,
      reason: 'restart requested',
      delay_ms: 0,
    });
    await waitFor(async () => (await workerRow('example_worker'))?.health === 'healthy', {
      timeoutMs: 10000,
      message: 'healthy after restart',
    });
  });

  test('restart_worker command restarts a running worker', async () => {
    events.length = 0;
    await bus.request('process_manager', 'restart_worker', { name: 'example_worker' });
    await waitFor(() => eventsFor('example_worker').includes('worker_restarted'), {
      timeoutMs: 10000,
      message: 'worker_restarted',
    });
    expect(eventsFor('example_worker')).toEqual(['worker_restarted']);
    await waitFor(async () => (await workerRow('example_worker'))?.health === 'healthy', {
      timeoutMs: 10000,
      message: 'healthy after restart_worker',
    });
  });

  test('unknown worker name gets an error listing the known workers', async () => {
    const error = (await bus
      .request('process_manager', 'stop_worker', { name: 'nope' })
      .catch((caught: unknown) => caught)) as Error;
    expect(error.message).toBe(
      'Worker "nope" is not supervised; known workers: crash_after_start, example_worker, exit_at_once, never_registers, slow_crash',
    );
  });

  test('list_workers matches pm2 jlist', async () => {
    const { stdout } = await run(PM2_BIN, ['jlist'], { cwd: REPO_ROOT, env });
    const jlist = (
      JSON.parse(stdout) as Array<{ name: string; pid: number; pm2_env: { status: string } }>
    ).filter((app) => app.name !== 'process_manager');
    // A supervised app that was never started is in list_workers as "not in pm2" only.
    const rows = (await listWorkers()).filter((row) => row.pm2_status !== 'not in pm2');
    expect(rows.map((row) => [row.name, row.pid, row.pm2_status])).toEqual(
      jlist
        .map((app) => [app.name, app.pid, app.pm2_env.status])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  test('app that pm2 runs but that never registers is reported hung and restarted', async () => {
    events.length = 0;
    await bus.request('process_manager', 'start_worker', { name: 'never_registers' });
    await waitFor(() => eventsFor('never_registers').includes('worker_restarted'), {
      timeoutMs: 15000,
      message: 'restart of the silent app',
    });
    const crashed = events.find(
      (event) => event.worker === 'never_registers' && event.event === 'worker_crashed',
    );
    expect(crashed?.payload).toMatchObject({
      reason: 'hung',
      detail: 'not registered 8 s after start',
      heartbeat_age_s: null,
    });
    expect(eventsFor('never_registers')).toEqual(['worker_started', 'worker_crashed', 'worker_restarted']);
    await bus.request('process_manager', 'stop_worker', { name: 'never_registers' });
    await waitFor(() => eventsFor('never_registers').includes('worker_stopped'), {
      timeoutMs: 5000,
      message: 'worker_stopped',
    });

    // A second stop finds nothing running and reports the worker as it is.
    events.length = 0;
    await expect(
      bus.request('process_manager', 'stop_worker', { name: 'never_registers' }),
    ).resolves.toMatchObject({
      worker: { health: 'stopped', pid: 0 },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventsFor('never_registers')).toEqual([]);
  });

  test('registered worker that keeps crashing is errored and its registry entry says so', async () => {
    events.length = 0;
    await bus.request('process_manager', 'start_worker', { name: 'crash_after_start' });
    await waitFor(() => eventsFor('crash_after_start').includes('worker_errored'), {
      timeoutMs: 20000,
      message: 'worker_errored',
    });
    expect(eventsFor('crash_after_start')).toEqual([
      'worker_started',
      'worker_crashed',
      'worker_restarted',
      'worker_crashed',
      'worker_errored',
    ]);
    await waitFor(
      async () => typeof (await bus.registry.get('crash_after_start'))?.metadata.gave_up === 'string',
      {
        timeoutMs: 5000,
        message: 'registry entry marked',
      },
    );
    await expect(bus.registry.get('crash_after_start')).resolves.toMatchObject({
      status: 'crashed',
      metadata: { gave_up: 'restarted 1 time within 60 s' },
    });
  });

  test('process manager restarted by pm2 keeps healthy workers running and remembers nothing wrong', async () => {
    const workerPid = (await workerRow('example_worker'))?.pid ?? 0;
    const managerPid = bus.workers().process_manager?.pid ?? 0;
    events.length = 0;
    process.kill(managerPid, 'SIGKILL');

    await waitFor(() => (bus.workers().process_manager?.pid ?? managerPid) !== managerPid, {
      timeoutMs: 15000,
      message: 'process manager back',
    });
    await waitFor(
      async () => (await workerRow('example_worker').catch(() => undefined))?.health === 'healthy',
      {
        timeoutMs: 10000,
        message: 'example worker adopted as healthy',
      },
    );
    expect(bus.workers().example_worker?.pid).toBe(workerPid);
    expect(eventsFor('example_worker')).toEqual([]);
    // The worker that gave up stays errored: its dead pid is not taken for a new crash.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(eventsFor('crash_after_start')).toEqual([]);
    await expect(workerRow('crash_after_start')).resolves.toMatchObject({ health: 'errored', pid: 0 });
  });

  test('restarts before a process manager restart still count', async () => {
    events.length = 0;
    await bus.request('process_manager', 'start_worker', { name: 'slow_crash' });
    // The first crash, 5 s after the start, takes the one restart that the policy allows.
    await waitFor(() => eventsFor('slow_crash').includes('worker_restarted'), {
      timeoutMs: 30000,
      message: 'first restart',
    });
    const managerPid = bus.workers().process_manager?.pid ?? 0;
    process.kill(managerPid, 'SIGKILL');
    await waitFor(() => (bus.workers().process_manager?.pid ?? managerPid) !== managerPid, {
      timeoutMs: 15000,
      message: 'process manager back',
    });

    // The restarted worker crashes 5 s after its start. The new process manager read the first restart
    // from VJ_HOME, so the window is full and it gives up instead of restarting a second time.
    await waitFor(() => eventsFor('slow_crash').includes('worker_errored'), {
      timeoutMs: 30000,
      message: 'worker_errored',
    });
    expect(eventsFor('slow_crash').filter((event) => event === 'worker_restarted')).toHaveLength(1);
    const errored = events.find((event) => event.worker === 'slow_crash' && event.event === 'worker_errored');
    expect(errored?.payload).toMatchObject({ restarts_in_window: 1 });
  });
});
