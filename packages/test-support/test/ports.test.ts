import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { allocatePort, allocatePorts, makeTempDir, removeDir } from '../src';
import { allocatePortsFrom, isPortFree, type PortRange } from '../src/internal/port-allocator';

const execFileAsync = promisify(execFile);
const packageDir = join(__dirname, '..');
const fixture = join(__dirname, 'fixtures', 'allocate-ports.ts');

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('allocatePort', () => {
  test('returns a bindable port in 20000-29999', async () => {
    const port = await allocatePort();

    expect(port).toBeGreaterThanOrEqual(20000);
    expect(port).toBeLessThanOrEqual(29999);
    const server = await listen(port);
    await close(server);
  });

  test('hands out distinct ports across 4 processes', async () => {
    const perProcess = 40;

    const children = Array.from({ length: 4 }, () =>
      execFileAsync(process.execPath, ['--import', 'tsx', fixture, String(perProcess)], { cwd: packageDir }),
    );
    const outputs = await Promise.all(children);

    const ports = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as number[]);
    expect(ports).toHaveLength(4 * perProcess);
    expect(new Set(ports).size).toBe(ports.length);
  }, 60000);
});

describe('allocatePorts', () => {
  test('returns the requested number of distinct ports', async () => {
    const ports = await allocatePorts(5);

    expect(ports).toHaveLength(5);
    expect(new Set(ports).size).toBe(5);
  });

  test.each([0, -1, 1.5, Number.NaN, 10001])('rejects count %p', async (count) => {
    await expect(allocatePorts(count)).rejects.toThrow(RangeError);
  });
});

describe('allocatePortsFrom', () => {
  // These tests check the sequence with a stubbed port check, so that they bind
  // nothing in a range that other packages' tests may be using at the same time.
  const alwaysFree = async (): Promise<boolean> => true;
  let stateDir: string;
  let range: PortRange;

  beforeEach(async () => {
    stateDir = await makeTempDir('vj-ports-test-');
    range = { stateDir, firstPort: 20000, lastPort: 20009, isFree: alwaysFree };
  });

  afterEach(async () => {
    await removeDir(stateDir);
  });

  test('hands out ports in sequence across calls', async () => {
    const first = await allocatePortsFrom(range, 2);
    const second = await allocatePortsFrom(range, 1);

    expect(first).toEqual([20000, 20001]);
    expect(second).toEqual([20002]);
  });

  test('wraps to the first port after the last', async () => {
    await writeFile(join(stateDir, 'state.json'), JSON.stringify({ next: 20009 }));

    const ports = await allocatePortsFrom(range, 2);

    expect(ports).toEqual([20009, 20000]);
  });

  test('skips a port whose check fails', async () => {
    const isFree = async (port: number): Promise<boolean> => port !== 20000;

    const ports = await allocatePortsFrom({ ...range, isFree }, 2);

    expect(ports).toEqual([20001, 20002]);
  });

  test('rejects when every port is in use', async () => {
    const isFree = async (): Promise<boolean> => false;

    await expect(allocatePortsFrom({ ...range, isFree }, 1)).rejects.toThrow(
      'Ports 20000-20009 are all in use on 127.0.0.1',
    );
  });

  test('restarts at the first port after a corrupt state file', async () => {
    await writeFile(join(stateDir, 'state.json'), '{"next": 2');

    const ports = await allocatePortsFrom(range, 1);

    expect(ports).toEqual([20000]);
  });

  test('restarts at the first port when the state is outside the range', async () => {
    await writeFile(join(stateDir, 'state.json'), JSON.stringify({ next: 31000 }));

    const ports = await allocatePortsFrom(range, 1);

    expect(ports).toEqual([20000]);
  });

  test('stores the next port in state.json', async () => {
    await allocatePortsFrom(range, 3);

    const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8'));
    expect(state).toEqual({ next: 20003 });
  });

  test('does not repeat a port within 3000 allocations', async () => {
    const wideRange = { stateDir, firstPort: 20000, lastPort: 29999, isFree: alwaysFree };

    const ports: number[] = [];
    for (let i = 0; i < 3000; i++) {
      ports.push(...(await allocatePortsFrom(wideRange, 1)));
    }

    expect(new Set(ports).size).toBe(3000);
  }, 60000);

  test('takes over a stale lock', async () => {
    const lockPath = join(stateDir, 'state.json.lock');
    await mkdir(lockPath);
    const minuteAgo = new Date(Date.now() - 60000);
    await utimes(lockPath, minuteAgo, minuteAgo);

    const ports = await allocatePortsFrom(range, 1);

    expect(ports).toEqual([20000]);
  });

  test('skips a port that is bound on 127.0.0.1', async () => {
    // A one-port range made of a port that the shared allocator reserved for
    // this test, so the real bind check touches no port another test may hold.
    const port = await allocatePort();
    const server = await listen(port);
    const realRange = { stateDir, firstPort: port, lastPort: port };
    try {
      await expect(allocatePortsFrom(realRange, 1)).rejects.toThrow('are all in use');
    } finally {
      await close(server);
    }

    expect(await allocatePortsFrom(realRange, 1)).toEqual([port]);
  });
});

describe('isPortFree', () => {
  test('is false for a port bound over TCP', async () => {
    const port = await allocatePort();
    const server = await listen(port);
    try {
      expect(await isPortFree(port)).toBe(false);
    } finally {
      await close(server);
    }
  });

  test('is false for a port bound over UDP', async () => {
    const port = await allocatePort();
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
    try {
      expect(await isPortFree(port)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
  });

  test('is true once the port is released', async () => {
    const port = await allocatePort();
    const server = await listen(port);
    await close(server);

    expect(await isPortFree(port)).toBe(true);
  });
});
