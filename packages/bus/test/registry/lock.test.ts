import { mkdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { isVjError } from '../../src/errors';
import { Registry } from '../../src/registry';
import { LOCK_STALE_MS, lockPathFor, withRegistryLock } from '../../src/registry/lock';
import { makeTempHome, removeTempHome } from './helpers';

const SERVICE = { pid: process.pid, ports: { command: 5001, telemetry: 5002 } };

let vjHome: string;
let registryPath: string;

beforeEach(async () => {
  vjHome = await makeTempHome();
  registryPath = join(vjHome, 'registry.json');
});

afterEach(async () => {
  await removeTempHome(vjHome);
});

test('register times out while the lock is held', async () => {
  const release = await lock(registryPath, { lockfilePath: lockPathFor(registryPath), realpath: false });
  const registry = new Registry({ vjHome, lockTimeoutMs: 300 });
  const startedMs = Date.now();

  let thrown: unknown;
  try {
    await registry.register('audio_analyzer', SERVICE);
  } catch (error) {
    thrown = error;
  } finally {
    await release();
  }

  const elapsedMs = Date.now() - startedMs;
  expect(isVjError(thrown, 'VJ_REGISTRY_LOCK_TIMEOUT')).toBe(true);
  expect((thrown as Error).message).toContain(`${registryPath}.lock`);
  expect((thrown as Error).message).toContain('300 ms');
  expect(elapsedMs).toBeGreaterThanOrEqual(300);
  expect(elapsedMs).toBeLessThan(1300);
  expect(await registry.get('audio_analyzer')).toBeUndefined();
});

test('register succeeds once the holder releases the lock', async () => {
  const release = await lock(registryPath, { lockfilePath: lockPathFor(registryPath), realpath: false });
  const registry = new Registry({ vjHome, lockTimeoutMs: 5000 });

  const registering = registry.register('audio_analyzer', SERVICE);
  await sleep(100);
  await release();

  await expect(registering).resolves.toMatchObject({ pid: process.pid });
});

test('withRegistryLock takes over an abandoned lock', async () => {
  const lockPath = lockPathFor(registryPath);
  await mkdir(lockPath);
  const abandonedAt = new Date(Date.now() - LOCK_STALE_MS - 5000);
  await utimes(lockPath, abandonedAt, abandonedAt);

  const result = await withRegistryLock(registryPath, 1000, async () => 'ran');

  expect(result).toBe('ran');
  await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('withRegistryLock releases the lock when the task throws', async () => {
  const failure = new Error('task failed');

  await expect(
    withRegistryLock(registryPath, 1000, async () => {
      throw failure;
    }),
  ).rejects.toBe(failure);

  await expect(stat(lockPathFor(registryPath))).rejects.toMatchObject({ code: 'ENOENT' });
});

test('withRegistryLock serializes tasks in one process', async () => {
  let running = 0;
  let maxRunning = 0;
  let counter = 0;

  const increment = () =>
    withRegistryLock(registryPath, 5000, async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      const read = counter;
      await sleep(1);
      counter = read + 1;
      running -= 1;
    });
  await Promise.all(Array.from({ length: 20 }, increment));

  expect(maxRunning).toBe(1);
  expect(counter).toBe(20);
});

test('withRegistryLock fails without the folder', async () => {
  const missingPath = join(vjHome, 'missing', 'registry.json');

  await expect(withRegistryLock(missingPath, 1000, async () => undefined)).rejects.toMatchObject({
    code: 'VJ_REGISTRY_IO_FAILED',
    fields: { path: `${missingPath}.lock` },
  });
});

test('withRegistryLock reports a lost lock', async () => {
  const outcome = withRegistryLock(registryPath, 1000, async (handle) => {
    await rm(lockPathFor(registryPath), { recursive: true });
    // proper-lockfile notices the loss when it next refreshes the mtime,
    // which it does every LOCK_STALE_MS / 2.
    await sleep(LOCK_STALE_MS / 2 + 500);
    handle.assertHeld();
  });

  await expect(outcome).rejects.toMatchObject({ code: 'VJ_REGISTRY_LOCK_LOST' });
}, 15_000);
