/**
 * Reading, atomic writing and quarantine of the registry file. Nothing here
 * takes the lock, because registry.ts decides which calls need it.
 *
 * @internal
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VjError } from '../errors';
import { formatIssues, type SchemaIssue } from '../schemas/codec';
import { REGISTRY_VERSION, type RegistryFile, RegistryFileValidator } from './schema';

/** Permission bits of the registry folder: only the owner may list or change it. */
export const FOLDER_MODE = 0o700;

/** Permission bits of the registry file: only the owner may read or write it. */
export const FILE_MODE = 0o600;

/** Number of `registry.json.corrupt-<unix ms>` backups kept. Older ones are deleted. */
export const MAX_CORRUPT_BACKUPS = 3;

/**
 * Result of reading the registry file: its content, or the reason it is
 * corrupt. `fileId` identifies the corrupt version of the file (inode, size
 * and mtime), so that a reader can report each corrupt version once.
 */
export type RegistryRead = { ok: true; file: RegistryFile } | { ok: false; error: VjError; fileId: string };

const MAX_ISSUES = 5;

/** Returns an empty registry of the current format version. */
export function emptyRegistry(): RegistryFile {
  return { version: REGISTRY_VERSION, services: {} };
}

/**
 * Reads, parses and validates the registry file. A missing file reads as an
 * empty registry. Invalid JSON or a schema mismatch is returned as a
 * VJ_REGISTRY_CORRUPT error, not thrown.
 *
 * Throws VJ_REGISTRY_IO_FAILED when the file exists but cannot be read.
 */
export async function readRegistryFile(path: string): Promise<RegistryRead> {
  const content = await readText(path);
  if (content === undefined) return { ok: true, file: emptyRegistry() };

  let parsed: unknown;
  try {
    parsed = JSON.parse(content.text);
  } catch (cause) {
    const reason = (cause as Error).message;
    return corrupt(path, content.fileId, `is not valid JSON (${reason})`, { cause });
  }

  if (!RegistryFileValidator.Check(parsed)) {
    const issues = collectIssues(parsed);
    return corrupt(path, content.fileId, `does not match the registry schema: ${formatIssues(issues)}`, {
      issues,
    });
  }
  return { ok: true, file: parsed };
}

/**
 * Replaces the registry file atomically. The content goes to a temporary
 * file in the same folder with mode 0600, is flushed with fsync, and is then
 * renamed over `path`, so a reader sees either the old or the new file and
 * never a partial one. The folder must exist (see ensureRegistryFolder).
 *
 * Throws VJ_REGISTRY_IO_FAILED with `path` when any step fails, after
 * removing the temporary file.
 */
export async function writeRegistryFile(path: string, file: RegistryFile): Promise<void> {
  const tempPath = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const text = `${JSON.stringify(file, null, 2)}\n`;

  const handle = await open(tempPath, 'wx', FILE_MODE).catch((cause: unknown) => {
    throw ioFailed(`could not be written (creating ${tempPath} failed)`, path, cause);
  });
  try {
    // chmod as well because the umask may have cleared bits of FILE_MODE.
    await handle.chmod(FILE_MODE);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    await rename(tempPath, path);
  } catch (cause) {
    await discardTempFile(handle, tempPath);
    throw ioFailed('could not be written', path, cause);
  }
}

/**
 * Creates the registry folder with mode 0700, or sets an existing folder to
 * 0700 when it allows access to group or others.
 *
 * Throws VJ_REGISTRY_IO_FAILED with `path` when the folder cannot be created
 * or its mode cannot be changed.
 */
export async function ensureRegistryFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true, mode: FOLDER_MODE });
    const { mode } = await stat(folder);
    if ((mode & 0o777) !== FOLDER_MODE) await chmod(folder, FOLDER_MODE);
  } catch (cause) {
    throw new VjError(
      'VJ_REGISTRY_IO_FAILED',
      `Registry folder ${folder} could not be created or set to mode 0700 (${errorCode(cause) ?? String(cause)}); check its owner and permissions, or set VJ_HOME to a folder you own`,
      { cause, path: folder, shortMessage: 'registry folder not usable' },
    );
  }
}

