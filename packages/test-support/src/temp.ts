import { realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Creates a new empty folder under `os.tmpdir()` whose name is `prefix`
 * followed by six random characters, readable only by the current user
 * (mode 0700, as mkdtemp(3) creates it). Returns its absolute path.
 *
 * Throws an Error when `prefix` contains a path separator.
 *
 * @example
 * const home = await makeTempDir('vj-registry-');
 * process.env.VJ_HOME = home;
 */
export async function makeTempDir(prefix: string): Promise<string> {
  if (prefix.includes('/') || prefix.includes(sep)) {
    throw new Error(`Temporary folder prefix must be a plain name, but received "${prefix}"`);
  }

  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * Removes a folder made by {@link makeTempDir} with everything in it. A folder
 * that is already gone is not an error.
 *
 * Throws an Error, and removes nothing, when `path` is not inside
 * `os.tmpdir()`, so that a wrong variable in a test cannot delete anything else.
 *
 * @example
 * afterEach(() => removeDir(home));
 */
export async function removeDir(path: string): Promise<void> {
  if (!isInsideTmpdir(path)) {
    throw new Error(`Folder to remove must be inside ${tmpdir()}, but received "${path}"`);
  }

  await rm(path, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
}

function isInsideTmpdir(path: string): boolean {
  const target = resolve(path);
  // os.tmpdir() may be a symbolic link (/tmp on macOS points to /private/tmp),
  // so accept a path under either spelling of it.
  const roots = new Set([resolve(tmpdir()), realpathSync(tmpdir())]);
  for (const root of roots) {
    const inner = relative(root, target);
    const escapes = inner === '..' || inner.startsWith(`..${sep}`) || isAbsolute(inner);
    if (inner !== '' && !escapes) return true;
  }
  return false;
}
