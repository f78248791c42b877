import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  allocatePorts,
  makeTempDir,
  removeDir,
  requirePythonModule,
  testPython,
  waitFor,
} from '@vj/test-support';
import { BusClient } from '../../src/client/bus-client';
import type { PublishedMessage } from '../../src/schemas/codec';
import { Worker } from '../../src/worker/worker';

const PEER = path.join(__dirname, '..', 'fixtures', 'python_peer.py');
const describeWithPyzmq = requirePythonModule('zmq', 'python3-zmq') ? describe : describe.skip;

interface PeerLine {
  kind: string;
  command?: string;
  response?: Record<string, unknown>;
  topic?: string;
  message?: Record<string, unknown>;
}

/** Runs the Python peer, collecting its JSON lines and stderr. */
function startPeer(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; lines: PeerLine[]; stderr: string[] } {
  const lines: PeerLine[] = [];
  const stderr: string[] = [];
  const child = spawn(testPython(), [PEER, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') lines.push(JSON.parse(part) as PeerLine);
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  return { child, lines, stderr };
}

function exitCodeOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describeWithPyzmq('Python pyzmq peer', () => {
  let vjHome: string;

  beforeEach(async () => {
    vjHome = await makeTempDir('vj-python');
  });

  afterEach(async () => {
    await removeDir(vjHome);
  });

  test('Python client commands a TypeScript worker and reads its telemetry', async () => {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const worker = new Worker({
      name: 'ts_worker',
      commandPort,
      telemetryPort,
      vjHome,
      manageProcess: false,
      logDestination: new PassThrough(),
      config: { gain: 1 },
    });
    await worker.start();
    const ticker = setInterval(() => worker.publish('example.tick', { count: 1, rate_hz: 20 }), 50);

    const peer = startPeer(['client', worker.commandEndpoint, worker.telemetryEndpoint], {});
    const code = await exitCodeOf(peer.child);
    clearInterval(ticker);
    await worker.stop();
    expect({ code, stderr: peer.stderr.join('') }).toEqual({ code: 0, stderr: '' });

    const byCommand = new Map(
      peer.lines.filter((line) => line.kind === 'response').map((line) => [line.command, line.response]),
    );
    expect(byCommand.get('health_check')).toMatchObject({
      type: 'response',
      status: 'ok',
      source: 'ts_worker',
      error: null,
      result: { status: 'healthy' },
    });
    expect(byCommand.get('get_state')).toMatchObject({
      status: 'ok',
      result: { name: 'ts_worker', config: { gain: 1 } },
    });
    expect(byCommand.get('no_such_command')).toMatchObject({
      status: 'error',
      result: null,
      code: 'VJ_BUS_UNKNOWN_COMMAND',
    });
    expect(byCommand.get('set_config')).toMatchObject({ status: 'error', code: 'VJ_BUS_CONFIG_REJECTED' });
    expect(byCommand.get('<invalid json>')).toMatchObject({ status: 'error', code: 'VJ_BUS_INVALID_JSON' });

    const telemetry = peer.lines.find((line) => line.kind === 'telemetry');
    expect(telemetry).toMatchObject({
      topic: 'example.tick',
      message: {
        type: 'telemetry',
        source: 'ts_worker',
        topic: 'example.tick',
        payload: { count: 1, rate_hz: 20 },
      },
    });
  });

  test('BusClient discovers a Python worker through the shared registry lock', async () => {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const bus = new BusClient({ vjHome, rescanIntervalMs: 100 });
    await bus.start();
    bus.subscribe('example.');
    const ticks: PublishedMessage[] = [];
    bus.on('message', (_topic, message) => ticks.push(message));
    const invalid: unknown[] = [];
    bus.on('invalid', (error) => invalid.push(error));

    const peer = startPeer(['worker', 'py_worker', String(commandPort), String(telemetryPort)], {
      VJ_HOME: vjHome,
    });
    try {
      await waitFor(() => bus.workers().py_worker !== undefined, {
        timeoutMs: 10000,
        message: 'Python worker discovered',
      });
      await expect(bus.request('py_worker', 'ping', { n: 7 })).resolves.toEqual({
        pong: true,
        echo: { n: 7 },
      });
      await waitFor(() => ticks.length >= 3, { timeoutMs: 5000, message: 'ticks from the Python worker' });
      expect(ticks[0]).toMatchObject({ type: 'telemetry', source: 'py_worker', topic: 'example.tick' });
      expect(invalid).toEqual([]);

      await expect(bus.request('py_worker', 'shutdown')).resolves.toEqual({ shutting_down: true });
      await expect(exitCodeOf(peer.child)).resolves.toBe(0);
      await waitFor(() => bus.workers().py_worker === undefined, {
        timeoutMs: 5000,
        message: 'Python worker removed',
      });
    } finally {
      if (peer.child.exitCode === null) peer.child.kill('SIGKILL');
      await bus.close();
    }
    expect(peer.stderr.join('')).toBe('');
  });
});
