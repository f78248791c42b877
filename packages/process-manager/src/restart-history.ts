/**
 * The restart times of each supervised worker, saved in a file beside the
 * registry so that a restarted process manager keeps counting restarts within
 * the restart policy's window instead of starting from zero.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';

/** Restart times in Unix ms per worker name, oldest first. */
export type RestartHistory = Record<string, number[]>;

/**
 * Reads the history saved in `file`. A missing file is an empty history. An
 * unreadable or invalid file is logged as a warning and read as empty, because
 * losing the count is better than a process manager that does not start.
 */
export async function loadRestartHistory(file: string, log: Logger): Promise<RestartHistory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.warn({ err: error, file }, 'restart history unreadable; restart counts start from zero');
    }
    return {};
  }
  const history: RestartHistory = {};
  try {
    const parsed = JSON.parse(text) as { restarts?: unknown };
    const restarts = parsed.restarts;
    if (typeof restarts !== 'object' || restarts === null || Array.isArray(restarts)) {
      throw new Error('"restarts" is not an object of worker names');
    }
    for (const [name, times] of Object.entries(restarts)) {
      if (Array.isArray(times)) history[name] = times.filter((time): time is number => Number.isFinite(time));
    }
  } catch (error) {
    log.warn({ err: error, file }, 'restart history invalid; restart counts start from zero');
    return {};
  }
  return history;
}

/** Writes `history` to `file` through a temporary file and a rename, so a crash mid-write leaves the old file whole. */
export async function saveRestartHistory(file: string, history: RestartHistory): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ restarts: history })}\n`);
  await rename(temporary, file);
}
