import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { BusClient } from '../../src/client/bus-client';
import { isVjError, type VjError } from '../../src/errors';
import type { PublishedMessage } from '../../src/schemas/codec';
import { Worker } from '../../src/worker/worker';
import { spawnChildWorker } from '../fixtures/spawn';

describe('BusClient', () => {
  let vjHome: string;
  let bus: BusClient;
  const workers: Worker[] = [];
  const children: ChildProcess[] = [];
  const events: string[] = [];

  beforeEach(async () => {
    vjHome = await makeTempDir('vj-client');
    events.length = 0;
    bus = new BusClient({ vjHome, rescanIntervalMs: 200, timeoutMs: 1000 });
    bus.on('worker_added', (name) => events.push(`added ${name}`));
    bus.on('worker_removed', (name) => events.push(`removed ${name}`));
    bus.on('worker_restarted', (name) => events.push(`restarted ${name}`));
  });

  afterEach(async () => {
    await bus.close();
    for (const worker of workers) await worker.stop();
    workers.length = 0;
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.length = 0;
    await removeDir(vjHome);
  });

  async function startWorker(name: string, heartbeatIntervalMs = 200): Promise<Worker> {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const worker = new Worker({
      name,
      commandPort,
      telemetryPort,
      vjHome,
      manageProcess: false,
      logDestination: new PassThrough(),
      heartbeatIntervalMs,
    });
    worker.command('ping', () => ({ pong: name }));
    await worker.start();
    workers.push(worker);
    return worker;
  }

  function startChild(name: string, commandPort: number, telemetryPort: number): ChildProcess {
    const { child } = spawnChildWorker({ name, vjHome, commandPort, telemetryPort });
    children.push(child);
    return child;
  }

  test('client lists a running worker and sends it commands', async () => {
    await startWorker('alpha');
    await bus.start();
    expect(Object.keys(bus.workers())).toEqual(['alpha']);
    expect(events).toEqual(['added alpha']);
    await expect(bus.request('alpha', 'ping')).resolves.toEqual({ pong: 'alpha' });
    const response = await bus.send('alpha', 'health_check');
    expect(response).toMatchObject({ status: 'ok', source: 'alpha' });
  });

  test('client sees a worker that starts later and receives its telemetry', async () => {
    await bus.start();
    bus.subscribe('example.');
    const ticks: PublishedMessage[] = [];
    bus.on('message', (_topic, message) => ticks.push(message));

    const worker = await startWorker('late');
    await waitFor(() => events.includes('added late'), {
      timeoutMs: 3000,
      message: 'late worker discovered',
    });
    await waitFor(
      () => {
        worker.publish('example.tick', { count: 1, rate_hz: 10 });
        return ticks.length > 0;
      },
      { timeoutMs: 5000, intervalMs: 20, message: 'telemetry from the late worker' },
    );
    expect(ticks[0]).toMatchObject({ type: 'telemetry', source: 'late', topic: 'example.tick' });
  });

  test('client reports a stopped worker as removed', async () => {
    const worker = await startWorker('brief');
    await bus.start();
    await worker.stop();
    await waitFor(() => events.includes('removed brief'), { timeoutMs: 3000, message: 'removal reported' });
    expect(bus.workers()).toEqual({});
  });

  test('request to an unknown worker rejects with VJ_BUS_WORKER_NOT_FOUND', async () => {
    await startWorker('known');
    await bus.start();
    const error = (await bus.request('ghost', 'ping').catch((e: unknown) => e)) as VjError;
    expect(isVjError(error, 'VJ_BUS_WORKER_NOT_FOUND')).toBe(true);
    expect(error.message).toContain('running workers: known');
  });

  test('worker killed and started again is reported as restarted and its telemetry resumes', async () => {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const first = startChild('phoenix', commandPort, telemetryPort);
    await bus.start();
    bus.subscribe('example.');
    const sources: number[] = [];
    bus.on('message', () => sources.push(Date.now()));
    await waitFor(() => bus.workers().phoenix?.pid === first.pid, {
      timeoutMs: 15000,
      message: 'first child registered',
    });
    await waitFor(() => sources.length > 0, { timeoutMs: 5000, message: 'first child telemetry' });

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const timeout = (await bus
      .request('phoenix', 'ping', {}, { timeoutMs: 300 })
      .catch((e: unknown) => e)) as VjError;
    expect(isVjError(timeout, 'VJ_BUS_REQUEST_TIMEOUT')).toBe(true);

    const second = startChild('phoenix', commandPort, telemetryPort);
    await waitFor(() => events.includes('restarted phoenix'), {
      timeoutMs: 15000,
      message: 'restart reported',
    });
    expect(bus.workers().phoenix?.pid).toBe(second.pid);
    const countBefore = sources.length;
    await waitFor(() => sources.length > countBefore + 3, {
      timeoutMs: 5000,
      message: 'telemetry after restart',
    });
    await expect(bus.request('phoenix', 'whoami')).resolves.toEqual({ pid: second.pid });
  });

  test('corrupt registry file is a warning and keeps the last good view', async () => {
    // A slow heartbeat, so the client reads the corrupt file before the worker repairs it.
    await startWorker('steady', 1500);
    await bus.start();
    const warnings: VjError[] = [];
    bus.on('warning', (error) => warnings.push(error));
    await writeFile(path.join(vjHome, 'registry.json'), '{"version":"1.0","services":{"stea');
    await bus.rescan();

    expect(warnings[0]?.code).toBe('VJ_REGISTRY_CORRUPT');
    expect(Object.keys(bus.workers())).toEqual(['steady']);
    await waitFor(async () => (await bus.registry.get('steady')) !== undefined, {
      timeoutMs: 5000,
      message: 'entry rewritten by the heartbeat',
    });
    await bus.rescan();
    expect(events).toEqual(['added steady']);
  });
});
