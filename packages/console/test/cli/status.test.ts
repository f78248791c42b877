import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir } from '@vj/test-support';
import { linesOf, runVj } from './fixtures/vj';
import {
  type ExampleProcess,
  type SilentWorker,
  startExampleWorker,
  startSilentWorker,
} from './fixtures/workers';

interface StatusJson {
  registry: string;
  process_manager: { state: string; error: string | null };
  workers: Record<string, Record<string, unknown>>;
}

describe('vj status with an empty registry', () => {
  let vjHome: string;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-status-empty-');
  });
  afterAll(() => removeDir(vjHome));

  test('empty registry says how to start workers', async () => {
    const run = await runVj(vjHome, ['status']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `No workers are registered in ${vjHome}/registry.json; start them with pnpm start in the vj repository.\n`,
    );
  });

  test('empty registry as JSON has no workers', async () => {
    const run = await runVj(vjHome, ['status', '--json']);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      registry: `${vjHome}/registry.json`,
      process_manager: { state: 'not running', error: null },
      workers: {},
    });
  });

  test('--check exits 3 when no worker is registered', async () => {
    const run = await runVj(vjHome, ['status', '--check']);

    expect(run.code).toBe(3);
  });
});

describe('vj status with a corrupt registry', () => {
  let vjHome: string;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-status-corrupt-');
    writeFileSync(path.join(vjHome, 'registry.json'), '{"version":');
  });
  afterAll(() => removeDir(vjHome));

  test('corrupt registry exits 1 with the parse error', async () => {
    const run = await runVj(vjHome, ['status']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^vj: Registry file .*registry\.json is not valid JSON .*\[VJ_REGISTRY_CORRUPT\]\n$/,
    );
  });
});

describe('vj status with a healthy worker only', () => {
  let vjHome: string;
  let example: ExampleProcess;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-status-healthy-');
    example = await startExampleWorker(vjHome);
  }, 60000);

  afterAll(async () => {
    await example?.stop();
    await removeDir(vjHome);
  });

  test('--check exits 0 when every worker is healthy', async () => {
    const run = await runVj(vjHome, ['status', '--check']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('vj status with healthy, silent and stale workers', () => {
  let vjHome: string;
  let example: ExampleProcess;
  let silent: SilentWorker;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-status-');
    example = await startExampleWorker(vjHome);
    silent = await startSilentWorker(vjHome, 'silent_worker');
    // An entry whose last heartbeat was a minute ago, as a worker that froze leaves it.
    const [command, telemetry] = (await allocatePorts(2)) as [number, number];
    const past = new Registry({ vjHome, now: () => Date.now() - 60_000 });
    await past.register('frozen_worker', { pid: process.pid, ports: { command, telemetry } });
  }, 60000);

  afterAll(async () => {
    await silent?.stop();
    await example?.stop();
    await removeDir(vjHome);
  });

  test('table has one row per registry entry', async () => {
    const run = await runVj(vjHome, ['status', '--timeout', '500']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = linesOf(run.stdout);
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+HEALTH\s+PID\s+UPTIME\s+HEARTBEAT\s+PORTS$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^example_worker\\s+running\\s+healthy\\s+${example.pid}\\s+\\d+\\.\\ds\\s+\\d+\\.\\ds ago\\s+${example.ports.command}/${example.ports.telemetry}$`,
      ),
    );
    expect(lines[2]).toMatch(/^frozen_worker\s+stale\s+-\s+\d+\s+-\s+1m 0\ds ago\s+\d+\/\d+$/);
    expect(lines[3]).toMatch(
      new RegExp(
        `^silent_worker\\s+running\\s+no reply\\s+${process.pid}\\s+\\S+\\s+\\d+\\.\\ds ago\\s+${silent.ports.command}/`,
      ),
    );
    expect(run.stdout).toContain(`Ports are command/telemetry. Registry: ${vjHome}/registry.json\n`);
    expect(run.stdout).toContain(
      'The process manager is not running, so pm2 status is not shown; pnpm start starts it with the workers.\n',
    );
  });

  test('JSON has the same rows by name', async () => {
    const run = await runVj(vjHome, ['status', '--json', '--timeout', '500']);

    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as StatusJson;
    expect(Object.keys(report.workers)).toEqual(['example_worker', 'frozen_worker', 'silent_worker']);
    expect(report.workers.example_worker).toMatchObject({
      status: 'running',
      health: 'healthy',
      pid: example.pid,
      ports: example.ports,
      pm2_status: null,
      restarts: null,
      healthy: true,
    });
    expect(report.workers.example_worker?.uptime_s).toEqual(expect.any(Number));
    expect(report.workers.frozen_worker).toMatchObject({ status: 'stale', health: '-', healthy: false });
    expect(report.workers.frozen_worker?.heartbeat_age_s).toBeGreaterThanOrEqual(60);
    expect(report.workers.silent_worker).toMatchObject({
      status: 'running',
      health: 'no reply',
      healthy: false,
    });
  });

  test('--check exits 3 when a worker is not healthy', async () => {
    const run = await runVj(vjHome, ['status', '--check', '--timeout', '500']);

    expect(run.code).toBe(3);
    expect(run.stdout).toContain('silent_worker');
  });

  test('silent worker is reported without failing the command', async () => {
    const run = await runVj(vjHome, ['status', '--json', '--timeout', '300']);

    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as StatusJson).workers.silent_worker?.health).toBe('no reply');
  });
});
