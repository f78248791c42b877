import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isVjError } from '../../src/errors';
import { Registry, type RegistryOptions, type ServiceRegistration } from '../../src/registry';
import { makeTempHome, PACKAGE_ROOT, pidOfExitedProcess, removeTempHome } from './helpers';

const PORTS = { command: 5001, telemetry: 5002 };
const T0_MS = 1_733_234_567_890;

let vjHome: string;
let nowMs: number;

beforeEach(async () => {
  vjHome = await makeTempHome();
  nowMs = T0_MS;
});

afterEach(async () => {
  await removeTempHome(vjHome);
});

function makeRegistry(options: RegistryOptions = {}): Registry {
  return new Registry({ vjHome, now: () => nowMs, ...options });
}

function service(overrides: Partial<ServiceRegistration> = {}): ServiceRegistration {
  return { pid: process.pid, ports: PORTS, ...overrides };
}

async function expectVjError(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(isVjError(error) ? error.code : error).toBe(code);
  return error as Error;
}

describe('register, get, list and unregister', () => {
  test('register, get and list round trip', async () => {
    const registry = makeRegistry();

    const written = await registry.register('audio_analyzer', service({ metadata: { version: '1.2.0' } }));

    const expected = {
      pid: process.pid,
      status: 'running',
      heartbeat_at: T0_MS / 1000,
      ports: PORTS,
      metadata: { version: '1.2.0' },
      host: '127.0.0.1',
      started_at: T0_MS / 1000,
    };
    expect(written).toEqual(expected);
    expect(await registry.get('audio_analyzer')).toEqual(expected);
    expect(await registry.list()).toEqual({ audio_analyzer: expected });
  });

  test('registry file has the documented format', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service());

    const file = JSON.parse(await readFile(registry.path, 'utf8'));

    expect(registry.path).toBe(join(vjHome, 'registry.json'));
    expect(file.version).toBe('1.0');
    expect(Object.keys(file.services)).toEqual(['audio_analyzer']);
    expect(file.services.audio_analyzer.heartbeat_at).toBe(T0_MS / 1000);
    expect(file.services.audio_analyzer.ports).toEqual({ command: 5001, telemetry: 5002 });
  });

  test('unregister removes the entry', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service());

    expect(await registry.unregister('audio_analyzer')).toBe(true);

    expect(await registry.get('audio_analyzer')).toBeUndefined();
    expect(await registry.list({ includeStale: true })).toEqual({});
  });

  test('unregister with a foreign pid leaves the entry', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service());

    expect(await registry.unregister('audio_analyzer', { pid: process.pid + 100_000 })).toBe(false);

    expect((await registry.get('audio_analyzer'))?.pid).toBe(process.pid);
    expect(await registry.unregister('audio_analyzer', { pid: process.pid })).toBe(true);
  });

  test('unregister of a missing service returns false', async () => {
    const registry = makeRegistry();

    expect(await registry.unregister('audio_analyzer')).toBe(false);
  });

  test('register keeps fields written by other clients', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service());
    const file = JSON.parse(await readFile(registry.path, 'utf8'));
    file.written_by = 'python';
    file.services.audio_analyzer.python_version = '3.12';
    await writeFile(registry.path, JSON.stringify(file));

    await registry.heartbeat('audio_analyzer', service());
    await registry.register('audio_analyzer', service({ status: 'stopping' }));

    const rewritten = JSON.parse(await readFile(registry.path, 'utf8'));
    expect(rewritten.written_by).toBe('python');
    expect(rewritten.services.audio_analyzer.python_version).toBe('3.12');
    expect(rewritten.services.audio_analyzer.status).toBe('stopping');
  });

  test('get ignores names of Object.prototype members', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service());

    expect(await registry.get('constructor')).toBeUndefined();
    expect(await registry.health('toString')).toBe('missing');
  });

  test('constructor creates no file or folder', async () => {
    const registry = new Registry({ vjHome: join(vjHome, 'not-yet') });

    await expect(stat(join(vjHome, 'not-yet'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await registry.list()).toEqual({});
  });
});

