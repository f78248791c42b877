/**
 * The worker logger: pino writing JSON lines to stdout (where pm2 collects
 * them) and publishing each record on `logs.<level>` once the telemetry
 * socket is open.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { LogRecord } from '../schemas/payloads';
import type { LogLevel } from '../schemas/topics';

/** Receives each log record that should go on the bus. */
export type LogRecordSink = (topic: string, record: LogRecord) => void;

/** pino's numeric levels (pino 10 defaults). */
const LEVEL_NAMES: Readonly<Record<number, LogLevel>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** pino's own keys; everything else in a line is a structured field of the record. */
const RESERVED_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'worker']);

/**
 * Creates a pino logger for worker `name`, plus the switch that connects it to the bus.
 *
 * @example
 * const { log, attach } = createWorkerLogger('example_worker', 'info');
 * attach((topic, record) => publisher.publish(topic, record));
 */
export function createWorkerLogger(
  name: string,
  level: string,
  destination?: NodeJS.WritableStream,
): { log: Logger; attach: (sink: LogRecordSink | undefined) => void } {
  let sink: LogRecordSink | undefined;
  let seq = 0;

  const busStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (sink !== undefined) {
        seq++;
        const record = toLogRecord(chunk.toString('utf8'), name, seq);
        if (record !== undefined) sink(`logs.${record.level}`, record);
      }
      done();
    },
  });

  const streams = pino.multistream([
    { level: 'trace', stream: destination ?? pino.destination({ dest: 1, sync: true }) },
    { level: 'trace', stream: busStream },
  ]);
  const log = pino({ level, base: { pid: process.pid, worker: name } }, streams);
  return {
    log,
    attach(next) {
      sink = next;
    },
  };
}

function toLogRecord(line: string, worker: string, seq: number): LogRecord | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    // pino writes one JSON object per line, so this only happens if a serializer emitted invalid JSON.
    return undefined;
  }

  const level = LEVEL_NAMES[parsed.level as number] ?? 'info';
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(parsed)) {
    if (!RESERVED_KEYS.has(key)) fields[key] = parsed[key];
  }
  return {
    time: typeof parsed.time === 'number' ? parsed.time / 1000 : Date.now() / 1000,
    mono_ms: performance.now(),
    seq,
    worker,
    level,
    msg: typeof parsed.msg === 'string' ? parsed.msg : '',
    pid: process.pid,
    fields,
  };
}
