import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { linesOf, runVj, spawnVj } from './fixtures/vj';
import { type ExampleProcess, startExampleWorker } from './fixtures/workers';

interface TailLine {
  topic: string;
  source: string;
  timestamp: number;
  payload: Record<string, unknown>;
}

describe('vj tail', () => {
  let vjHome: string;
  let example: ExampleProcess;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-tail-');
    example = await startExampleWorker(vjHome);
  }, 60000);

  afterAll(async () => {
    await example?.stop();
    await removeDir(vjHome);
  });

  test('--count prints that many JSON lines and exits 0', async () => {
    const run = await runVj(vjHome, ['tail', 'example.', '--count', '3']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = linesOf(run.stdout).map((line) => JSON.parse(line) as TailLine);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['topic', 'source', 'timestamp', 'payload']);
      expect(line).toMatchObject({
        topic: 'example.tick',
        source: 'example_worker',
        payload: { rate_hz: 10 },
      });
      expect(line.timestamp).toBeGreaterThan(1_600_000_000);
    }
    const counts = lines.map((line) => line.payload.count as number);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  test('heartbeat prefix skips other topics', async () => {
    // The example worker ticks on example.tick at 10 Hz, several times between two heartbeats.
    const run = await runVj(vjHome, ['tail', 'heartbeat', '--count', '2']);

    expect(run.code).toBe(0);
    const lines = linesOf(run.stdout).map((text) => JSON.parse(text) as TailLine);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({
        topic: 'heartbeat',
        source: 'example_worker',
        payload: { pid: example.pid, status: 'running', uptime_s: expect.any(Number) },
      });
    }
  });

  test('SIGINT ends a running tail with exit code 0', async () => {
    const tail = spawnVj(vjHome, ['tail', 'example.tick']);
    await waitFor(() => linesOf(tail.output.stdout).length >= 2, { timeoutMs: 15000, message: 'two lines' });
    tail.child.kill('SIGINT');

    await expect(tail.exited).resolves.toBe(0);
    expect(tail.output.stderr).toBe('');
  });

  test('closed output pipe ends tail with 0', async () => {
    const tail = spawnVj(vjHome, ['tail', 'example.tick']);
    await waitFor(() => linesOf(tail.output.stdout).length >= 1, { timeoutMs: 15000, message: 'a line' });
    // As `vj tail example. | head -n 1` does once head has its line.
    tail.child.stdout?.destroy();

    await expect(tail.exited).resolves.toBe(0);
    expect(tail.output.stderr).toBe('');
  });

  test('--count below 1 is a usage error', async () => {
    const run = await runVj(vjHome, ['tail', 'example.', '--count', '0']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--count <n>' argument '0' is invalid");
  });
});

describe('vj tail with a corrupt registry', () => {
  let vjHome: string;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-tail-corrupt-');
    writeFileSync(path.join(vjHome, 'registry.json'), '{"version":');
  });
  afterAll(() => removeDir(vjHome));

  test('corrupt registry is reported once on stderr', async () => {
    const tail = spawnVj(vjHome, ['tail', 'example.']);
    await waitFor(() => tail.output.stderr.includes('waiting for them'), {
      timeoutMs: 15000,
      message: 'notice',
    });
    // Two more rescans of the unchanged file, which must not repeat the warning.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    tail.child.kill('SIGINT');

    await expect(tail.exited).resolves.toBe(0);
    const warnings = linesOf(tail.output.stderr).filter((line) => line.includes('[VJ_REGISTRY_CORRUPT]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^vj: Registry file .*registry\.json is not valid JSON/);
  });
});

describe('vj tail before any worker runs', () => {
  let vjHome: string;
  let example: ExampleProcess | undefined;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-tail-later-');
  });

  afterAll(async () => {
    await example?.stop();
    await removeDir(vjHome);
  });

  test('worker that registers later is tailed too', async () => {
    const tail = spawnVj(vjHome, ['tail', 'example.tick', '--count', '2']);
    await waitFor(() => tail.output.stderr.includes('No workers are registered'), {
      timeoutMs: 15000,
      message: 'waiting notice',
    });
    expect(tail.output.stderr).toBe(
      `No workers are registered in ${vjHome}/registry.json yet; waiting for them (pnpm start starts them).\n`,
    );

    example = await startExampleWorker(vjHome);

    await expect(tail.exited).resolves.toBe(0);
    const lines = linesOf(tail.output.stdout).map((line) => JSON.parse(line) as TailLine);
    expect(lines.map((line) => line.source)).toEqual(['example_worker', 'example_worker']);
  }, 60000);
});
