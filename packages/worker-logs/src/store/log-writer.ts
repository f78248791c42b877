/**
 * Appends records to `aggregated.log` as JSON lines and rotates the file by
 * size. Lines wait in a bounded queue while the stream applies backpressure
 * or a rotation runs, so rotation loses no line. Only a full queue drops
 * lines, and they are counted as unpersisted.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { type AggregatedLogRecord, isVjError, VjError } from '@vj/bus';
import { logFilePath, shiftLogFiles } from './log-files';

/** Options of a LogWriter. */
export interface LogWriterOptions {
  /** Folder of the log files, created when missing. */
  dir: string;
  /** Size at which the current file is rotated, in bytes. */
  maxFileBytes: number;
  /** Files kept, the current one included; at least 2. */
  maxFiles: number;
  /** Lines that may wait for the disk before new ones are dropped (default 20,000). */
  maxPendingLines?: number;
  /** Receives write and rotation failures; the writer carries on. */
  onError: (error: VjError) => void;
}

/** Counters of a writer since it opened. */
export interface WriterStats {
  /** Lines handed to the file stream. */
  written: number;
  /** Lines dropped because the pending queue was full. */
  unpersisted: number;
  /** Completed rotations. */
  rotations: number;
}

const DEFAULT_MAX_PENDING_LINES = 20_000;
const REOPEN_DELAY_MS = 1000;
/**
 * Bytes the file stream buffers before write() returns false and the writer waits for 'drain'.
 * With Node's default of 16 KiB the writer moved about 50 lines per event-loop turn. Under a flood
 * (bench/main.ts, 10,000 stored records/s with the loop busy ingesting 80,000/s) the pending queue
 * then overflowed. 1 MiB lets one turn take a whole 100 ms drain of records.
 */
const STREAM_HIGH_WATER_MARK = 1024 * 1024;

/**
 * @example
 * const writer = await LogWriter.open({ dir, maxFileBytes: 10 * 1024 * 1024, maxFiles: 5, onError });
 * writer.append(record);
 * await writer.close();
 */
export class LogWriter {
  readonly stats: WriterStats = { written: 0, unpersisted: 0, rotations: 0 };
  maxFileBytes: number;
  maxFiles: number;
  private readonly options: LogWriterOptions;
  private readonly maxPendingLines: number;
  private stream: WriteStream | undefined;
  private bytes = 0;
  private pending: string[] = [];
  private pendingHead = 0;
  // True while the stream is full, a rotation runs, or the file is being reopened.
  private blocked = false;
  private rotation: Promise<void> | undefined;
  // close() has begun: appends are ignored while it writes what is pending.
  private closing = false;
  private closed = false;

  private constructor(options: LogWriterOptions) {
    this.options = options;
    this.maxFileBytes = options.maxFileBytes;
    this.maxFiles = options.maxFiles;
    this.maxPendingLines = options.maxPendingLines ?? DEFAULT_MAX_PENDING_LINES;
  }

  /**
   * Opens the current file for appending, creating the folder when needed.
   *
   * @throws VjError VJ_LOGS_WRITE_FAILED when the folder or the file cannot be opened.
   */
  static async open(options: LogWriterOptions): Promise<LogWriter> {
    const writer = new LogWriter(options);
    await writer.openCurrent();
    return writer;
  }

  /** Lines waiting to be written. */
  get pendingLines(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Appends one record as a JSON line. */
  append(record: AggregatedLogRecord): void {
    if (this.closing) return;
    if (this.pendingLines >= this.maxPendingLines) {
      this.stats.unpersisted++;
      return;
    }
    this.pending.push(`${JSON.stringify(record)}\n`);
    this.pump();
  }

  /**
   * Writes what is pending, rotating as needed, and closes the file. Lines
   * that still wait because the file could not be reopened count as unpersisted.
   */
  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    for (;;) {
      if (this.rotation !== undefined) {
        await this.rotation;
        continue;
      }
      const stream = this.stream;
      if (this.pendingLines === 0 || stream === undefined) break;
      if (this.blocked) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
      else this.pump();
    }
    this.closed = true;
    this.stats.unpersisted += this.pendingLines;
    this.pending = [];
    this.pendingHead = 0;

    const stream = this.stream;
    this.stream = undefined;
    if (stream === undefined) return;
    stream.end();
    await finished(stream).catch(() => undefined);
  }

  private pump(): void {
    while (!this.blocked && this.stream !== undefined && this.pendingHead < this.pending.length) {
      const line = this.pending[this.pendingHead] as string;
      const length = Buffer.byteLength(line);
      if (this.bytes > 0 && this.bytes + length > this.maxFileBytes) {
        const rotation: Promise<void> = this.rotate().finally(() => {
          if (this.rotation === rotation) this.rotation = undefined;
        });
        this.rotation = rotation;
        return;
      }
      this.pendingHead++;
      this.bytes += length;
      this.stats.written++;
      if (!this.stream.write(line)) {
        this.blocked = true;
        this.stream.once('drain', () => this.unblock());
      }
    }
    if (this.pendingHead === this.pending.length) {
      this.pending = [];
      this.pendingHead = 0;
    } else if (this.pendingHead > 1024) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
  }

  private unblock(): void {
    this.blocked = false;
    this.pump();
  }

  private async rotate(): Promise<void> {
    this.blocked = true;
    const stream = this.stream;
    this.stream = undefined;
    if (stream !== undefined) {
      stream.end();
      await finished(stream).catch(() => undefined);
    }
    try {
      await shiftLogFiles(this.options.dir, this.maxFiles);
      this.stats.rotations++;
    } catch (error) {
      this.options.onError(isVjError(error) ? error : writeFailed(this.options.dir, error));
    }
    await this.reopen();
  }

  private async reopen(): Promise<void> {
    if (this.closed) return;
    try {
      await this.openCurrent();
    } catch (error) {
      this.options.onError(error as VjError);
      setTimeout(() => void this.reopen(), REOPEN_DELAY_MS).unref();
      return;
    }
    this.unblock();
  }

  private async openCurrent(): Promise<void> {
    const file = logFilePath(this.options.dir, 0);
    try {
      await mkdir(this.options.dir, { recursive: true });
      const size = (await stat(file).catch(() => ({ size: 0 }))).size;
      this.bytes = size;
      // A crash can cut the last line short; start on a fresh line so the next record stays readable.
      if (size > 0 && !(await endsWithNewline(file, size))) this.pending.splice(this.pendingHead, 0, '\n');
    } catch (cause) {
      throw writeFailed(file, cause);
    }
    const stream = createWriteStream(file, { flags: 'a', highWaterMark: STREAM_HIGH_WATER_MARK });
    stream.on('error', (cause) => this.onStreamError(stream, cause));
    this.stream = stream;
  }

  private onStreamError(stream: WriteStream, cause: Error): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.blocked = true;
    this.options.onError(writeFailed(logFilePath(this.options.dir, 0), cause));
    setTimeout(() => void this.reopen(), REOPEN_DELAY_MS).unref();
  }
}

async function endsWithNewline(file: string, size: number): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

function writeFailed(file: string, cause: unknown): VjError {
  return new VjError(
    'VJ_LOGS_WRITE_FAILED',
    `Writing log file ${file} failed (${(cause as Error).message}); records stay in memory, check free space and permissions`,
    { cause, path: file, shortMessage: 'log file write failed' },
  );
}
