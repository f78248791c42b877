/**
 * Cross-process lock around each read-modify-write of the registry file.
 *
 * The lock is the folder `registry.json.lock` beside the registry, managed by
 * proper-lockfile 4.1. mkdir creates the folder atomically, and the holder
 * touches its mtime every 5 s. A lock whose mtime is older than 10 s counts
 * as left behind by a crashed holder and is taken over. Another client, such
 * as a Python worker, must follow the same mkdir protocol to take part.
 *
 * @internal
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { VjError } from '../errors';

// NOTE: proper-lockfile 4.1 removes a stale lock and then creates its own
// without re-checking, so two waiters that both saw the same stale lock can
// both enter. This happens only after a holder died while holding the lock,
// and may lose one update then. A fix needs an owner token in the lock folder.
/** Age in ms after which a lock that is no longer refreshed counts as abandoned. */
export const LOCK_STALE_MS = 10_000;

// A registry update holds the lock only for one read, write, fsync and
// rename, so waiters retry quickly. The random part of each delay keeps
// waiting processes from retrying in step.
const MIN_RETRY_DELAY_MS = 2;
const MAX_RETRY_DELAY_MS = 50;

/** Handle that a locked task uses to check that it still owns the lock. */
export interface LockHandle {
  /**
   * Throws VJ_REGISTRY_LOCK_LOST when proper-lockfile has reported the lock
   * as compromised, which happens when its mtime could not be refreshed for
   * 10 s or another process took it over. Call it right before writing.
   */
  assertHeld(): void;
}

/** Returns the path of the lock folder that guards `registryPath`. */
export function lockPathFor(registryPath: string): string {
  return `${registryPath}.lock`;
}

/**
 * Runs `task` while holding the lock of `registryPath`, then releases the
 * lock, also when `task` throws. The folder of `registryPath` must exist.
 *
 * Throws VJ_REGISTRY_LOCK_TIMEOUT when the lock is not acquired within
 * `timeoutMs`, and VJ_REGISTRY_IO_FAILED when the lock folder cannot be
 * created or removed.
 *
 * @example
 * await withRegistryLock('/home/me/.vj/registry.json', 5000, async (lock) => {
 *   lock.assertHeld();
 *   await writeRegistryFile(path, file);
 * });
 */
export async function withRegistryLock<T>(
  registryPath: string,
  timeoutMs: number,
  task: (lock: LockHandle) => Promise<T>,
): Promise<T> {
  const lockPath = lockPathFor(registryPath);
  let compromise: Error | undefined;
  const release = await acquire(registryPath, lockPath, timeoutMs, (error) => {
    compromise = error;
  });

  const handle: LockHandle = {
    assertHeld() {
      if (compromise === undefined) return;
      throw new VjError(
        'VJ_REGISTRY_LOCK_LOST',
        `Registry lock ${lockPath} was lost before the write (${compromise.message}), so the registry was not changed; retry the operation`,
        { cause: compromise, path: lockPath, shortMessage: 'registry lock lost' },
      );
    },
  };

  try {
    return await task(handle);
  } finally {
    await releaseLock(release, lockPath);
  }
}

type Release = () => Promise<void>;

async function acquire(
  registryPath: string,
  lockPath: string,
  timeoutMs: number,
  onCompromised: (error: Error) => void,
): Promise<Release> {
  // Loaded on first use because proper-lockfile installs exit and signal
  // hooks (signal-exit) when it is loaded, and importing @vj/bus must not.
  // require, not import(): a bundled worker resolves its external modules
  // through module.paths, which import() does not consult.
  const { lock } = require('proper-lockfile') as typeof import('proper-lockfile');
  const deadline = Date.now() + timeoutMs;
  let maxDelayMs = MIN_RETRY_DELAY_MS;

  for (;;) {
    try {
      return await lock(registryPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: 0,
        onCompromised,
      });
    } catch (error) {
      if (errorCode(error) !== 'ELOCKED') throw ioFailed('create', lockPath, error);
    }

    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) throw lockTimeout(lockPath, timeoutMs);
    await sleep(Math.min(remainingMs, 1 + Math.random() * maxDelayMs));
    maxDelayMs = Math.min(maxDelayMs * 2, MAX_RETRY_DELAY_MS);
  }
}

async function releaseLock(release: Release, lockPath: string): Promise<void> {
  try {
    await release();
  } catch (error) {
    // ERELEASED: the lock was compromised and proper-lockfile already dropped it.
    if (errorCode(error) === 'ERELEASED') return;
    throw ioFailed('remove', lockPath, error);
  }
}

function lockTimeout(lockPath: string, timeoutMs: number): VjError {
  return new VjError(
    'VJ_REGISTRY_LOCK_TIMEOUT',
    `Registry lock ${lockPath} was not acquired within ${timeoutMs} ms because another process holds it; ` +
      `retry, raise lockTimeoutMs, or wait ${LOCK_STALE_MS / 1000} s if the holder crashed, after which the lock is taken over`,
    { path: lockPath, timeoutMs, shortMessage: `registry lock timed out after ${timeoutMs} ms` },
  );
}

function ioFailed(action: 'create' | 'remove', lockPath: string, cause: unknown): VjError {
  return new VjError(
    'VJ_REGISTRY_IO_FAILED',
    `Registry lock ${lockPath} could not be ${action === 'create' ? 'created' : 'removed'} (${errorCode(cause) ?? String(cause)}); check that the folder exists and is writable`,
    { cause, path: lockPath, shortMessage: `registry lock ${action} failed` },
  );
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
