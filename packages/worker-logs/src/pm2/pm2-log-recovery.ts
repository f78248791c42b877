/**
 * Recovery of lines that reached pm2's log files but not the aggregator.
 * pm2's log bus only forwards what the daemon reads while a subscriber is
 * connected, so when pm2 starts every worker at once, their first lines
 * (such as `worker started`) go out before the aggregator has connected and
 * are lost. The daemon also appends every line to the app's out and err
 * files, so on each connection the aggregator reads the tail of those files
 * and stores the lines of a bounded time window that it has not stored yet.
 */
import { open } from 'node:fs/promises';
import type { AggregatedLogRecord } from '@vj/bus';
import { fromPinoLine, type PendingRecord, plainRecord } from '../intake/record';
import { splitDatePrefix } from './pm2-lines';

/** How far before a connection recovered lines may lie, in ms; older lines are left in the files. */
export const RECOVERY_WINDOW_MS = 60_000;
/** Bytes read from the end of each log file; a file that grew more than this within the window loses its older lines. */
export const RECOVERY_TAIL_BYTES = 256 * 1024;

const CONTINUATION = /^\s/;
/** Maximum line length kept, as in the live parser, so one endless line cannot take memory. */
const MAX_LINE_LENGTH = 64 * 1024;

/** Times that recovered records must lie between, both inclusive, in Unix ms. */
export interface RecoveryWindow {
  sinceMs: number;
  untilMs: number;
}

/**
 * Reads the last RECOVERY_TAIL_BYTES of `file` and returns its records whose
 * time lies in `window`, oldest first. A pino line takes its own time. A plain
 * line takes the time of pm2's date prefix (app option `time: true`, to the
 * second), and without a prefix it is skipped, because its time is unknown.
 * Indented lines join the plain line before them, as on the live route.
 *
 * @throws Error from the file system, such as ENOENT when pm2 has not created the file.
 */
export async function readLogTail(
  file: string,
  appName: string,
  stream: 'stdout' | 'stderr',
  window: RecoveryWindow,
  monoMs: number,
): Promise<PendingRecord[]> {
  const text = await readTail(file, RECOVERY_TAIL_BYTES);
  const records: PendingRecord[] = [];
  let plain: PendingRecord | undefined;
  // Process id of the latest pino line in the file, so plain lines after it can carry it.
  let pid: number | null = null;

  for (const raw of text.split('\n')) {
    const { timeMs, text: line } = splitDatePrefix(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (line.trim() === '') continue;
    if (plain !== undefined && CONTINUATION.test(line)) {
      plain.msg += `\n${line.slice(0, MAX_LINE_LENGTH)}`;
      continue;
    }
    plain = undefined;

    const structured = fromPinoLine(line.slice(0, MAX_LINE_LENGTH), appName, stream, monoMs);
    if (structured !== undefined) {
      if (structured.pid !== null) pid = structured.pid;
      records.push(structured);
      continue;
    }
    if (timeMs === undefined) continue;
    plain = plainRecord(line.slice(0, MAX_LINE_LENGTH), appName, stream, timeMs, pid, monoMs);
    records.push(plain);
  }
  return records.filter(
    (record) => record.time * 1000 >= window.sinceMs && record.time * 1000 <= window.untilMs,
  );
}

/**
 * Returns the records of `recovered` that have no copy among `stored`. A pino
 * line matches on worker, pid, time in ms, level and message, as the
 * duplicate filter matches, and a plain line on worker, stream, the second of
 * its time and message. Identical lines are counted, so three identical
 * lines in the file and two stored keep one.
 */
export function withoutStored(
  recovered: readonly PendingRecord[],
  stored: readonly AggregatedLogRecord[],
): PendingRecord[] {
  const storedKeys = new Map<string, number>();
  const add = (key: string): void => {
    storedKeys.set(key, (storedKeys.get(key) ?? 0) + 1);
  };
  // A stored record does not say whether it came from a pino line, so it offers both keys.
  for (const record of stored) {
    if (record.pid !== null) add(structuredKey(record));
    if (record.stream !== null) add(plainKey(record, record.stream));
  }

  const fresh: PendingRecord[] = [];
  for (const record of recovered) {
    const key = record.structured ? structuredKey(record) : plainKey(record, record.stream ?? 'stdout');
    const count = storedKeys.get(key) ?? 0;
    if (count > 0) storedKeys.set(key, count - 1);
    else fresh.push(record);
  }
  return fresh;
}

type KeyFields = Pick<AggregatedLogRecord, 'worker' | 'pid' | 'time' | 'level' | 'msg'>;

function structuredKey(record: KeyFields): string {
  return `s\u0000${record.worker}\u0000${record.pid}\u0000${Math.round(record.time * 1000)}\u0000${record.level}\u0000${record.msg}`;
}

function plainKey(record: KeyFields, stream: string): string {
  return `p\u0000${record.worker}\u0000${stream}\u0000${Math.floor(record.time)}\u0000${record.msg}`;
}

/** Reads the last `maxBytes` of `file`; when the read starts inside the file, the cut first line is left out. */
async function readTail(file: string, maxBytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8', 0, bytesRead);
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    await handle.close();
  }
}