describe('heartbeat', () => {
  test('ordinary heartbeat changes only heartbeat_at', async () => {
    const registry = makeRegistry();
    const registered = await registry.register('audio_analyzer', service({ metadata: { device: 'mic' } }));
    nowMs += 5000;

    const result = await registry.heartbeat(
      'audio_analyzer',
      service({ ports: { command: 7001, telemetry: 7002 } }),
    );

    expect(result).toEqual({ restored: false });
    expect(await registry.get('audio_analyzer')).toEqual({
      ...registered,
      heartbeat_at: (T0_MS + 5000) / 1000,
    });
  });

  test('heartbeat with metadata replaces the metadata', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service({ metadata: { beats: 0 } }));

    await registry.heartbeat('audio_analyzer', service({ metadata: { beats: 1 } }));

    expect((await registry.get('audio_analyzer'))?.metadata).toEqual({ beats: 1 });
  });

  test('heartbeat restores a missing entry', async () => {
    const registry = makeRegistry();

    const result = await registry.heartbeat('audio_analyzer', service({ metadata: { device: 'mic' } }));

    expect(result).toEqual({ restored: true });
    expect(await registry.get('audio_analyzer')).toMatchObject({
      pid: process.pid,
      status: 'running',
      ports: PORTS,
      metadata: { device: 'mic' },
    });
  });

  test('heartbeat restores an entry marked crashed', async () => {
    const registry = makeRegistry();
    const registered = await registry.register('audio_analyzer', service({ metadata: { device: 'mic' } }));
    nowMs += 20_000;
    expect(await registry.cleanupStale()).toEqual(['audio_analyzer']);

    const result = await registry.heartbeat('audio_analyzer', service());

    expect(result).toEqual({ restored: true });
    // Same pid: started_at and the metadata of the entry are kept.
    expect(await registry.get('audio_analyzer')).toEqual({ ...registered, heartbeat_at: nowMs / 1000 });
  });

  test('heartbeat restores an entry of another pid', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service({ pid: 1, metadata: { old: true } }));
    nowMs += 1000;

    const result = await registry.heartbeat('audio_analyzer', service());

    expect(result).toEqual({ restored: true });
    const entry = await registry.get('audio_analyzer');
    expect(entry?.pid).toBe(process.pid);
    expect(entry?.metadata).toEqual({});
    expect(entry?.started_at).toBe(nowMs / 1000);
  });

  test('heartbeat with a new status rewrites the entry', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service({ status: 'starting' }));

    expect(await registry.heartbeat('audio_analyzer', service())).toEqual({ restored: false });
    expect((await registry.get('audio_analyzer'))?.status).toBe('running');

    expect(await registry.heartbeat('audio_analyzer', service({ status: 'stopping' }))).toEqual({
      restored: false,
    });
    expect((await registry.get('audio_analyzer'))?.status).toBe('stopping');
  });
});

describe('list and health', () => {
  test('list leaves out unhealthy entries', async () => {
    const registry = makeRegistry();
    await registry.register('stale_worker', service());
    nowMs += 16_000;
    await registry.register('fresh_worker', service());
    await registry.register('crashed_worker', service({ status: 'crashed' }));
    await registry.register('stopped_worker', service({ status: 'stopped' }));
    await registry.register('starting_worker', service({ status: 'starting' }));

    expect(Object.keys(await registry.list()).sort()).toEqual(['fresh_worker', 'starting_worker']);
    expect(Object.keys(await registry.list({ includeStale: true })).sort()).toEqual([
      'crashed_worker',
      'fresh_worker',
      'stale_worker',
      'starting_worker',
      'stopped_worker',
    ]);
  });

  test('health reports each state', async () => {
    const registry = makeRegistry({ staleAfterMs: 1000 });
    await registry.register('stale_worker', service());
    nowMs += 1001;
    await registry.register('healthy_worker', service());
    await registry.register('crashed_worker', service({ status: 'crashed' }));
    await registry.register('stopped_worker', service({ status: 'stopped' }));

    expect(await registry.health('healthy_worker')).toBe('healthy');
    expect(await registry.health('stale_worker')).toBe('stale');
    expect(await registry.health('crashed_worker')).toBe('crashed');
    expect(await registry.health('stopped_worker')).toBe('stopped');
    expect(await registry.health('missing_worker')).toBe('missing');
  });

  test('health counts staleAfterMs exactly as healthy', async () => {
    const registry = makeRegistry({ staleAfterMs: 1000 });
    await registry.register('audio_analyzer', service());
    nowMs += 1000;

    expect(await registry.health('audio_analyzer')).toBe('healthy');
  });
});

describe('cleanupStale', () => {
  test('cleanupStale marks a stale entry crashed', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service());
    nowMs += 15_001;

    expect(await registry.cleanupStale()).toEqual(['audio_analyzer']);

    expect((await registry.get('audio_analyzer'))?.status).toBe('crashed');
    expect(await registry.cleanupStale()).toEqual([]);
  });

  test('cleanupStale marks an entry with a dead pid crashed', async () => {
    const registry = makeRegistry();
    const deadPid = await pidOfExitedProcess();
    await registry.register('audio_analyzer', service({ pid: deadPid }));

    expect(await registry.cleanupStale()).toEqual(['audio_analyzer']);

    expect(await registry.health('audio_analyzer')).toBe('crashed');
  });

  test('cleanupStale leaves a live, fresh entry alone', async () => {
    const registry = makeRegistry();
    await registry.register('audio_analyzer', service());
    const before = await readFile(registry.path, 'utf8');
    nowMs += 14_000;

    expect(await registry.cleanupStale()).toEqual([]);

    expect(await registry.health('audio_analyzer')).toBe('healthy');
    expect(await readFile(registry.path, 'utf8')).toBe(before);
  });

  test('cleanupStale leaves stopped entries alone', async () => {
    const registry = makeRegistry();
    const deadPid = await pidOfExitedProcess();
    await registry.register('audio_analyzer', service({ pid: deadPid, status: 'stopped' }));
    nowMs += 60_000;

    expect(await registry.cleanupStale()).toEqual([]);

    expect(await registry.health('audio_analyzer')).toBe('stopped');
  });
});

