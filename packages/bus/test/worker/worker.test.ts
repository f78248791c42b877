import type { ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { isVjError, type VjError } from '../../src/errors';
import { Registry } from '../../src/registry';
import type { PublishedMessage } from '../../src/schemas/codec';
import { CommandClient } from '../../src/transport/command-client';
import { tcpEndpoint } from '../../src/transport/endpoint';
import { TelemetrySubscriber } from '../../src/transport/subscriber';
import { Worker } from '../../src/worker/worker';
import { spawnChildWorker } from '../fixtures/spawn';

interface TestConfig extends Record<string, unknown> {
  gain: number;
  label: string;
}

class TestWorker extends Worker<TestConfig> {
  applied: Array<Partial<TestConfig>> = [];
  starts = 0;
  protected override async onStart(): Promise<void> {
    this.starts++;
  }
  protected override describeState(): Record<string, unknown> {
    return { starts: this.starts };
  }
  protected override checkConfig(key: string, value: unknown): true | string {
    if (key === 'gain' && typeof value === 'number' && value > 10) return 'expected at most 10';
    return super.checkConfig(key, value);
  }
  protected override onConfigChanged(changes: Partial<TestConfig>): void {
    this.applied.push(changes);
  }
}

/** Parses the JSON lines a worker logged. */
function parseLines(chunks: string[]): Array<Record<string, unknown>> {
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Worker in process', () => {
  let vjHome: string;
  let worker: TestWorker;
  let client: CommandClient;
  let logLines: string[];
  let ports: number[];

  beforeEach(async () => {
    vjHome = await makeTempDir('vj-worker');
    ports = await allocatePorts(2);
    logLines = [];
    const logDestination = new PassThrough();
    logDestination.on('data', (chunk: Buffer) => logLines.push(chunk.toString('utf8')));
    worker = new TestWorker({
      name: 'test_worker',
      commandPort: ports[0] as number,
      telemetryPort: ports[1] as number,
      vjHome,
      heartbeatIntervalMs: 100,
      manageProcess: false,
      logDestination,
      config: { gain: 1, label: 'a' },
    });
    await worker.start();
    client = new CommandClient({ endpoint: worker.commandEndpoint, timeoutMs: 2000 });
  });

  afterEach(async () => {
    client.close();
    await worker.stop();
    await removeDir(vjHome);
  });

  test('start registers the worker with its ports and pid', async () => {
    const entry = await new Registry({ vjHome }).get('test_worker');
    expect(entry).toMatchObject({
      pid: process.pid,
      status: 'running',
      ports: { command: ports[0], telemetry: ports[1] },
    });
  });

  test('health_check and get_state answer', async () => {
    await expect(client.request('health_check')).resolves.toMatchObject({
      status: 'healthy',
      name: 'test_worker',
      pid: process.pid,
    });
    const state = await client.request('get_state');
    expect(state).toMatchObject({
      name: 'test_worker',
      status: 'running',
      config: { gain: 1, label: 'a' },
      state: { starts: 1 },
    });
  });

  test('set_config applies accepted keys and calls the hook', async () => {
    await expect(client.request('set_config', { gain: 5 })).resolves.toEqual({
      config: { gain: 5, label: 'a' },
    });
    expect(worker.applied).toEqual([{ gain: 5 }]);
  });

  test('set_config rejects the whole change when one key is rejected', async () => {
    const error = (await client
      .request('set_config', { gain: 50, label: 'b', nope: 1 })
      .catch((e: unknown) => e)) as VjError;
    expect(isVjError(error, 'VJ_BUS_COMMAND_FAILED')).toBe(true);
    expect(error.fields.remoteCode).toBe('VJ_BUS_CONFIG_REJECTED');
    expect(error.message).toContain('gain: expected at most 10');
    expect(error.message).toContain('nope: unknown key');
    await expect(client.request('get_state')).resolves.toMatchObject({ config: { gain: 1, label: 'a' } });
  });

  test('restart command restarts in place and keeps serving', async () => {
    await expect(client.request('restart')).resolves.toEqual({ restarting: true });
    await waitFor(() => worker.currentStatus === 'running' && (worker as TestWorker).starts === 2, {
      message: 'worker restarted',
    });
    await expect(client.request('get_state')).resolves.toMatchObject({ state: { starts: 2 } });
  });

  test('log records go to stdout as JSON and to logs.<level> on the bus', async () => {
    const subscriber = new TelemetrySubscriber();
    const records: PublishedMessage[] = [];
    subscriber.on('message', (_topic, message) => records.push(message));
    subscriber.connect(worker.telemetryEndpoint);
    subscriber.subscribe('logs.');

    await waitFor(
      () => {
        worker.log.warn({ channel: 3 }, 'input level low');
        return records.length > 0;
      },
      { timeoutMs: 5000, intervalMs: 50, message: 'a log record on the bus' },
    );
    subscriber.close();

    const message = records[0] as { topic: string; payload: Record<string, unknown> };
    expect(message.topic).toBe('logs.warn');
    expect(message.payload).toMatchObject({
      worker: 'test_worker',
      level: 'warn',
      msg: 'input level low',
      pid: process.pid,
      fields: { channel: 3 },
    });
    const stdoutRecord = parseLines(logLines).find((line) => line.msg === 'input level low');
    expect(stdoutRecord).toMatchObject({ level: 40, worker: 'test_worker', channel: 3 });
  });

  test('heartbeat restores the registry entry after it was removed', async () => {
    const registry = new Registry({ vjHome });
    const startedAt = (await registry.get('test_worker'))?.started_at;
    await registry.unregister('test_worker');
    await waitFor(async () => (await registry.get('test_worker')) !== undefined, {
      timeoutMs: 3000,
      message: 'entry restored',
    });
    // The worker logs once its heartbeat write has returned, a moment after the file changed.
    await waitFor(() => parseLines(logLines).some((line) => line.msg === 'registry entry restored'), {
      timeoutMs: 3000,
      message: 'restore logged',
    });
    expect((await registry.get('test_worker'))?.started_at).toBe(startedAt);
  });

  test('heartbeats are published on the heartbeat topic', async () => {
    const subscriber = new TelemetrySubscriber();
    const beats: PublishedMessage[] = [];
    subscriber.on('message', (_topic, message) => beats.push(message));
    subscriber.connect(worker.telemetryEndpoint);
    subscriber.subscribe('heartbeat');
    await waitFor(() => beats.length > 0, { timeoutMs: 3000, message: 'a heartbeat' });
    subscriber.close();
    expect(beats[0]).toMatchObject({
      type: 'heartbeat',
      source: 'test_worker',
      pid: process.pid,
      status: 'running',
    });
  });

  test('second worker on the same port fails with VJ_BUS_PORT_IN_USE and leaves the first running', async () => {
    const twin = new TestWorker({
      name: 'twin',
      commandPort: ports[0] as number,
      telemetryPort: (ports[1] as number) + 1000,
      vjHome,
      manageProcess: false,
      logDestination: new PassThrough(),
      config: { gain: 1, label: 'x' },
    });
    const error = await twin.start().catch((e: unknown) => e);
    expect(isVjError(error, 'VJ_BUS_PORT_IN_USE')).toBe(true);
    await expect(client.request('health_check')).resolves.toMatchObject({ status: 'healthy' });
    await expect(new Registry({ vjHome }).get('twin')).resolves.toBeUndefined();
  });

  test('stop unregisters the worker', async () => {
    await worker.stop();
    await expect(new Registry({ vjHome }).get('test_worker')).resolves.toBeUndefined();
  });
});