/**
 * Renames a corrupt registry file to `<path>.corrupt-<unix ms>` and deletes
 * all but the newest MAX_CORRUPT_BACKUPS backups. Returns the backup path, or
 * null when the file was already gone. Call it only while holding the lock.
 *
 * Throws VJ_REGISTRY_IO_FAILED when the rename or a deletion fails.
 */
export async function moveCorruptFile(path: string, nowMs: number): Promise<string | null> {
  const backupPath = await unusedBackupPath(path, Math.floor(nowMs));
  try {
    await rename(path, backupPath);
  } catch (cause) {
    if (errorCode(cause) === 'ENOENT') return null;
    throw ioFailed(`could not be moved to ${backupPath}`, path, cause);
  }

  await pruneCorruptBackups(path);
  return backupPath;
}

async function readText(path: string): Promise<{ text: string; fileId: string } | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      const text = await handle.readFile('utf8');
      return { text, fileId: `${info.ino}:${info.size}:${info.mtimeMs}` };
    } finally {
      await handle.close();
    }
  } catch (cause) {
    if (errorCode(cause) === 'ENOENT') return undefined;
    throw ioFailed('could not be read', path, cause);
  }
}

function corrupt(
  path: string,
  fileId: string,
  problem: string,
  fields: Record<string, unknown>,
): RegistryRead {
  const error = new VjError(
    'VJ_REGISTRY_CORRUPT',
    `Registry file ${path} ${problem}; the next registry write moves it aside and workers re-register on their next heartbeat`,
    { ...fields, path, shortMessage: 'registry file corrupt' },
  );
  return { ok: false, error, fileId };
}

function collectIssues(value: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const error of RegistryFileValidator.Errors(value)) {
    issues.push({ path: error.path || '/', message: error.message.toLowerCase(), received: error.value });
    if (issues.length === MAX_ISSUES) break;
  }
  return issues;
}

async function discardTempFile(handle: { close(): Promise<void> }, tempPath: string): Promise<void> {
  // Cleanup after a failed write: the first error is the one worth reporting,
  // so a second failure here (already closed, already removed) is ignored.
  await handle.close().catch(() => undefined);
  await rm(tempPath, { force: true }).catch(() => undefined);
}

async function unusedBackupPath(path: string, nowMs: number): Promise<string> {
  // Two corruptions within one millisecond (or a frozen test clock) must not
  // overwrite the earlier backup, so move to the next free millisecond.
  for (let ms = nowMs; ; ms += 1) {
    const candidate = `${path}.corrupt-${ms}`;
    try {
      await stat(candidate);
    } catch (cause) {
      if (errorCode(cause) === 'ENOENT') return candidate;
      throw ioFailed(`could not be moved aside (checking ${candidate} failed)`, path, cause);
    }
  }
}

async function pruneCorruptBackups(path: string): Promise<void> {
  const folder = dirname(path);
  const prefix = `${basename(path)}.corrupt-`;
  const names = await readdir(folder).catch((cause: unknown) => {
    throw ioFailed('backups could not be listed', path, cause);
  });

  const backups = names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));

  for (const name of backups.slice(MAX_CORRUPT_BACKUPS)) {
    try {
      await rm(join(folder, name), { force: true });
    } catch (cause) {
      throw ioFailed(`backup ${name} could not be deleted`, path, cause);
    }
  }
}

function ioFailed(problem: string, path: string, cause: unknown): VjError {
  return new VjError(
    'VJ_REGISTRY_IO_FAILED',
    `Registry file ${path} ${problem} (${errorCode(cause) ?? String(cause)}); check free disk space and the permissions of its folder`,
    { cause, path, shortMessage: 'registry file I/O failed' },
  );
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
