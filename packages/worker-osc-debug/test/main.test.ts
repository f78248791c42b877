import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CommandClient, tcpEndpoint } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, requireTool, waitFor } from '@vj/test-support';
import type { CapturedEntry, PortStatus } from '../src';

const execFileAsync = promisify(execFile);
const PACKAGE_DIR = path.join(__dirname, '..');
const describeWithOscsend = requireTool('oscsend', 'liblo-tools') ? describe : describe.skip;

// Starts src/main.ts as pm2 would, with `env` added to this process's environment.
function startMain(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface WorkerProcess {
  child: ChildProcess;
  client: CommandClient;
  vjHome: string;
  udpPorts: [number, number];
  stdout: string[];
}

const started: WorkerProcess[] = [];

afterEach(async () => {
  for (const worker of started.splice(0)) {
    worker.client.close();
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await removeDir(worker.vjHome);
  }
});

// Starts the worker process on fresh bus and UDP ports and waits until it reports healthy.
async function startWorkerProcess(): Promise<WorkerProcess> {
  const vjHome = await makeTempDir('vj-osc-debug-main');
  const [commandPort, telemetryPort, ...fresh] = (await allocatePorts(4)) as number[];
  const udpPorts = fresh as [number, number];
  const child = startMain({
    VJ_HOME: vjHome,
    VJ_COMMAND_PORT: String(commandPort),
    VJ_TELEMETRY_PORT: String(telemetryPort),
    VJ_OSC_PORTS: udpPorts.join(','),
  });
  const stdout: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  const client = new CommandClient({ endpoint: tcpEndpoint('127.0.0.1', commandPort as number) });
  const worker = { child, client, vjHome, udpPorts, stdout };
  started.push(worker);

  // tsx compiles the worker on start, which takes seconds on a loaded machine.
  await waitFor(
    async () => (await client.request('health_check', {}, { timeoutMs: 1000 }))?.status === 'healthy',
    { timeoutMs: 30000, message: 'osc_debugger process healthy' },
  );
  return worker;
}

describeWithOscsend('osc-debug worker process', () => {
  test('process captures oscsend messages on the VJ_OSC_PORTS ports', async () => {
    const { client, udpPorts } = await startWorkerProcess();
    const [first, second] = udpPorts;
    const state = (await client.request('get_state')) as { state: { ports: PortStatus[] } };
    expect(state.state.ports).toEqual(
      udpPorts.map((port) => ({ port, status: 'listening', receive_buffer_bytes: expect.any(Number) })),
    );

    await execFileAsync('oscsend', [`osc.udp://127.0.0.1:${first}`, '/main/one', 'i', '1'], {
      timeout: 5000,
    });
    await execFileAsync('oscsend', [`osc.udp://127.0.0.1:${second}`, '/main/two', 'sf', 'x', '0.5'], {
      timeout: 5000,
    });
    const messages = await waitFor(
      async () => {
        const result = (await client.request('get_messages', { filter: '/main/*' })) as {
          messages: CapturedEntry[];
        };
        return result.messages.length === 2 ? result.messages : undefined;
      },
      { timeoutMs: 10000, message: '2 captured messages' },
    );

    expect(messages).toMatchObject([
      {
        kind: 'message',
        address: '/main/two',
        local_port: second,
        args: [
          { type: 's', value: 'x' },
          { type: 'f', value: 0.5 },
        ],
      },
      { kind: 'message', address: '/main/one', local_port: first, args: [{ type: 'i', value: 1 }] },
    ]);
  });

  test('process exits with code 0 on SIGTERM and unregisters', async () => {
    const { child, vjHome, udpPorts, stdout } = await startWorkerProcess();
    await execFileAsync('oscsend', [`osc.udp://127.0.0.1:${udpPorts[0]}`, '/main/before', 'i', '1'], {
      timeout: 5000,
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    child.kill('SIGTERM');
    const [code, signal] = await exited;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const logs = stdout
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.find((line) => line.msg === 'worker stopped')).toMatchObject({ reason: 'SIGTERM' });
    expect(logs.filter((line) => (line.level as number) >= 50)).toEqual([]);
    const registry = JSON.parse(await readFile(path.join(vjHome, 'registry.json'), 'utf8')) as {
      services: Record<string, unknown>;
    };
    expect(registry.services.osc_debugger).toBeUndefined();
  });
});

describe('osc-debug worker process configuration', () => {
  test('process rejects an invalid VJ_OSC_PORTS with exit code 1', async () => {
    const vjHome = await makeTempDir('vj-osc-debug-main');
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    const child = startMain({
      VJ_HOME: vjHome,
      VJ_COMMAND_PORT: String(commandPort),
      VJ_TELEMETRY_PORT: String(telemetryPort),
      VJ_OSC_PORTS: '9001,nine',
    });
    const stderr: string[] = [];
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    try {
      const [code] = (await once(child, 'exit')) as [number | null];

      expect(code).toBe(1);
      expect(stderr.join('')).toContain(
        'osc_debugger failed to start: Environment variable VJ_OSC_PORTS is "9001,nine"',
      );
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await removeDir(vjHome);
    }
  });
});