describe('Worker as a child process', () => {
  const children: ChildProcess[] = [];
  let vjHome: string;

  beforeEach(async () => {
    vjHome = await makeTempDir('vj-child');
  });

  afterEach(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.length = 0;
    await removeDir(vjHome);
  });

  function startChild(
    name: string,
    commandPort: number,
    telemetryPort: number,
  ): { child: ChildProcess; output: string[] } {
    const started = spawnChildWorker({ name, vjHome, commandPort, telemetryPort });
    children.push(started.child);
    return started;
  }

  function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  test('child worker registers, answers, and unregisters on SIGTERM with exit code 0', async () => {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const { child, output } = startChild('child_worker', commandPort, telemetryPort);
    const registry = new Registry({ vjHome });
    await waitFor(async () => (await registry.get('child_worker'))?.pid === child.pid, {
      timeoutMs: 15000,
      message: 'child registered',
    });

    const client = new CommandClient({ endpoint: tcpEndpoint('127.0.0.1', commandPort) });
    await expect(client.request('whoami')).resolves.toEqual({ pid: child.pid });
    client.close();

    const startedAt = Date.now();
    child.kill('SIGTERM');
    const exit = await exitOf(child);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - startedAt).toBeLessThan(5000);
    await expect(registry.get('child_worker')).resolves.toBeUndefined();
    const lines = parseLines(output.filter((chunk) => chunk.startsWith('{')));
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['worker started', 'worker stopped']),
    );
  });

  test('child worker exits with code 1 and a clear message when its port is in use', async () => {
    const [commandPort, telemetryPort, otherPort] = (await allocatePorts(3)) as [number, number, number];
    const first = startChild('first_worker', commandPort, telemetryPort);
    const registry = new Registry({ vjHome });
    await waitFor(async () => (await registry.get('first_worker'))?.pid === first.child.pid, {
      timeoutMs: 15000,
      message: 'first registered',
    });

    const second = startChild('second_worker', commandPort, otherPort);
    const exit = await exitOf(second.child);
    expect(exit.code).toBe(1);
    const text = second.output.join('');
    expect(text).toContain(
      `second_worker failed to start: The command port ${commandPort} on 127.0.0.1 is already in use by first_worker (pid ${first.child.pid}, as the registry says); stop that process, or set VJ_COMMAND_PORT to a free port`,
    );
    await expect(registry.get('second_worker')).resolves.toBeUndefined();
  });

  test('second worker of one name exits with code 1', async () => {
    const [commandPort, telemetryPort, otherCommand, otherTelemetry] = (await allocatePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    const first = startChild('twin_worker', commandPort, telemetryPort);
    const registry = new Registry({ vjHome });
    await waitFor(async () => (await registry.get('twin_worker'))?.pid === first.child.pid, {
      timeoutMs: 15000,
      message: 'first registered',
    });

    const second = startChild('twin_worker', otherCommand, otherTelemetry);
    const exit = await exitOf(second.child);
    expect(exit.code).toBe(1);
    expect(second.output.join('')).toContain(
      `Another twin_worker is running (pid ${first.child.pid}, ports ${commandPort}/${telemetryPort}`,
    );
    expect((await registry.get('twin_worker'))?.pid).toBe(first.child.pid);
  });

  test('worker takes the name of a killed one', async () => {
    const [commandPort, telemetryPort, otherCommand, otherTelemetry] = (await allocatePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    const first = startChild('twin_worker', commandPort, telemetryPort);
    const registry = new Registry({ vjHome });
    await waitFor(async () => (await registry.get('twin_worker'))?.pid === first.child.pid, {
      timeoutMs: 15000,
      message: 'first registered',
    });
    first.child.kill('SIGKILL');
    await exitOf(first.child);

    // The killed worker's entry is still fresh, but its pid no longer exists.
    const second = startChild('twin_worker', otherCommand, otherTelemetry);
    await waitFor(async () => (await registry.get('twin_worker'))?.pid === second.child.pid, {
      timeoutMs: 15000,
      message: 'second registered',
    });
  });

  test('shutdown command stops the child with exit code 0', async () => {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const { child } = startChild('child_worker', commandPort, telemetryPort);
    const registry = new Registry({ vjHome });
    await waitFor(async () => (await registry.get('child_worker'))?.pid === child.pid, {
      timeoutMs: 15000,
      message: 'child registered',
    });

    const client = new CommandClient({ endpoint: tcpEndpoint('127.0.0.1', commandPort) });
    await expect(client.request('shutdown')).resolves.toEqual({ shutting_down: true });
    client.close();
    await expect(exitOf(child)).resolves.toEqual({ code: 0, signal: null });
  });
});
