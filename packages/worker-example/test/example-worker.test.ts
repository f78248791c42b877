import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { BusClient, type PublishedMessage, type VjError } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';

interface TickMessage {
  source: string;
  payload: { count: number; rate_hz: number };
}

describe('example worker process', () => {
  let vjHome: string;
  let child: ChildProcess;
  let bus: BusClient;
  const ticks: TickMessage[] = [];

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-example');
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.join(__dirname, '..'),
      env: {
        ...process.env,
        VJ_HOME: vjHome,
        VJ_COMMAND_PORT: String(commandPort),
        VJ_TELEMETRY_PORT: String(telemetryPort),
      },
      stdio: 'ignore',
    });
    bus = new BusClient({ vjHome, rescanIntervalMs: 200 });
    bus.on('message', (_topic, message: PublishedMessage) => ticks.push(message as unknown as TickMessage));
    await bus.start();
    bus.subscribe('example.tick');
    await waitFor(() => bus.workers().example_worker?.pid === child.pid, {
      timeoutMs: 15000,
      message: 'example worker registered',
    });
  });

  afterAll(async () => {
    await bus.close();
    if (child.exitCode === null) child.kill('SIGKILL');
    await removeDir(vjHome);
  });

  test('example worker publishes a rising counter at about 10 Hz', async () => {
    await waitFor(() => ticks.length >= 5, { timeoutMs: 5000, message: 'five ticks' });
    const counts = ticks.map((tick) => tick.payload.count);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(ticks[0]).toMatchObject({ source: 'example_worker', payload: { rate_hz: 10 } });
  });

  test('reset sets the counter and returns the previous value', async () => {
    const result = await bus.request('example_worker', 'reset', { to: 1000 });
    expect(result).toMatchObject({ count: 1000 });
    ticks.length = 0;
    await waitFor(() => ticks.length > 0, { timeoutMs: 3000, message: 'a tick after reset' });
    expect(ticks[0]?.payload.count).toBeGreaterThan(1000);
  });

  test('reset with a negative value fails with the value in the message', async () => {
    const error = (await bus
      .request('example_worker', 'reset', { to: -3 })
      .catch((e: unknown) => e)) as VjError;
    expect(error.code).toBe('VJ_BUS_COMMAND_FAILED');
    expect(error.message).toContain('received -3');
  });

  test('set_config changes the tick rate and rejects an out-of-range rate', async () => {
    await expect(bus.request('example_worker', 'set_config', { rate_hz: 50 })).resolves.toEqual({
      config: { rate_hz: 50 },
    });
    ticks.length = 0;
    await waitFor(() => ticks.some((tick) => tick.payload.rate_hz === 50), {
      timeoutMs: 3000,
      message: 'a tick at the new rate',
    });

    const error = (await bus
      .request('example_worker', 'set_config', { rate_hz: 1000 })
      .catch((e: unknown) => e)) as VjError;
    expect(error.message).toContain('rate_hz: expected a number from 0.1 to 100');
  });

  test('get_state reports the counter', async () => {
    const state = await bus.request('example_worker', 'get_state');
    expect(state).toMatchObject({
      name: 'example_worker',
      status: 'running',
      state: { count: expect.any(Number) },
    });
  });
});
