/**
 * The persisted log files under `<dir>`: `aggregated.log` is written, and
 * rotation shifts it to `aggregated.1.log`, that one to `aggregated.2.log` and
 * so on. Each line is one AggregatedLogRecord as JSON.
 */
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type AggregatedLogRecord, AggregatedLogRecordValidator, VjError } from '@vj/bus';

/** Name of the file being written. */
export const CURRENT_FILE = 'aggregated.log';

const ROTATED_FILE = /^aggregated\.(\d+)\.log$/;

/** Result of loadRecords. */
export interface LoadedRecords {
  /** The newest records, at most the requested number, oldest first. */
  records: AggregatedLogRecord[];
  /** Highest sequence number of each worker in all files. */
  lastSeq: Map<string, number>;
  /** Lines that were not valid records, per file name. */
  corruptLines: Map<string, number>;
}

/** Path of the file with rotation index `index`: 0 is the current file. */
export function logFilePath(dir: string, index: number): string {
  return path.join(dir, index === 0 ? CURRENT_FILE : `aggregated.${index}.log`);
}

/** Lists the rotation indexes of the log files in `dir`, newest (0) first. */
export async function listLogFiles(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const indexes: number[] = [];
  for (const name of names) {
    if (name === CURRENT_FILE) indexes.push(0);
    const match = ROTATED_FILE.exec(name);
    if (match !== null) indexes.push(Number(match[1]));
  }
  return indexes.sort((a, b) => a - b);
}

/**
 * Shifts every file one index up and removes those that would reach
 * `maxFiles`, so that `maxFiles` files remain with the new current file.
 * The caller has closed the current file.
 *
 * @throws VjError VJ_LOGS_ROTATE_FAILED naming the file that could not be renamed or removed.
 */
export async function shiftLogFiles(dir: string, maxFiles: number): Promise<void> {
  const indexes = await listLogFiles(dir);
  for (let i = indexes.length - 1; i >= 0; i--) {
    const index = indexes[i] as number;
    const from = logFilePath(dir, index);
    try {
      if (index + 1 >= maxFiles) await rm(from, { force: true });
      else await rename(from, logFilePath(dir, index + 1));
    } catch (cause) {
      throw new VjError(
        'VJ_LOGS_ROTATE_FAILED',
        `Rotating log file ${from} failed (${(cause as Error).message}); check the permissions of ${dir}`,
        { cause, path: from, shortMessage: 'log rotation failed' },
      );
    }
  }
}

/**
 * Reads every log file, newest first, and returns the newest `limit` valid
 * records and each worker's highest sequence number. Invalid lines, such as
 * a last line cut short by a crash, are skipped and counted.
 * NOTE: each file is read whole, so start-up holds up to max_file_bytes of text at once and parses every
 * line of every file (50 MiB with the defaults) to find the sequence numbers.
 *
 * @throws VjError VJ_LOGS_READ_FAILED when a file exists but cannot be read.
 */
export async function loadRecords(dir: string, limit: number): Promise<LoadedRecords> {
  const newestFirst: AggregatedLogRecord[] = [];
  const lastSeq = new Map<string, number>();
  const corruptLines = new Map<string, number>();

  for (const index of await listLogFiles(dir)) {
    const file = logFilePath(dir, index);
    const lines = (await readLogFile(file, 'the aggregator starts without its records')).split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i] as string;
      if (line === '') continue;
      const record = parseLine(line);
      if (record === undefined) {
        const name = path.basename(file);
        corruptLines.set(name, (corruptLines.get(name) ?? 0) + 1);
        continue;
      }
      if (record.seq > (lastSeq.get(record.worker) ?? 0)) lastSeq.set(record.worker, record.seq);
      if (newestFirst.length < limit) newestFirst.push(record);
    }
  }
  return { records: newestFirst.reverse(), lastSeq, corruptLines };
}

/**
 * Returns the valid records of one log file in file order, oldest first;
 * invalid lines are skipped. A file that a rotation has just renamed away
 * reads as empty.
 *
 * @throws VjError VJ_LOGS_READ_FAILED when the file exists but cannot be read.
 */
export async function readLogRecords(file: string): Promise<AggregatedLogRecord[]> {
  const records: AggregatedLogRecord[] = [];
  for (const line of (await readLogFile(file, 'the query cannot search it')).split('\n')) {
    if (line === '') continue;
    const record = parseLine(line);
    if (record !== undefined) records.push(record);
  }
  return records;
}

/** Reads `file` whole; `consequence` ends the error message, saying what a failure means for the caller. */
async function readLogFile(file: string, consequence: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new VjError(
      'VJ_LOGS_READ_FAILED',
      `Reading log file ${file} failed (${(cause as Error).message}); ${consequence}`,
      {
        cause,
        path: file,
        shortMessage: 'log file unreadable',
      },
    );
  }
}

function parseLine(line: string): AggregatedLogRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return AggregatedLogRecordValidator.Check(value) ? value : undefined;
}
