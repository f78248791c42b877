/**
 * Turns the chunks of pm2's log bus into records. A chunk may hold several
 * lines or end mid-line, and with the app option `time: true` (which vj's
 * ecosystem sets) pm2 puts `YYYY-MM-DDTHH:mm:ss: ` before every line.
 */
import { fromPinoLine, type PendingRecord, plainRecord } from '../intake/record';
import type { Pm2Output } from './pm2-log-bus';

/** Time after which the unfinished last line of a chunk is taken as complete, in ms. */
export const PARTIAL_LINE_FLUSH_MS = 200;

const DATE_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?: /;
const CONTINUATION = /^\s/;
/** Maximum line length kept, in UTF-16 code units; longer lines are cut, so one endless line cannot take memory. */
const MAX_LINE_LENGTH = 64 * 1024;

interface Partial {
  text: string;
  output: Pm2Output;
  sinceMs: number;
}

/**
 * Assembles lines per pm2 process and stream and converts each one: pino
 * JSON becomes a structured record, anything else a plain one. Indented lines
 * that follow a plain line in the same chunk (the frames of a stack trace)
 * join that line's record.
 *
 * @example
 * const lines = new Pm2LineParser((record) => intake.push(record), performance.now.bind(performance));
 * pm2.on('output', (output) => lines.push(output));
 */
export class Pm2LineParser {
  private readonly partials = new Map<string, Partial>();
  // Process id of each pm2 process, learnt from its pino lines, so plain lines can carry it.
  private readonly pids = new Map<number, number>();
  private readonly onRecord: (record: PendingRecord) => void;
  private readonly monoNow: () => number;

  constructor(onRecord: (record: PendingRecord) => void, monoNow: () => number) {
    this.onRecord = onRecord;
    this.monoNow = monoNow;
  }

  /** Converts the complete lines of `output` and keeps an unfinished last line for the next chunk. */
  push(output: Pm2Output): void {
    const key = `${output.pmId}:${output.stream}`;
    const partial = this.partials.get(key);
    const text = partial === undefined ? output.data : partial.text + output.data;
    this.partials.delete(key);

    const lines = text.split('\n');
    const last = lines.pop() as string;
    if (last !== '') {
      this.partials.set(key, { text: last.slice(0, MAX_LINE_LENGTH), output, sinceMs: Date.now() });
    }
    this.convert(lines, output);
  }

  /** Converts unfinished lines older than PARTIAL_LINE_FLUSH_MS, or all of them with `all`. */
  flush(all = false): void {
    const nowMs = Date.now();
    for (const [key, partial] of this.partials) {
      if (!all && nowMs - partial.sinceMs < PARTIAL_LINE_FLUSH_MS) continue;
      this.partials.delete(key);
      this.convert([partial.text], partial.output);
    }
  }

  /** Forgets the process id of a pm2 process, once pm2 reports that it exited or started again. */
  forgetPid(pmId: number): void {
    this.pids.delete(pmId);
  }

  private convert(lines: string[], output: Pm2Output): void {
    let plain: PendingRecord | undefined;
    for (const raw of lines) {
      const line = stripDatePrefix(raw.endsWith('\r') ? raw.slice(0, -1) : raw).slice(0, MAX_LINE_LENGTH);
      if (line.trim() === '') continue;

      if (plain !== undefined && CONTINUATION.test(line)) {
        plain.msg += `\n${line}`;
        continue;
      }
      if (plain !== undefined) this.onRecord(plain);
      plain = undefined;

      const monoMs = this.monoNow();
      const structured = fromPinoLine(line, output.appName, output.stream, monoMs);
      if (structured !== undefined) {
        if (structured.pid !== null) this.pids.set(output.pmId, structured.pid);
        this.onRecord(structured);
        continue;
      }
      const pid = this.pids.get(output.pmId) ?? null;
      plain = plainRecord(line, output.appName, output.stream, output.atMs, pid, monoMs);
    }
    if (plain !== undefined) this.onRecord(plain);
  }
}

/** Removes the `YYYY-MM-DDTHH:mm:ss: ` prefix that pm2 adds with `time: true`. */
export function stripDatePrefix(line: string): string {
  const match = DATE_PREFIX.exec(line);
  return match === null ? line : line.slice(match[0].length);
}

/**
 * Splits pm2's date prefix from `line` and returns the prefix's time in Unix
 * ms, undefined when the line has none. pm2 7.0.4 formats the prefix in the
 * daemon's local time zone without an offset, as `Date.parse` reads it.
 */
export function splitDatePrefix(line: string): { timeMs: number | undefined; text: string } {
  const match = DATE_PREFIX.exec(line);
  if (match === null) return { timeMs: undefined, text: line };
  const timeMs = Date.parse(match[0].slice(0, -2));
  return { timeMs: Number.isNaN(timeMs) ? undefined : timeMs, text: line.slice(match[0].length) };
}
