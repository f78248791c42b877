import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AggregatedLogRecord } from '@vj/bus';
import { makeTempDir, removeDir } from '@vj/test-support';
import {
  type PendingRecord,
  RECOVERY_TAIL_BYTES,
  readLogTail,
  toStoredRecord,
  withoutStored,
} from '../../src';

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('vj-logs-recovery');
});

afterEach(async () => {
  await removeDir(dir);
});

/** pm2's date prefix for `timeMs`, in local time as pm2 7.0.4 writes it with `time: true`. */
function prefix(timeMs: number): string {
  const date = new Date(timeMs);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}: `;
}

function pinoLine(timeMs: number, msg: string): string {
  return JSON.stringify({ level: 30, time: timeMs, pid: 4242, worker: 'audio_analyzer', msg });
}

function writeLog(lines: string[]): string {
  const file = path.join(dir, 'audio_analyzer-out.log');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const CONNECTED_MS = Date.parse('2026-12-04T20:00:30');
const WINDOW = { sinceMs: CONNECTED_MS - 60_000, untilMs: CONNECTED_MS };

describe('readLogTail', () => {
  test('pino line keeps its own time, level and fields', async () => {
    const file = writeLog([
      `${prefix(CONNECTED_MS - 2000)}${pinoLine(CONNECTED_MS - 2100, 'worker started')}`,
    ]);

    const [record] = await readLogTail(file, 'audio_analyzer', 'stdout', WINDOW, 1);

    expect(record).toMatchObject({
      time: (CONNECTED_MS - 2100) / 1000,
      worker: 'audio_analyzer',
      level: 'info',
      msg: 'worker started',
      pid: 4242,
      via: 'pm2',
      stream: 'stdout',
      structured: true,
    });
  });

  test('plain line takes the time of the date prefix', async () => {
    const file = writeLog([`${prefix(CONNECTED_MS - 5000)}device list empty`]);

    const [record] = await readLogTail(file, 'audio_analyzer', 'stderr', WINDOW, 1);

    expect(record).toMatchObject({
      time: (CONNECTED_MS - 5000) / 1000,
      level: 'error',
      msg: 'device list empty',
      stream: 'stderr',
      structured: false,
    });
  });

  test('lines outside the window are left out', async () => {
    const file = writeLog([
      `${prefix(CONNECTED_MS - 61_000)}too old`,
      `${prefix(CONNECTED_MS - 59_000)}inside`,
      `${prefix(CONNECTED_MS + 1000)}after the connection`,
      pinoLine(CONNECTED_MS + 1, 'pino after the connection'),
    ]);

    const records = await readLogTail(file, 'audio_analyzer', 'stdout', WINDOW, 1);

    expect(records.map((record) => record.msg)).toEqual(['inside']);
  });

  test('plain line without a date prefix is skipped', async () => {
    const file = writeLog(['no prefix, so no time', pinoLine(CONNECTED_MS - 100, 'pino carries its time')]);

    const records = await readLogTail(file, 'audio_analyzer', 'stdout', WINDOW, 1);

    expect(records.map((record) => record.msg)).toEqual(['pino carries its time']);
  });

  test('indented lines join the plain line before them', async () => {
    const at = prefix(CONNECTED_MS - 3000);
    const file = writeLog([
      `${at}Error: settings file is missing`,
      `${at}    at loadSettings (main.ts:2:9)`,
      `${at}    at main.ts:5:1`,
      `${at}next line`,
    ]);

    const records = await readLogTail(file, 'audio_analyzer', 'stderr', WINDOW, 1);

    expect(records.map((record) => record.msg)).toEqual([
      'Error: settings file is missing\n    at loadSettings (main.ts:2:9)\n    at main.ts:5:1',
      'next line',
    ]);
  });

  test('plain line after a pino line carries its pid', async () => {
    const file = writeLog([
      `${prefix(CONNECTED_MS - 3000)}${pinoLine(CONNECTED_MS - 3000, 'worker started')}`,
      `${prefix(CONNECTED_MS - 2000)}printed outside the logger`,
    ]);

    const records = await readLogTail(file, 'audio_analyzer', 'stdout', WINDOW, 1);

    expect(records[1]).toMatchObject({ msg: 'printed outside the logger', pid: 4242 });
  });

  test('long file is read from its tail only, without the cut line', async () => {
    const filler = 'x'.repeat(100);
    const lines: string[] = [];
    for (let i = 1; i <= 5000; i++) lines.push(`${prefix(CONNECTED_MS - 1000)}line ${i} ${filler}`);
    const file = writeLog(lines);

    const records = await readLogTail(file, 'audio_analyzer', 'stdout', WINDOW, 1);

    // Lines 1000 to 5000 have a four-digit number, so the lines of the tail all have one length.
    const lineLength = Buffer.byteLength(`${lines.at(-1)}\n`);
    expect(records.length).toBe(Math.floor(RECOVERY_TAIL_BYTES / lineLength));
    expect(records.at(-1)?.msg).toBe(`line 5000 ${filler}`);
    expect(records.every((record) => /^line \d+ x+$/.test(record.msg))).toBe(true);
  });

  test('missing file rejects with ENOENT', async () => {
    await expect(
      readLogTail(path.join(dir, 'never-written.log'), 'audio_analyzer', 'stdout', WINDOW, 1),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('withoutStored', () => {
  function stored(record: PendingRecord, via: AggregatedLogRecord['via'], seq: number): AggregatedLogRecord {
    return { ...toStoredRecord(record, seq), via, stream: via === 'bus' ? null : record.stream };
  }

  test('pino line stored from the bus is not recovered again', async () => {
    const file = writeLog([pinoLine(CONNECTED_MS - 100, 'worker started')]);
    const [line] = await readLogTail(file, 'audio_analyzer', 'stdout', WINDOW, 1);
    const fromBus = stored(line as PendingRecord, 'bus', 1);

    expect(withoutStored([line as PendingRecord], [fromBus])).toEqual([]);
  });

  test('plain line stored live keeps only its missing copies', async () => {
    const at = prefix(CONNECTED_MS - 1000);
    const file = writeLog([`${at}tick`, `${at}tick`, `${at}tick`, `${at}tock`]);
    const lines = await readLogTail(file, 'audio_analyzer', 'stdout', WINDOW, 1);
    // The live copy carries the daemon's read time in ms, later within the same second.
    const live = { ...(lines[0] as PendingRecord), time: (CONNECTED_MS - 1000 + 400) / 1000 };

    const fresh = withoutStored(lines, [stored(live, 'pm2', 1), stored(live, 'pm2', 2)]);

    expect(fresh.map((record) => record.msg)).toEqual(['tick', 'tock']);
  });

  test('same text from another worker is not taken as stored', async () => {
    const file = writeLog([`${prefix(CONNECTED_MS - 1000)}ready`]);
    const [line] = await readLogTail(file, 'audio_analyzer', 'stdout', WINDOW, 1);
    const other = stored({ ...(line as PendingRecord), worker: 'osc_debugger' }, 'pm2', 1);

    expect(withoutStored([line as PendingRecord], [other])).toHaveLength(1);
  });
});