describe('input validation', () => {
  test.each([
    ['an empty name', ''],
    ['a name of 65 characters', 'a'.repeat(65)],
    ['a name with a space', 'audio analyzer'],
    ['a name with a slash', 'audio/analyzer'],
    ['a name with a non-ASCII letter', 'audio_analyzär'],
    ['the name __proto__', '__proto__'],
  ])('register rejects %s', async (_case, name) => {
    const registry = makeRegistry();

    const error = await expectVjError(registry.register(name, service()), 'VJ_REGISTRY_INVALID_ENTRY');

    expect(error.message).toContain(JSON.stringify(name));
  });

  test('register accepts a name of 64 allowed characters', async () => {
    const registry = makeRegistry();
    const name = `A-z_0.9${'x'.repeat(57)}`;

    await registry.register(name, service());

    expect((await registry.get(name))?.pid).toBe(process.pid);
  });

  test.each([
    ['a command port of 0', { command: 0, telemetry: 5002 }, '0'],
    ['a telemetry port of 65536', { command: 5001, telemetry: 65536 }, '65536'],
    ['a fractional port', { command: 5001.5, telemetry: 5002 }, '5001.5'],
    ['a port given as a string', { command: '5001', telemetry: 5002 }, '"5001"'],
    ['a missing telemetry port', { command: 5001 }, 'undefined'],
    ['equal command and telemetry ports', { command: 5001, telemetry: 5001 }, '5001'],
  ])('register rejects %s', async (_case, ports, shownValue) => {
    const registry = makeRegistry();

    const registration = service({ ports: ports as unknown as ServiceRegistration['ports'] });
    const error = await expectVjError(
      registry.register('audio_analyzer', registration),
      'VJ_REGISTRY_INVALID_ENTRY',
    );

    expect(error.message).toContain(`received ${shownValue}`);
  });

  test.each([
    ['a pid of 0', { pid: 0 }],
    ['a fractional pid', { pid: 1.5 }],
    ['an unknown status', { status: 'paused' }],
    ['an empty host', { host: '' }],
    ['metadata that is an array', { metadata: [] }],
    ['metadata that is null', { metadata: null }],
    ['metadata with a BigInt value', { metadata: { frames: 1n } }],
  ])('heartbeat rejects %s', async (_case, overrides) => {
    const registry = makeRegistry();

    const registration = service(overrides as unknown as Partial<ServiceRegistration>);
    await expectVjError(registry.heartbeat('audio_analyzer', registration), 'VJ_REGISTRY_INVALID_ENTRY');

    expect(await registry.list({ includeStale: true })).toEqual({});
  });

  test.each([
    ['an empty vjHome', { vjHome: '' }],
    ['a negative staleAfterMs', { staleAfterMs: -1 }],
    ['a lockTimeoutMs that is not a number', { lockTimeoutMs: Number.NaN }],
    ['a clock that is not a function', { now: 5 }],
  ])('Registry rejects %s', (_case, options) => {
    let thrown: unknown;
    try {
      new Registry(options as unknown as RegistryOptions);
    } catch (error) {
      thrown = error;
    }

    expect(isVjError(thrown, 'VJ_REGISTRY_INVALID_OPTIONS')).toBe(true);
  });
});

describe('defaultHome', () => {
  const savedVjHome = process.env.VJ_HOME;

  afterEach(() => {
    if (savedVjHome === undefined) delete process.env.VJ_HOME;
    else process.env.VJ_HOME = savedVjHome;
  });

  test('defaultHome uses VJ_HOME', () => {
    process.env.VJ_HOME = vjHome;

    expect(Registry.defaultHome()).toBe(vjHome);
    expect(new Registry().path).toBe(join(vjHome, 'registry.json'));
  });

  test('defaultHome falls back to ~/.vj', () => {
    delete process.env.VJ_HOME;
    expect(Registry.defaultHome()).toBe(join(homedir(), '.vj'));

    process.env.VJ_HOME = '';
    expect(Registry.defaultHome()).toBe(join(homedir(), '.vj'));
  });
});

test('registry import adds no process listeners', () => {
  const script = [
    "const events = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP'];",
    'const count = () => events.map((name) => process.listenerCount(name)).join(",");',
    'const before = count();',
    "require('./src/registry');",
    'process.stdout.write(JSON.stringify({ before, after: count() }));',
  ].join('\n');

  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
  });

  expect(child.stderr).toBe('');
  const { before, after } = JSON.parse(child.stdout) as { before: string; after: string };
  expect(after).toBe(before);
});

describe('Registry.list with rejectCorrupt', () => {
  test('list throws VJ_REGISTRY_CORRUPT instead of returning empty', async () => {
    const home = await makeTempHome();
    const registry = new Registry({ vjHome: home });
    await registry.register('alpha', { pid: process.pid, ports: { command: 7001, telemetry: 7002 } });
    await writeFile(registry.path, '{"version":"1.0","serv');
    await expect(registry.list()).resolves.toEqual({});
    await expect(registry.list({ rejectCorrupt: true })).rejects.toMatchObject({
      code: 'VJ_REGISTRY_CORRUPT',
    });
    await removeTempHome(home);
  });
});
