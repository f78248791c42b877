import { makeTempDir, removeDir } from '@vj/test-support';
import { runVj } from './fixtures/vj';
import {
  type ExampleProcess,
  type SilentWorker,
  startExampleWorker,
  startSilentWorker,
} from './fixtures/workers';

describe('vj send', () => {
  let vjHome: string;
  let example: ExampleProcess;
  let silent: SilentWorker;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-send-');
    example = await startExampleWorker(vjHome);
    silent = await startSilentWorker(vjHome, 'silent_worker');
  }, 60000);

  afterAll(async () => {
    await silent?.stop();
    await example?.stop();
    await removeDir(vjHome);
  });

  test('health_check prints the result as JSON', async () => {
    const run = await runVj(vjHome, ['send', 'example_worker', 'health_check']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'healthy',
      name: 'example_worker',
      pid: example.pid,
    });
    // Pretty-printed, so a person can read a large result.
    expect(run.stdout).toContain('\n  "status": "healthy"');
  });

  test('payload argument reaches the worker', async () => {
    const run = await runVj(vjHome, ['send', 'example_worker', 'reset', '{"to": 500}']);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ previous: expect.any(Number), count: 500 });
  });

  test('error reply exits 1 with the error text', async () => {
    const run = await runVj(vjHome, ['send', 'example_worker', 'reset', '{"to": -3}']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'vj: "reset" failed on example_worker: reset expects "to" to be a non-negative integer, received -3 [VJ_BUS_INVALID_PAYLOAD]\n',
    );
  });

  test('unknown command exits 1 with the known commands', async () => {
    const run = await runVj(vjHome, ['send', 'example_worker', 'fly']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Command "fly" is not known to example_worker; known commands:');
    expect(run.stderr).toContain('reset');
    expect(run.stderr).toContain('[VJ_BUS_UNKNOWN_COMMAND]');
  });

  test('unknown worker exits 1 listing the registered workers', async () => {
    const run = await runVj(vjHome, ['send', 'nope', 'health_check']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `vj: Worker nope is not registered in ${vjHome}/registry.json; registered workers: example_worker, silent_worker; check the name, or start the workers with pnpm start [VJ_BUS_WORKER_NOT_FOUND]\n`,
    );
  });

  test('worker that never replies exits 2 after the timeout', async () => {
    const run = await runVj(vjHome, ['send', 'silent_worker', 'ping', '--timeout', '300']);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'vj: Worker silent_worker did not reply to "ping" within 300 ms; check it with vj status, or allow more time with --timeout <ms> [VJ_BUS_REQUEST_TIMEOUT]\n',
    );
  });

  test('invalid JSON payload is a usage error naming the value', async () => {
    const run = await runVj(vjHome, ['send', 'example_worker', 'reset', '{to: 1}']);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("error: command-argument value '{to: 1}' is invalid for argument 'json'.");
    expect(run.stderr).toContain('It is not valid JSON');
  });

  test('JSON payload that is not an object is a usage error', async () => {
    const run = await runVj(vjHome, ['send', 'example_worker', 'reset', '[1]']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("command-argument value '[1]' is invalid");
    expect(run.stderr).toContain('It is JSON but not an object');
  });

  test('--vj-home overrides VJ_HOME', async () => {
    const elsewhere = await makeTempDir('vj-cli-send-empty-');
    try {
      const run = await runVj(elsewhere, ['--vj-home', vjHome, 'send', 'example_worker', 'health_check']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ name: 'example_worker' });
    } finally {
      await removeDir(elsewhere);
    }
  });

  test('invalid --timeout is a usage error', async () => {
    const run = await runVj(vjHome, ['--timeout', '2s', 'send', 'example_worker', 'health_check']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--timeout <ms>' argument '2s' is invalid");
    expect(run.stderr).toContain('whole number of milliseconds');
  });
});
