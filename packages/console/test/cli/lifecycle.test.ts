import path from 'node:path';
import { Registry } from '@vj/bus';
import { makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { isAlive, killDaemon, startSupervisedSystem } from './fixtures/pm2';
import { linesOf, runVj } from './fixtures/vj';
import { type SilentWorker, startSilentWorker } from './fixtures/workers';

interface StatusJson {
  process_manager: { state: string };
  workers: Record<string, Record<string, unknown>>;
}

/**
 * One private pm2 daemon runs the process manager and the example worker.
 * The tests run in order on that system, as a user would type the commands.
 */
describe('vj start, stop and restart under a real pm2 daemon', () => {
  let home: string;
  let vjHome: string;
  let registry: Registry;
  const appPids = new Set<number>();

  beforeAll(async () => {
    home = await makeTempDir('vj-cli-pm2-');
    vjHome = path.join(home, 'vj');
    registry = new Registry({ vjHome });
    await startSupervisedSystem(home);
    await waitFor(
      async () => {
        const live = await registry.list();
        return live.process_manager !== undefined && live.example_worker !== undefined;
      },
      { timeoutMs: 45000, message: 'process_manager and example_worker registered' },
    );
  }, 60000);

  afterAll(async () => {
    for (const entry of Object.values(await registry.list({ includeStale: true }))) appPids.add(entry.pid);
    const daemon = await killDaemon(path.join(home, 'pm2'));
    if (daemon !== undefined) expect(isAlive(daemon)).toBe(false);
    // pm2 stops its apps on SIGTERM; any survivor is one of this test's processes and is ended here.
    for (const pid of appPids) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await removeDir(home);
  }, 30000);

  async function examplePid(): Promise<number | undefined> {
    return (await registry.list()).example_worker?.pid;
  }

  test('status shows pm2 status and restarts', async () => {
    const run = await runVj(vjHome, ['status']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = linesOf(run.stdout);
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+HEALTH\s+PID\s+UPTIME\s+HEARTBEAT\s+PORTS\s+PM2\s+RESTARTS$/);
    expect(lines[1]).toMatch(/^example_worker\s+running\s+healthy\s+\d+\s.*\sonline\s+0$/);
    // The process manager does not supervise itself, so it has no pm2 columns.
    expect(lines[2]).toMatch(/^process_manager\s+running\s+healthy\s+\d+\s.*\s-\s+-$/);
    expect(run.stdout).not.toContain('The process manager');
  }, 30000);

  test('stop stops the worker and status still lists it', async () => {
    const pid = (await examplePid()) as number;
    appPids.add(pid);
    const run = await runVj(vjHome, ['stop', 'example_worker']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('example_worker stopped: pm2 status stopped, health stopped\n');
    await waitFor(() => !isAlive(pid), { timeoutMs: 10000, message: 'example worker exited' });

    const status = await runVj(vjHome, ['status', '--json']);
    expect((JSON.parse(status.stdout) as StatusJson).workers.example_worker).toMatchObject({
      status: 'not registered',
      pid: null,
      pm2_status: 'stopped',
    });
    // A worker stopped on purpose does not fail the check.
    await expect(runVj(vjHome, ['status', '--check'])).resolves.toMatchObject({ code: 0 });
  }, 30000);

  test('start brings the worker back', async () => {
    const run = await runVj(vjHome, ['start', 'example_worker']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^example_worker started: pm2 status online, pid \d+, health starting\n$/);
    const pid = Number(/pid (\d+)/.exec(run.stdout)?.[1]);
    appPids.add(pid);
    await waitFor(async () => (await examplePid()) === pid, {
      timeoutMs: 20000,
      message: 'new pid registered',
    });
  }, 30000);

  test('restart replaces the worker process', async () => {
    const before = await waitFor(examplePid, { timeoutMs: 20000, message: 'example worker registered' });
    const run = await runVj(vjHome, ['restart', 'example_worker']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^example_worker restarted: pm2 status online, pid \d+/);
    const after = Number(/pid (\d+)/.exec(run.stdout)?.[1]);
    appPids.add(after);
    expect(after).not.toBe(before);
    await waitFor(async () => (await examplePid()) === after, {
      timeoutMs: 20000,
      message: 'restarted pid registered',
    });
  }, 30000);

  test('start --json prints the reply of a running worker', async () => {
    const run = await runVj(vjHome, ['start', 'example_worker', '--json']);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      worker: { name: 'example_worker', pm2_status: 'online', pid: await examplePid() },
    });
  }, 30000);

  test('unknown worker exits 1 with the supervised workers', async () => {
    const run = await runVj(vjHome, ['stop', 'nope']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'vj: "stop_worker" failed on process_manager: Worker "nope" is not supervised; known workers: example_worker [VJ_PM_UNKNOWN_WORKER]\n',
    );
  }, 30000);
});

describe('vj start, stop and restart without a working process manager', () => {
  let vjHome: string;
  let silent: SilentWorker | undefined;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-no-pm-');
  });

  afterAll(async () => {
    await silent?.stop();
    await removeDir(vjHome);
  });

  test('missing process manager exits 1 saying how to start it', async () => {
    const run = await runVj(vjHome, ['restart', 'example_worker']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `vj: The process manager (process_manager) is not running (no live entry in ${vjHome}/registry.json), and vj restart needs it to control workers through pm2; start the system with pnpm start, or only the process manager with pnpm exec pm2 start ecosystem.config.ts --only process_manager [VJ_CONSOLE_NO_PROCESS_MANAGER]\n`,
    );
  });

  test('silent process manager exits 2 after the timeout', async () => {
    silent = await startSilentWorker(vjHome, 'process_manager');
    const run = await runVj(vjHome, ['stop', 'example_worker', '--timeout', '300']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'vj: Worker process_manager did not reply to "stop_worker" within 300 ms; check it with vj status, or allow more time with --timeout <ms> [VJ_BUS_REQUEST_TIMEOUT]\n',
    );

    const status = await runVj(vjHome, ['status', '--timeout', '300']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      'The process manager did not reply to list_workers within 300 ms, so pm2 status is not shown.\n',
    );
  });
});
